//! `enable_bedrock_invocation_logging`: turns on Bedrock model invocation
//! logging in the region, to the policy's `log_bucket` and/or `log_group`
//! (`bedrock:PutModelInvocationLoggingConfiguration`; a log group needs
//! `log_role_arn`, the role Bedrock writes with, hence `iam:PassRole` to
//! Bedrock only). The state is `{"loggingConfig": the region's
//! configuration | null}` (`null` when there is none); rollback puts it back
//! or deletes it.

use aws_sdk_bedrock::types::{CloudWatchConfig, LoggingConfig, S3Config};
use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

const PUT: &str = "bedrock:PutModelInvocationLoggingConfiguration";

/// `{"loggingConfig": {"s3Config": {"bucketName", "keyPrefix"},
/// "cloudWatchConfig": {"logGroupName", "roleArn"}, "textDataDeliveryEnabled",
/// ...}}` with the fields that are set, or `null`.
pub async fn read(c: &Clients, _r: &Record) -> Result<Value, CollectError> {
    Ok(json!({ "loggingConfig": config_of(c).await? }))
}

async fn config_of(c: &Clients) -> Result<Value, CollectError> {
    let out = c
        .bedrock
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .op("bedrock:GetModelInvocationLoggingConfiguration")?;
    let Some(cfg) = out.logging_config() else {
        return Ok(Value::Null);
    };
    let mut v = serde_json::Map::new();
    if let Some(s3) = cfg.s3_config().filter(|s| !s.bucket_name().is_empty()) {
        v.insert(
            "s3Config".into(),
            json!({"bucketName": s3.bucket_name(), "keyPrefix": s3.key_prefix()}),
        );
    }
    if let Some(cw) = cfg
        .cloud_watch_config()
        .filter(|c| !c.log_group_name().is_empty())
    {
        v.insert(
            "cloudWatchConfig".into(),
            json!({"logGroupName": cw.log_group_name(), "roleArn": cw.role_arn()}),
        );
    }
    for (k, on) in [
        ("textDataDeliveryEnabled", cfg.text_data_delivery_enabled()),
        (
            "imageDataDeliveryEnabled",
            cfg.image_data_delivery_enabled(),
        ),
        (
            "embeddingDataDeliveryEnabled",
            cfg.embedding_data_delivery_enabled(),
        ),
        (
            "videoDataDeliveryEnabled",
            cfg.video_data_delivery_enabled(),
        ),
    ] {
        if let Some(on) = on {
            v.insert(k.into(), Value::Bool(on));
        }
    }
    Ok(Value::Object(v))
}

/// Whether logs go somewhere.
pub fn fixed(_: &Record, state: &Value) -> bool {
    let cfg = &state["loggingConfig"];
    cfg.get("s3Config").is_some() || cfg.get("cloudWatchConfig").is_some()
}

fn config(v: &Value) -> Result<LoggingConfig, CollectError> {
    let bad = |why: &str| CollectError::other(PUT, NotAssessedReason::Error, why.to_owned());
    let mut b = LoggingConfig::builder();
    if let Some(s3) = v.get("s3Config") {
        let bucket = s3["bucketName"]
            .as_str()
            .ok_or_else(|| bad("s3Config has no bucketName"))?;
        b = b.s3_config(
            S3Config::builder()
                .bucket_name(bucket)
                .set_key_prefix(s3["keyPrefix"].as_str().map(str::to_owned))
                .build()
                .map_err(|e| bad(&e.to_string()))?,
        );
    }
    if let Some(cw) = v.get("cloudWatchConfig") {
        b = b.cloud_watch_config(
            CloudWatchConfig::builder()
                .log_group_name(cw["logGroupName"].as_str().unwrap_or_default())
                .role_arn(cw["roleArn"].as_str().unwrap_or_default())
                .build()
                .map_err(|e| bad(&e.to_string()))?,
        );
    }
    let flag = |k: &str| v.get(k).and_then(Value::as_bool);
    Ok(
        b.set_text_data_delivery_enabled(flag("textDataDeliveryEnabled"))
            .set_image_data_delivery_enabled(flag("imageDataDeliveryEnabled"))
            .set_embedding_data_delivery_enabled(flag("embeddingDataDeliveryEnabled"))
            .set_video_data_delivery_enabled(flag("videoDataDeliveryEnabled"))
            .build(),
    )
}

async fn put(c: &Clients, v: &Value) -> Result<(), CollectError> {
    c.bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(config(v)?)
        .send()
        .await
        .op(PUT)?;
    Ok(())
}

/// Puts the planned configuration.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    let planned = r
        .calls
        .first()
        .map(|c| c.params["loggingConfig"].clone())
        .unwrap_or(Value::Null);
    put(c, &planned).await
}

/// Puts the configuration before back, or deletes it when there was none.
pub async fn undo(c: &Clients, _r: &Record, before: &Value) -> Result<(), CollectError> {
    let before = &before["loggingConfig"];
    if before.is_null() {
        c.bedrock
            .delete_model_invocation_logging_configuration()
            .send()
            .await
            .op("bedrock:DeleteModelInvocationLoggingConfiguration")?;
        return Ok(());
    }
    put(c, before).await
}
