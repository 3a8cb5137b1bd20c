//! `s3_block_public_access`: turns on all four settings of the bucket's
//! public access block (`s3:PutBucketPublicAccessBlock`). The state is
//! `{"PublicAccessBlock": the four settings | null}` (`null` when the bucket
//! had no block); rollback puts it back, or deletes the block when there was
//! none.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};

fn bucket(r: &Record) -> &str {
    let arn = r.resource_arn.as_str();
    arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn)
}

/// `{"PublicAccessBlock": the four settings}`, `null` when the bucket has
/// no block.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    Ok(json!({ "PublicAccessBlock": block(c, r).await? }))
}

async fn block(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    match c
        .s3
        .get_public_access_block()
        .bucket(bucket(r))
        .send()
        .await
        .op("s3:GetBucketPublicAccessBlock")
    {
        Ok(out) => Ok(out
            .public_access_block_configuration()
            .map_or(Value::Null, |c| {
                json!({"BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                       "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                       "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                       "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false)})
            })),
        Err(e) if e.code.as_deref() == Some("NoSuchPublicAccessBlockConfiguration") => {
            Ok(Value::Null)
        }
        Err(e) => Err(e),
    }
}

/// Whether every setting is on.
pub fn fixed(_: &Record, state: &Value) -> bool {
    [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ]
    .iter()
    .all(|k| state["PublicAccessBlock"][*k] == true)
}

/// Turns every setting on.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    put(&c.s3, bucket(r), &all_on()).await
}

/// Puts the block back as it was, or deletes it when there was none.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    put(&c.s3, bucket(r), &before["PublicAccessBlock"]).await
}

/// Puts `state` as the bucket's block, or deletes the block when `state` is
/// `null`.
async fn put(s3: &aws_sdk_s3::Client, name: &str, state: &Value) -> Result<(), CollectError> {
    if state.is_null() {
        s3.delete_public_access_block()
            .bucket(name)
            .send()
            .await
            // Authorized by s3:PutBucketPublicAccessBlock.
            .op("s3:DeletePublicAccessBlock")?;
        return Ok(());
    }
    let on = |k: &str| state[k] == true;
    s3.put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(on("BlockPublicAcls"))
                .ignore_public_acls(on("IgnorePublicAcls"))
                .block_public_policy(on("BlockPublicPolicy"))
                .restrict_public_buckets(on("RestrictPublicBuckets"))
                .build(),
        )
        .send()
        .await
        .op("s3:PutBucketPublicAccessBlock")?;
    Ok(())
}

/// The fixed state: every setting on.
fn all_on() -> Value {
    json!({"BlockPublicAcls": true, "IgnorePublicAcls": true,
           "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
}
