//! IAM through one paginated GetAccountAuthorizationDetails (roles, users, groups,
//! customer-managed policies with their documents), the documents of the AWS
//! managed policies actually attached, and access keys with their last use.
//! Attribute keys: `trust_policy`, `inline_policies` ([{name, document}]),
//! `attached_policies` ([arn]), `permissions_boundary`, `groups`,
//! `last_used`, `document`, `aws_managed`, `status`, `user_name`,
//! `create_date`, `last_used_service`.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::types::EntityType;
use serde_json::{Value, json};

use super::spec::{ResourceSpec, list_fn};
use super::util::{EdgeSink, arn_tail, describe_each, found, policy_json, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{Asset, AssetType, EdgeKind, GLOBAL_REGION};

const DETAILS: &str = "iam:GetAccountAuthorizationDetails";

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| {
                json!({
                    "name": p.policy_name(),
                    "document": p.policy_document().map(policy_json),
                })
            })
            .collect(),
    )
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<String> {
    list.iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect()
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    list.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

fn global(ctx: &Ctx, arn: &str, t: AssetType, name: &str) -> Asset {
    Asset::new(arn, t, name, &ctx.account_id, GLOBAL_REGION)
}

/// Roles, users, groups, policies and access keys of the account.
pub async fn authorization_details(ctx: &Ctx) -> Result<Batch, CollectError> {
    let iam = &ctx.clients.iam;
    let pages = iam
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Role)
        .filter(EntityType::Group)
        .filter(EntityType::LocalManagedPolicy)
        .max_items(1000)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op(DETAILS)?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(DETAILS);
    let mut aws_managed: BTreeSet<String> = BTreeSet::new();
    let mut users = Vec::new();
    let mut note_attached = |arns: &[String]| {
        for a in arns {
            if a.contains(":iam::aws:policy/") {
                aws_managed.insert(a.clone());
            }
        }
    };
    for page in &pages {
        for r in page.role_detail_list() {
            let (Some(arn), Some(name)) = (r.arn(), r.role_name()) else {
                continue;
            };
            let mut a = global(ctx, arn, AssetType::IamRole, name);
            a.tags = tags(r.tags());
            let att = attached(r.attached_managed_policies());
            note_attached(&att);
            let boundary = r
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn());
            a.set("path", s(r.path()))
                .set(
                    "trust_policy",
                    r.assume_role_policy_document().map(policy_json),
                )
                .set("inline_policies", Some(inline(r.role_policy_list())))
                .set("attached_policies", Some(json!(att)))
                .set("permissions_boundary", s(boundary))
                .set(
                    "last_used",
                    ts(r.role_last_used().and_then(|u| u.last_used_date())),
                )
                .set("create_date", ts(r.create_date()));
            for p in &att {
                edges.add(
                    arn,
                    Some(p),
                    EdgeKind::HasPolicy,
                    "RoleDetailList.AttachedManagedPolicies",
                );
            }
            batch.assets.push(a);
        }
        for u in page.user_detail_list() {
            let (Some(arn), Some(name)) = (u.arn(), u.user_name()) else {
                continue;
            };
            let mut a = global(ctx, arn, AssetType::IamUser, name);
            a.tags = tags(u.tags());
            let att = attached(u.attached_managed_policies());
            note_attached(&att);
            a.set("path", s(u.path()))
                .set("inline_policies", Some(inline(u.user_policy_list())))
                .set("attached_policies", Some(json!(att)))
                .set("groups", Some(json!(u.group_list())))
                .set(
                    "permissions_boundary",
                    s(u.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())),
                )
                .set("create_date", ts(u.create_date()));
            for p in &att {
                edges.add(
                    arn,
                    Some(p),
                    EdgeKind::HasPolicy,
                    "UserDetailList.AttachedManagedPolicies",
                );
            }
            users.push((name.to_owned(), arn.to_owned()));
            batch.assets.push(a);
        }
        for g in page.group_detail_list() {
            let (Some(arn), Some(name)) = (g.arn(), g.group_name()) else {
                continue;
            };
            let mut a = global(ctx, arn, AssetType::IamGroup, name);
            let att = attached(g.attached_managed_policies());
            note_attached(&att);
            a.set("inline_policies", Some(inline(g.group_policy_list())))
                .set("attached_policies", Some(json!(att)));
            for p in &att {
                edges.add(
                    arn,
                    Some(p),
                    EdgeKind::HasPolicy,
                    "GroupDetailList.AttachedManagedPolicies",
                );
            }
            batch.assets.push(a);
        }
        for p in page.policies() {
            // The name is the ARN's last part when the answer leaves it out
            // (the emulator does).
            let Some(arn) = p.arn() else {
                continue;
            };
            let name = p.policy_name().unwrap_or_else(|| arn_tail(arn));
            let mut a = global(ctx, arn, AssetType::IamPolicy, name);
            let doc = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version())
                .and_then(|v| v.document())
                .map(policy_json);
            a.set("document", doc)
                .set("aws_managed", Some(Value::Bool(false)))
                .set("default_version_id", s(p.default_version_id()))
                .set("attachment_count", p.attachment_count().map(Value::from));
            batch.assets.push(a);
        }
    }
    // AWS managed policies: only the attached ones, each read once.
    let managed = describe_each(aws_managed.into_iter().collect(), |arn| async move {
        managed_policy(ctx, &arn).await
    })
    .await?;
    batch.assets.extend(managed);
    // Access keys, with their last use.
    let keys = describe_each(users, |(user, user_arn)| async move {
        let out = access_keys(ctx, &user, &user_arn).await?;
        Ok(Some((user_arn, out)))
    })
    .await?;
    let mut key_edges = EdgeSink::new("iam:ListAccessKeys");
    for (user_arn, list) in keys {
        for k in list {
            key_edges.add(
                &user_arn,
                Some(&k.arn),
                EdgeKind::HasAccessKey,
                "AccessKeyMetadata.AccessKeyId",
            );
            batch.assets.push(k);
        }
    }
    batch.edges = edges.edges;
    batch.edges.extend(key_edges.edges);
    Ok(batch)
}

/// One user's access keys with their last use: ListAccessKeys, then
/// GetAccessKeyLastUsed per key (a user has at most two).
pub async fn access_keys(
    ctx: &Ctx,
    user: &str,
    user_arn: &str,
) -> Result<Vec<Asset>, CollectError> {
    let iam = &ctx.clients.iam;
    let keys = iam
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("iam:ListAccessKeys")?;
    let mut out = Vec::new();
    for k in keys {
        let Some(id) = k.access_key_id() else {
            continue;
        };
        let last = found(
            iam.get_access_key_last_used()
                .access_key_id(id)
                .send()
                .await
                .op("iam:GetAccessKeyLastUsed"),
        )?
        .and_then(|o| o.access_key_last_used);
        let mut a = global(
            ctx,
            &format!("{user_arn}/accesskey/{id}"),
            AssetType::IamAccessKey,
            id,
        );
        a.set("user_name", Some(json!(user)))
            .set("user_arn", Some(json!(user_arn)))
            .set("status", s(k.status().map(|s| s.as_str())))
            .set("create_date", ts(k.create_date()))
            .set(
                "last_used",
                ts(last.as_ref().and_then(|l| l.last_used_date())),
            )
            .set(
                "last_used_service",
                last.as_ref()
                    .map(|l| l.service_name())
                    .filter(|s| !s.is_empty() && *s != "N/A")
                    .map(|s| json!(s)),
            );
        out.push(a);
    }
    Ok(out)
}

/// One user's access keys as a batch: the keys and the user's
/// `has_access_key` edges to them.
pub async fn user_keys(ctx: &Ctx, user: &str, user_arn: &str) -> Result<Batch, CollectError> {
    let keys = access_keys(ctx, user, user_arn).await?;
    let mut edges = EdgeSink::new("iam:ListAccessKeys");
    for k in &keys {
        edges.add(
            user_arn,
            Some(&k.arn),
            EdgeKind::HasAccessKey,
            "AccessKeyMetadata.AccessKeyId",
        );
    }
    Ok(Batch {
        assets: keys,
        edges: edges.edges,
        coverage: Vec::new(),
    })
}

/// What an IAM call changed on a role or user, and so what to re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityPart {
    /// Attached managed policies (ListAttached{Role,User}Policies), and the
    /// documents of newly attached ones not yet known.
    Attached,
    /// One inline policy (Get{Role,User}Policy); gone when it was deleted.
    Inline(String),
    /// A role's trust policy and either's permission boundary (Get{Role,User}).
    Identity,
}

/// Re-reads `part` of a stored role or user: the batch holds the managed
/// policies it newly needs (attached, or a new boundary) that `known` does
/// not hold, read with GetPolicy and GetPolicyVersion, then the identity
/// itself; for [`IdentityPart::Attached`], its attachment edges too (the
/// caller drops the stored ones).
pub async fn refresh_identity(
    ctx: &Ctx,
    mut a: Asset,
    part: &IdentityPart,
    known: &BTreeSet<String>,
) -> Result<Batch, CollectError> {
    let iam = &ctx.clients.iam;
    let name = a.name.clone();
    let role = a.asset_type == AssetType::IamRole;
    let mut needed: Vec<String> = Vec::new();
    match part {
        IdentityPart::Attached => {
            let arns: Vec<String> = if role {
                iam.list_attached_role_policies()
                    .role_name(&name)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .op("iam:ListAttachedRolePolicies")?
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_owned))
                    .collect()
            } else {
                iam.list_attached_user_policies()
                    .user_name(&name)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .op("iam:ListAttachedUserPolicies")?
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_owned))
                    .collect()
            };
            needed.extend(arns.iter().cloned());
            a.set("attached_policies", Some(json!(arns)));
        }
        IdentityPart::Inline(policy) => {
            let doc = if role {
                found(
                    iam.get_role_policy()
                        .role_name(&name)
                        .policy_name(policy)
                        .send()
                        .await
                        .op("iam:GetRolePolicy"),
                )?
                .map(|o| policy_json(o.policy_document()))
            } else {
                found(
                    iam.get_user_policy()
                        .user_name(&name)
                        .policy_name(policy)
                        .send()
                        .await
                        .op("iam:GetUserPolicy"),
                )?
                .map(|o| policy_json(o.policy_document()))
            };
            let mut list: Vec<Value> = a
                .attributes
                .get("inline_policies")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            list.retain(|p| p.get("name").and_then(Value::as_str) != Some(policy.as_str()));
            if let Some(d) = doc {
                list.push(json!({"name": policy, "document": d}));
            }
            list.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
            a.set("inline_policies", Some(Value::Array(list)));
        }
        IdentityPart::Identity => {
            let (trust, boundary) = if role {
                let r = found(
                    iam.get_role()
                        .role_name(&name)
                        .send()
                        .await
                        .op("iam:GetRole"),
                )?
                .and_then(|o| o.role);
                (
                    r.as_ref()
                        .and_then(|r| r.assume_role_policy_document().map(policy_json)),
                    r.and_then(|r| {
                        r.permissions_boundary()
                            .and_then(|b| b.permissions_boundary_arn().map(str::to_owned))
                    }),
                )
            } else {
                let u = found(
                    iam.get_user()
                        .user_name(&name)
                        .send()
                        .await
                        .op("iam:GetUser"),
                )?
                .and_then(|o| o.user);
                (
                    None,
                    u.and_then(|u| {
                        u.permissions_boundary()
                            .and_then(|b| b.permissions_boundary_arn().map(str::to_owned))
                    }),
                )
            };
            if role {
                a.attributes.remove("trust_policy");
                a.set("trust_policy", trust);
            }
            a.attributes.remove("permissions_boundary");
            needed.extend(boundary.iter().cloned());
            a.set("permissions_boundary", boundary.map(Value::String));
        }
    }
    let mut batch = Batch::default();
    for arn in needed.into_iter().filter(|p| !known.contains(p)) {
        batch.assets.extend(managed_policy(ctx, &arn).await?);
    }
    if *part == IdentityPart::Attached {
        let call = if role {
            "iam:ListAttachedRolePolicies"
        } else {
            "iam:ListAttachedUserPolicies"
        };
        let mut edges = EdgeSink::new(call);
        for p in a.attached_policies() {
            edges.add(&a.arn, Some(p), EdgeKind::HasPolicy, "AttachedPolicies");
        }
        batch.edges = edges.edges;
    }
    batch.assets.push(a);
    Ok(batch)
}

/// One managed policy with its default version's document (GetPolicy and
/// GetPolicyVersion); `None` when it is gone.
pub async fn managed_policy(ctx: &Ctx, arn: &str) -> Result<Option<Asset>, CollectError> {
    let iam = &ctx.clients.iam;
    let Some(p) = found(
        iam.get_policy()
            .policy_arn(arn)
            .send()
            .await
            .op("iam:GetPolicy"),
    )?
    .and_then(|o| o.policy) else {
        return Ok(None);
    };
    let Some(version) = p.default_version_id() else {
        return Ok(None);
    };
    let doc = found(
        iam.get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .op("iam:GetPolicyVersion"),
    )?
    .and_then(|o| o.policy_version)
    .and_then(|v| v.document.map(|d| policy_json(&d)));
    let name = p.policy_name().unwrap_or_else(|| arn_tail(arn));
    let mut pa = global(ctx, arn, AssetType::IamPolicy, name);
    pa.set("document", doc)
        .set(
            "aws_managed",
            Some(Value::Bool(arn.contains(":iam::aws:policy/"))),
        )
        .set("default_version_id", Some(json!(version)));
    Ok(Some(pa))
}

/// `iam.authorization_details`: roles, users, groups, policies and access keys in one paginated call; its calls are re-read part by part by the event path (IAM identities are special: one call changes one part of one identity).
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "iam.authorization_details",
    Scope::Global,
    list_fn!(authorization_details),
);
