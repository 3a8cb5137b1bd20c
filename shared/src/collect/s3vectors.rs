//! S3 Vectors buckets (vector stores behind knowledge bases): collector
//! `s3vectors.vector_buckets`. Attribute keys: `kms_key_arn`, `sse_type`,
//! `has_policy`, `policy`.

use serde_json::Value;

use super::spec::{ResourceSpec, list_fn};
use super::util::{EdgeSink, describe_each, found, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::AssetType;

/// S3 Vectors buckets: encryption and whether a bucket policy exists.
pub async fn vector_buckets(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "s3vectors:GetVectorBucket";
    let names: Vec<String> = ctx
        .clients
        .s3vectors
        .list_vector_buckets()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("s3vectors:ListVectorBuckets")?
        .into_iter()
        .map(|b| b.vector_bucket_name().to_owned())
        .collect();
    let described = describe_each(names, |name| async move {
        let out = found(
            ctx.clients
                .s3vectors
                .get_vector_bucket()
                .vector_bucket_name(&name)
                .send()
                .await
                .op(GET),
        )?;
        let Some(bucket) = out.and_then(|o| o.vector_bucket) else {
            return Ok(None);
        };
        let policy = found(
            ctx.clients
                .s3vectors
                .get_vector_bucket_policy()
                .vector_bucket_name(&name)
                .send()
                .await
                .op("s3vectors:GetVectorBucketPolicy"),
        )?
        .and_then(|p| p.policy);
        Ok(Some((bucket, policy)))
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(GET);
    for (b, policy) in described {
        let arn = b.vector_bucket_arn();
        let mut a = ctx.asset(arn, AssetType::S3VectorBucket, b.vector_bucket_name());
        let enc = b.encryption_configuration();
        a.set("sse_type", s(enc.map(|e| e.sse_type().as_str())))
            .set("kms_key_arn", s(enc.and_then(|e| e.kms_key_arn())))
            .set("has_policy", Some(Value::Bool(policy.is_some())))
            .set("policy", policy.map(|p| super::util::plain_policy_json(&p)))
            .set("creation_time", ts(Some(b.creation_time())));
        edges.add_kms(
            ctx,
            arn,
            enc.and_then(|e| e.kms_key_arn()),
            "encryptionConfiguration.kmsKeyArn",
        );
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    Ok(batch)
}

/// `s3vectors.vector_buckets`: vector buckets with their encryption and policy.
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "s3vectors.vector_buckets",
    Scope::Regional,
    list_fn!(vector_buckets),
);
