//! OpenSearch Serverless collections (vector stores behind knowledge bases),
//! with their encryption and network policies: collector
//! `opensearch_serverless.collections`. Attribute keys: `kms_key_arn`,
//! `aws_owned_key`, `collection_type`, `public_network_access`,
//! `public_by_policy`.

use serde_json::{Value, json};

use super::spec::{ResourceSpec, list_fn};
use super::util::{EdgeSink, describe_each, document_json, found, s};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::iam::pattern::wildcard_match;
use crate::model::AssetType;

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
                                    .any(|p| wildcard_match(p, &target))
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

/// `opensearch_serverless.collections`: collections with their encryption and network policies.
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "opensearch_serverless.collections",
    Scope::Regional,
    list_fn!(aoss_collections),
);

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
