//! Vector stores behind knowledge bases: OpenSearch Serverless collections (with
//! their network policies) and S3 Vectors buckets. Attribute keys:
//! `kms_key_arn`, `aws_owned_key`, `collection_type`, `public_network_access`,
//! `public_by_policy`, `sse_type`, `has_policy`.

use serde_json::{Value, json};

use super::util::{EdgeSink, describe_each, document_json, found, s, ts};
use super::{Batch, Ctx};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::AssetType;
use crate::rules::policy::glob;

/// The policies (by name) of a network-policy document that make `collection`
/// reachable from the internet.
fn public_by(policies: &[(String, Value)], collection: &str) -> Vec<String> {
    let target = format!("collection/{collection}");
    policies
        .iter()
        .filter(|(_, doc)| {
            doc.as_array().into_iter().flatten().any(|entry| {
                entry.get("AllowFromPublic").and_then(Value::as_bool) == Some(true)
                    && entry
                        .get("Rules")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|rule| {
                            rule.get("ResourceType").and_then(Value::as_str) == Some("collection")
                                && rule
                                    .get("Resource")
                                    .and_then(Value::as_array)
                                    .into_iter()
                                    .flatten()
                                    .filter_map(Value::as_str)
                                    .any(|p| glob(p, &target))
                        })
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// OpenSearch Serverless collections with encryption and network exposure.
pub async fn aoss_collections(ctx: &Ctx) -> Result<Batch, CollectError> {
    const BATCH_GET: &str = "aoss:BatchGetCollection";
    let aoss = &ctx.clients.aoss;
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let out = aoss
            .list_collections()
            .set_next_token(token)
            .send()
            .await
            .op("aoss:ListCollections")?;
        ids.extend(
            out.collection_summaries()
                .iter()
                .filter_map(|c| c.id().map(str::to_owned)),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut batch = Batch::default();
    if ids.is_empty() {
        return Ok(batch);
    }
    // Network policies decide internet exposure; read them once per region.
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let out = aoss
            .list_security_policies()
            .r#type(aws_sdk_opensearchserverless::types::SecurityPolicyType::Network)
            .set_next_token(token)
            .send()
            .await
            .op("aoss:ListSecurityPolicies")?;
        names.extend(
            out.security_policy_summaries()
                .iter()
                .filter_map(|p| p.name().map(str::to_owned)),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let policies = describe_each(names, |name| async move {
        let out = found(
            aoss.get_security_policy()
                .name(&name)
                .r#type(aws_sdk_opensearchserverless::types::SecurityPolicyType::Network)
                .send()
                .await
                .op("aoss:GetSecurityPolicy"),
        )?;
        Ok(out
            .and_then(|o| o.security_policy_detail)
            .and_then(|d| d.policy)
            .map(|p| (name, document_json(&p))))
    })
    .await?;
    let mut edges = EdgeSink::new(BATCH_GET);
    for chunk in ids.chunks(100) {
        let out = aoss
            .batch_get_collection()
            .set_ids(Some(chunk.to_vec()))
            .send()
            .await
            .op(BATCH_GET)?;
        for c in out.collection_details() {
            let (Some(arn), Some(name)) = (c.arn(), c.name()) else {
                continue;
            };
            let mut a = ctx.asset(arn, AssetType::OpensearchServerlessCollection, name);
            let public = public_by(&policies, name);
            a.set("kms_key_arn", s(c.kms_key_arn()))
                .set(
                    "aws_owned_key",
                    Some(Value::Bool(
                        c.kms_key_arn().is_none_or(|k| k == "auto" || k.is_empty()),
                    )),
                )
                .set("collection_type", s(c.r#type().map(|t| t.as_str())))
                .set("status", s(c.status().map(|t| t.as_str())))
                .set(
                    "public_network_access",
                    Some(Value::Bool(!public.is_empty())),
                )
                .set("public_by_policy", Some(json!(public)));
            if let Some(k) = c.kms_key_arn().filter(|k| k.starts_with("arn:")) {
                edges.add_kms(ctx, arn, Some(k), "kmsKeyArn");
            }
            batch.assets.push(a);
        }
    }
    batch.edges = edges.edges;
    Ok(batch)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_network_policy_names_the_collection() {
        let policies = vec![
            (
                "public-dash".to_owned(),
                json!([{"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/docs"]}], "AllowFromPublic": true}]),
            ),
            (
                "open".to_owned(),
                json!([{"Rules": [{"ResourceType": "collection", "Resource": ["collection/do*"]}], "AllowFromPublic": true}]),
            ),
            (
                "private".to_owned(),
                json!([{"Rules": [{"ResourceType": "collection", "Resource": ["collection/*"]}], "AllowFromPublic": false, "SourceVPCEs": ["vpce-1"]}]),
            ),
        ];
        assert_eq!(public_by(&policies, "docs"), vec!["open".to_owned()]);
        assert!(public_by(&policies, "fraud").is_empty());
    }
}
