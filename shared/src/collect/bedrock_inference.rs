//! Bedrock batch inference jobs and imported models: collectors
//! `bedrock.batch_inference_jobs` and `bedrock.imported_models`. A batch job
//! reads a bucket of prompts and writes the answers to another, as its role; an
//! imported model's weights come from a bucket and are kept under a key.

use serde_json::json;

use super::spec::{ResourceSpec, list_fn};
use super::util::{EdgeSink, found, read_each, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// At most this many batch jobs are read per region (the most recent first);
/// a List page carries everything the rules read, so there is no Describe.
const MAX_JOBS: usize = 1_000;

/// Batch inference jobs, newest first: role, model, input and output
/// locations, output key.
pub async fn batch_inference_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    const LIST: &str = "bedrock:ListModelInvocationJobs";
    let mut stream = ctx
        .clients
        .bedrock
        .list_model_invocation_jobs()
        .sort_order(aws_sdk_bedrock::types::SortOrder::Descending)
        .into_paginator()
        .items()
        .send();
    let mut batch = Batch::default();
    let mut more = false;
    while let Some(j) = stream.try_next().await.op(LIST)? {
        if batch.assets.len() == MAX_JOBS {
            more = true;
            break;
        }
        let arn = j.job_arn();
        let mut a = ctx.asset(arn, AssetType::BedrockBatchInferenceJob, j.job_name());
        let input = j
            .input_data_config()
            .and_then(|c| c.as_s3_input_data_config().ok())
            .map(|c| c.s3_uri());
        let output = j
            .output_data_config()
            .and_then(|c| c.as_s3_output_data_config().ok());
        a.set("role_arn", Some(json!(j.role_arn())))
            .set("model_id", Some(json!(j.model_id())))
            .set("input_s3_uri", s(input))
            .set("output_s3_uri", s(output.map(|o| o.s3_uri())))
            .set(
                "output_kms_key_id",
                s(output.and_then(|o| o.s3_encryption_key_id())),
            )
            .set(
                "vpc_configured",
                Some(json!(
                    j.vpc_config().is_some_and(|v| !v.subnet_ids().is_empty())
                )),
            )
            .set("status", s(j.status().map(|s| s.as_str())))
            .set("creation_time", ts(Some(j.submit_time())));
        let mut edges = EdgeSink::new(LIST);
        edges.add(arn, Some(j.role_arn()), EdgeKind::ExecutesAs, "roleArn");
        edges.add_s3(
            arn,
            input,
            EdgeKind::ReadsData,
            "inputDataConfig.s3InputDataConfig.s3Uri",
        );
        edges.add_s3(
            arn,
            output.map(|o| o.s3_uri()),
            EdgeKind::WritesData,
            "outputDataConfig.s3OutputDataConfig.s3Uri",
        );
        edges.add_kms(
            ctx,
            arn,
            output.and_then(|o| o.s3_encryption_key_id()),
            "outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId",
        );
        batch.assets.push(a);
        batch.edges.extend(edges.edges);
    }
    if more {
        batch.coverage.push(crate::model::Coverage::not_assessed(
            &ctx.account_id,
            &ctx.region,
            "bedrock.batch_inference_jobs:older",
            crate::model::NotAssessedReason::Bounded,
            format!("the {MAX_JOBS} most recent batch inference jobs read; older ones not"),
        ));
    }
    Ok(batch)
}

/// One imported model: its key and where its weights came from.
async fn imported_model(ctx: &Ctx, arn: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock:GetImportedModel";
    let Some(m) = found(
        ctx.clients
            .bedrock
            .get_imported_model()
            .model_identifier(arn)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = m.model_arn().unwrap_or(arn);
    let mut a = ctx.asset(
        arn,
        AssetType::BedrockImportedModel,
        m.model_name().unwrap_or_default(),
    );
    let source = m
        .model_data_source()
        .and_then(|d| d.as_s3_data_source().ok())
        .map(|d| d.s3_uri());
    a.set("kms_key_arn", s(m.model_kms_key_arn()))
        .set("model_data_s3_uri", s(source))
        .set("architecture", s(m.model_architecture()))
        .set("import_job_arn", s(m.job_arn()))
        .set("creation_time", ts(m.creation_time()));
    let mut edges = EdgeSink::new(GET);
    edges.add_s3(
        arn,
        source,
        EdgeKind::ArtifactIn,
        "modelDataSource.s3DataSource.s3Uri",
    );
    edges.add_kms(ctx, arn, m.model_kms_key_arn(), "modelKmsKeyArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Imported models.
pub async fn imported_models(ctx: &Ctx) -> Result<Batch, CollectError> {
    let arns: Vec<String> = ctx
        .clients
        .bedrock
        .list_imported_models()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock:ListImportedModels")?
        .into_iter()
        .map(|m| m.model_arn().to_owned())
        .collect();
    read_each(arns, |arn| async move { imported_model(ctx, &arn).await }).await
}

/// `bedrock.batch_inference_jobs`: listed by the sweep.
pub const BATCH_INFERENCE_JOBS: ResourceSpec = ResourceSpec::listed(
    "bedrock.batch_inference_jobs",
    Scope::Regional,
    list_fn!(batch_inference_jobs),
);

/// `bedrock.imported_models`: listed by the sweep.
pub const IMPORTED_MODELS: ResourceSpec = ResourceSpec::listed(
    "bedrock.imported_models",
    Scope::Regional,
    list_fn!(imported_models),
);
