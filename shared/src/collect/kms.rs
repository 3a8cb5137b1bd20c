//! Customer-managed KMS keys: state, rotation, policy and aliases. AWS-managed
//! keys are listed but not read further. Attribute keys: `key_manager`,
//! `key_state`, `enabled`, `rotation_enabled`, `policy`, `aliases`.

use serde_json::{Value, json};

use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::util::{describe_each, found, plain_policy_json, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::AssetType;

type KeyDescription = (aws_sdk_kms::types::KeyMetadata, Option<bool>, Option<Value>);

/// DescribeKey and, for customer-managed keys, GetKeyRotationStatus and
/// GetKeyPolicy; `None` when the key is gone.
async fn describe_key(ctx: &Ctx, id: &str) -> Result<Option<KeyDescription>, CollectError> {
    let kms = &ctx.clients.kms;
    let Some(meta) = found(
        kms.describe_key()
            .key_id(id)
            .send()
            .await
            .op("kms:DescribeKey"),
    )?
    .and_then(|o| o.key_metadata) else {
        return Ok(None);
    };
    let customer = meta.key_manager().is_some_and(|m| m.as_str() == "CUSTOMER");
    let (rotation, policy) = if customer {
        let rotation = found(
            kms.get_key_rotation_status()
                .key_id(id)
                .send()
                .await
                .op("kms:GetKeyRotationStatus"),
        )?
        .map(|r| r.key_rotation_enabled());
        let policy = found(
            kms.get_key_policy()
                .key_id(id)
                .policy_name("default")
                .send()
                .await
                .op("kms:GetKeyPolicy"),
        )?
        .and_then(|p| p.policy)
        .map(|p| plain_policy_json(&p));
        (rotation, policy)
    } else {
        (None, None)
    };
    Ok(Some((meta, rotation, policy)))
}

fn key_asset(
    ctx: &Ctx,
    meta: &aws_sdk_kms::types::KeyMetadata,
    rotation: Option<bool>,
    policy: Option<Value>,
    aliases: &[&str],
) -> crate::model::Asset {
    let id = meta.key_id();
    let arn = meta
        .arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("kms", &format!("key/{id}")));
    let display = aliases.first().copied().unwrap_or(id);
    let mut a = ctx.asset(&arn, AssetType::KmsKey, display);
    a.set("key_id", Some(json!(id)))
        .set("key_manager", s(meta.key_manager().map(|m| m.as_str())))
        .set("key_state", s(meta.key_state().map(|m| m.as_str())))
        .set("enabled", Some(Value::Bool(meta.enabled())))
        .set("rotation_enabled", rotation.map(Value::Bool))
        .set("policy", policy)
        .set("aliases", Some(json!(aliases)))
        .set("creation_time", ts(meta.creation_date()));
    a
}

/// One key re-read (for event triggers): DescribeKey, rotation and policy,
/// and its aliases (ListAliases for the key); `None` when it is gone.
pub async fn key(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    let Some((meta, rotation, policy)) = describe_key(ctx, id).await? else {
        return Ok(None);
    };
    let aliases = ctx
        .clients
        .kms
        .list_aliases()
        .key_id(meta.key_id())
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("kms:ListAliases")?;
    let names: Vec<&str> = aliases.iter().filter_map(|a| a.alias_name()).collect();
    Ok(Some(Batch::one(
        key_asset(ctx, &meta, rotation, policy, &names),
        Vec::new(),
    )))
}

/// Every key in the region.
pub async fn keys(ctx: &Ctx) -> Result<Batch, CollectError> {
    let kms = &ctx.clients.kms;
    let ids: Vec<String> = kms
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("kms:ListKeys")?
        .into_iter()
        .filter_map(|k| k.key_id().map(str::to_owned))
        .collect();
    if ids.is_empty() {
        return Ok(Batch::default());
    }
    let aliases = kms
        .list_aliases()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("kms:ListAliases")?;
    let described = describe_each(ids, |id| async move { describe_key(ctx, &id).await }).await?;
    let mut batch = Batch::default();
    for (meta, rotation, policy) in described {
        let names: Vec<&str> = aliases
            .iter()
            .filter(|a| a.target_key_id() == Some(meta.key_id()))
            .filter_map(|a| a.alias_name())
            .collect();
        batch
            .assets
            .push(key_asset(ctx, &meta, rotation, policy, &names));
    }
    Ok(batch)
}

/// `kms.keys`: a key's calls name it by id, ARN or alias.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "kms.keys",
    Scope::Regional,
    AssetType::KmsKey,
    list_fn!(keys),
    read_fn!(key),
    by_arn,
)
.on(&[EventCalls {
    source: "kms.amazonaws.com",
    names: &[
        "PutKeyPolicy",
        "EnableKeyRotation",
        "DisableKeyRotation",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
    ],
    id: &["keyId"],
    part: None,
}]);
