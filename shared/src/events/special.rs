//! The calls that change one part of something a list collector reads whole:
//! a bucket's fields, a role's or user's policies, trust and boundary, a
//! user's access keys, a managed policy's default version, and AWS Health's
//! report of exposed keys. Each re-reads only that part, with the readers of
//! `collect/s3.rs` and `collect/iam.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tracing::info;

use super::map::{Part, Special};
use super::reread::replace;
use crate::collect::iam::{IdentityPart, managed_policy, refresh_identity, user_keys};
use crate::collect::s3::{Field, exists, read_fields};
use crate::collect::{Batch, Ctx};
use crate::model::{Asset, AssetType, EdgeKind, Inventory, Timestamp};
use crate::pipeline::PipelineError;

const IAM: &str = "iam.authorization_details";

/// Re-reads a bucket as `action` says and puts it into `fresh`; returns its ARN.
pub(super) async fn bucket(
    ctx: &Ctx,
    fresh: &mut Inventory,
    name: &str,
    action: Special,
) -> Result<Option<String>, PipelineError> {
    let arn = format!("arn:{}:s3:::{name}", ctx.partition);
    let stored = fresh.assets.iter().position(|a| a.arn == arn);
    let (base, fields): (Asset, &[Field]) = match (action, stored) {
        (Special::BucketDeleted, Some(i)) => {
            if !exists(ctx, name).await? {
                fresh.assets.remove(i);
                return Ok(Some(arn));
            }
            (fresh.assets.remove(i), Field::ALL)
        }
        (Special::BucketDeleted, None) => return Ok(Some(arn)),
        (Special::BucketFields(fields), Some(i)) => (fresh.assets.remove(i), fields),
        (Special::BucketCreated, Some(i)) => (fresh.assets.remove(i), Field::CREATED),
        (Special::BucketCreated | Special::BucketFields(_), None) => (
            Asset::new(
                &arn,
                AssetType::S3Bucket,
                name,
                &ctx.account_id,
                &ctx.region,
            ),
            Field::CREATED,
        ),
        (_, _) => return Ok(None),
    };
    let (asset, coverage) = read_fields(ctx, base, fields).await?;
    fresh
        .provenance
        .insert(Inventory::asset_key(&asset), "s3.buckets".to_owned());
    fresh.assets.push(asset);
    fresh.coverage.extend(coverage);
    Ok(Some(arn))
}

/// Re-reads the changed part of a role or user into the stored view, with
/// the managed policies it newly needs and, for attachments, its attachment
/// edges; returns its ARN. A role or user the stored view does not know yet
/// is left to the next sweep.
pub(super) async fn identity(
    ctx: &Ctx,
    fresh: &mut Inventory,
    kind: AssetType,
    part: Part,
    name: &str,
    policy: Option<&str>,
) -> Result<Option<String>, PipelineError> {
    let Some(i) = fresh
        .assets
        .iter()
        .position(|a| a.asset_type == kind && a.name == name)
    else {
        info!(
            name,
            "identity not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    let part = match (part, policy) {
        (Part::Attached, _) => IdentityPart::Attached,
        (Part::Inline, Some(p)) => IdentityPart::Inline(p.to_owned()),
        (Part::Inline, None) => {
            return Err(PipelineError::Event(
                "inline policy without a name".to_owned(),
            ));
        }
        (Part::Identity, _) => IdentityPart::Identity,
    };
    let known: BTreeSet<String> = fresh
        .assets
        .iter()
        .filter(|a| a.asset_type == AssetType::IamPolicy)
        .map(|a| a.arn.clone())
        .collect();
    let asset = fresh.assets.remove(i);
    let arn = asset.arn.clone();
    let batch = refresh_identity(ctx, asset, &part, &known).await?;
    if part == IdentityPart::Attached {
        fresh
            .edges
            .retain(|e| !(e.from == arn && e.kind == EdgeKind::HasPolicy));
    }
    replace(fresh, None, Some(batch), IAM);
    Ok(Some(arn))
}

/// Re-reads one user's access keys into the stored view; returns the user's
/// ARN. What events reported about a key (its exposure) is carried over from
/// the stored view by the reconciler, as for sweeps.
pub(super) async fn access_keys(
    ctx: &Ctx,
    fresh: &mut Inventory,
    user: &str,
) -> Result<Option<String>, PipelineError> {
    let Some(user_arn) = fresh
        .assets
        .iter()
        .find(|a| a.asset_type == AssetType::IamUser && a.name == user)
        .map(|a| a.arn.clone())
    else {
        info!(
            user,
            "user not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    let current = user_keys(ctx, user, &user_arn).await?;
    drop_keys(fresh, &user_arn);
    replace(fresh, None, Some(current), IAM);
    Ok(Some(user_arn))
}

/// Drops a user's stored keys and the edges to them.
fn drop_keys(fresh: &mut Inventory, user_arn: &str) {
    fresh.assets.retain(|a| {
        !(a.asset_type == AssetType::IamAccessKey && a.str_attr("user_arn") == Some(user_arn))
    });
    fresh
        .edges
        .retain(|e| !(e.from == user_arn && e.kind == EdgeKind::HasAccessKey));
}

/// Re-reads a managed policy's default version into the stored graph; a
/// policy the graph does not hold (attached to nothing aispm tracks) is left
/// to the next sweep.
pub(super) async fn policy(
    ctx: &Ctx,
    fresh: &mut Inventory,
    arn: &str,
) -> Result<Option<String>, PipelineError> {
    let Some(i) = fresh
        .assets
        .iter()
        .position(|a| a.asset_type == AssetType::IamPolicy && a.arn == arn)
    else {
        info!(
            arn,
            "policy not in the stored graph; the next sweep adds it if it matters"
        );
        return Ok(None);
    };
    let current = managed_policy(ctx, arn).await?;
    Ok(replace(
        fresh,
        Some(i),
        current.map(|a| Batch::one(a, Vec::new())),
        IAM,
    ))
}

/// Marks the exposed keys (found in the stored view by id) and re-reads
/// their users' keys; returns the first key's user ARN (a key has none
/// AWS knows).
pub(super) async fn exposed(
    ctx: &Ctx,
    fresh: &mut Inventory,
    keys: &[String],
    at: Timestamp,
) -> Result<Option<String>, PipelineError> {
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    for a in fresh
        .assets
        .iter()
        .filter(|a| a.asset_type == AssetType::IamAccessKey && keys.contains(&a.name))
    {
        if let (Some(user), Some(user_arn)) = (a.str_attr("user_name"), a.str_attr("user_arn")) {
            users.insert(user_arn.to_owned(), user.to_owned());
        }
    }
    let mut first = None;
    for (user_arn, user) in &users {
        let mut current = user_keys(ctx, user, user_arn).await?;
        for k in &mut current.assets {
            if keys.contains(&k.name) {
                k.set("exposure_reported", Some(Value::Bool(true)));
                k.set("exposure_reported_at", Some(Value::String(at.to_string())));
                first.get_or_insert_with(|| user_arn.clone());
            }
        }
        drop_keys(fresh, user_arn);
        replace(fresh, None, Some(current), IAM);
    }
    Ok(first)
}
