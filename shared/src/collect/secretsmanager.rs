//! Secrets Manager secrets, metadata only: ListSecrets carries rotation, KMS key
//! and tags; GetResourcePolicy adds each secret's resource policy (who else
//! may read it). aispm never reads a secret's value. Attribute keys:
//! `rotation_enabled`, `rotation_days`, `last_rotated`, `last_accessed`,
//! `kms_key_id`, `ai_provider` (the provider a name, description or tag points
//! to, when one does), `policy` (the resource policy, absent when there is
//! none) and `unassessed.policy` (why it could not be read).

use serde_json::{Value, json};

use super::util::{EdgeSink, found, plain_policy_json, read_each, s, ts};

use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, Coverage};

/// Words that mark a secret as an AI-provider or model key, and the provider
/// each names. Matched against the lowercased name, description and tags.
const AI_PROVIDERS: &[(&str, &str)] = &[
    ("openai", "openai"),
    ("anthropic", "anthropic"),
    ("claude", "anthropic"),
    ("huggingface", "huggingface"),
    ("hugging-face", "huggingface"),
    ("hf_token", "huggingface"),
    ("cohere", "cohere"),
    ("mistral", "mistral"),
    ("gemini", "google"),
    ("vertex", "google"),
    ("bedrock", "bedrock"),
    ("pinecone", "pinecone"),
    ("langsmith", "langchain"),
    ("llm", "llm"),
    ("genai", "genai"),
];

/// The AI provider a secret's text points to, if any.
pub fn ai_provider(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase();
    AI_PROVIDERS
        .iter()
        .find(|(word, _)| t.contains(word))
        .map(|(_, p)| *p)
}

/// The metadata fields ListSecrets and DescribeSecret both return.
struct Fields<'a> {
    arn: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    tags: &'a [aws_sdk_secretsmanager::types::Tag],
    rotation_enabled: Option<bool>,
    rotation_days: Option<i64>,
    last_rotated: Option<&'a aws_smithy_types::DateTime>,
    last_accessed: Option<&'a aws_smithy_types::DateTime>,
    last_changed: Option<&'a aws_smithy_types::DateTime>,
    kms_key_id: Option<&'a str>,
    created: Option<&'a aws_smithy_types::DateTime>,
}

fn secret_asset(ctx: &Ctx, e: &Fields<'_>) -> crate::model::Asset {
    let mut a = ctx.asset(e.arn, AssetType::SecretsmanagerSecret, e.name);
    a.tags = e
        .tags
        .iter()
        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
        .collect();
    let text = format!(
        "{} {} {}",
        e.name,
        e.description.unwrap_or_default(),
        a.tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    a.set(
        "rotation_enabled",
        Some(Value::Bool(e.rotation_enabled.unwrap_or(false))),
    )
    .set("rotation_days", e.rotation_days.map(|d| json!(d)))
    .set("last_rotated", ts(e.last_rotated))
    .set("last_accessed", ts(e.last_accessed))
    .set("last_changed", ts(e.last_changed))
    .set("kms_key_id", s(e.kms_key_id))
    .set("description", s(e.description))
    .set("ai_provider", ai_provider(&text).map(|p| json!(p)))
    .set("creation_time", ts(e.created));
    a
}

/// Reads the secret's resource policy into `a` (secretsmanager:GetResourcePolicy:
/// the policy document, never the value). A read that fails marks `policy`
/// unassessed on the secret and yields a `secretsmanager.secrets.policy`
/// coverage record, so rules about it report a gap instead of a pass.
async fn with_policy(
    ctx: &Ctx,
    mut a: crate::model::Asset,
    edges: Vec<crate::model::Edge>,
) -> Batch {
    const GET: &str = "secretsmanager:GetResourcePolicy";
    let read = found(
        ctx.clients
            .secrets
            .get_resource_policy()
            .secret_id(&a.arn)
            .send()
            .await
            .op(GET),
    );
    let mut batch = Batch::default();
    match read {
        Ok(out) => {
            let policy = out
                .and_then(|o| o.resource_policy)
                .filter(|p| !p.trim().is_empty())
                .map(|p| plain_policy_json(&p));
            a.set("policy", policy);
        }
        Err(e) => {
            a.set(
                "unassessed",
                Some(json!({"policy": {"reason": e.reason.as_str(), "detail": e.to_string()}})),
            );
            batch.coverage.push(Coverage::not_assessed(
                &ctx.account_id,
                &a.region,
                "secretsmanager.secrets.policy",
                e.reason,
                format!("{}: {e}", a.name),
            ));
        }
    }
    batch.assets.push(a);
    batch.edges = edges;
    batch
}

/// One secret's metadata and resource policy (secretsmanager:DescribeSecret
/// and GetResourcePolicy; never its value), with its KMS edge. `None` when it
/// is gone or scheduled for deletion (as ListSecrets leaves those out).
pub async fn secret(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const DESCRIBE: &str = "secretsmanager:DescribeSecret";
    let Some(e) = found(
        ctx.clients
            .secrets
            .describe_secret()
            .secret_id(id)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let (Some(arn), Some(name)) = (e.arn(), e.name()) else {
        return Ok(None);
    };
    if e.deleted_date().is_some() {
        return Ok(None);
    }
    let fields = Fields {
        arn,
        name,
        description: e.description(),
        tags: e.tags(),
        rotation_enabled: e.rotation_enabled(),
        rotation_days: e
            .rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        last_rotated: e.last_rotated_date(),
        last_accessed: e.last_accessed_date(),
        last_changed: e.last_changed_date(),
        kms_key_id: e.kms_key_id(),
        created: e.created_date(),
    };
    let mut edges = EdgeSink::new("secretsmanager:ListSecrets");
    edges.add_kms(ctx, arn, e.kms_key_id(), "KmsKeyId");
    Ok(Some(
        with_policy(ctx, secret_asset(ctx, &fields), edges.edges).await,
    ))
}

/// Every secret's metadata and resource policy.
pub async fn secrets(ctx: &Ctx) -> Result<Batch, CollectError> {
    const LIST: &str = "secretsmanager:ListSecrets";
    let items = ctx
        .clients
        .secrets
        .list_secrets()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op(LIST)?
        .into_iter()
        .flat_map(|p| p.secret_list.unwrap_or_default());
    let mut listed = Vec::new();
    for e in items {
        let (Some(arn), Some(name)) = (e.arn(), e.name()) else {
            continue;
        };
        let fields = Fields {
            arn,
            name,
            description: e.description(),
            tags: e.tags(),
            rotation_enabled: e.rotation_enabled(),
            rotation_days: e
                .rotation_rules()
                .and_then(|r| r.automatically_after_days()),
            last_rotated: e.last_rotated_date(),
            last_accessed: e.last_accessed_date(),
            last_changed: e.last_changed_date(),
            kms_key_id: e.kms_key_id(),
            created: e.created_date(),
        };
        let mut edges = EdgeSink::new(LIST);
        edges.add_kms(ctx, arn, e.kms_key_id(), "KmsKeyId");
        listed.push((secret_asset(ctx, &fields), edges.edges));
    }
    read_each(listed, |(a, edges)| async move {
        Ok(Some(with_policy(ctx, a, edges).await))
    })
    .await
}

/// `secretsmanager.secrets`: metadata only, never a value. `CreateSecret`
/// names the secret by `name`, the other calls by `secretId`.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "secretsmanager.secrets",
    Scope::Regional,
    AssetType::SecretsmanagerSecret,
    list_fn!(secrets),
    read_fn!(secret),
    by_arn,
)
.on(&[EventCalls {
    source: "secretsmanager.amazonaws.com",
    names: &[
        "CreateSecret",
        "UpdateSecret",
        "RotateSecret",
        "CancelRotateSecret",
        "DeleteSecret",
        "RestoreSecret",
        "TagResource",
        "UntagResource",
        "PutResourcePolicy",
        "DeleteResourcePolicy",
    ],
    id: &["secretId", "name"],
    part: None,
}]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_is_recognised_from_the_name() {
        assert_eq!(ai_provider("prod/OpenAI-API-key"), Some("openai"));
        assert_eq!(ai_provider("support-bot/anthropic"), Some("anthropic"));
        assert_eq!(ai_provider("payments/db-password"), None);
    }
}
