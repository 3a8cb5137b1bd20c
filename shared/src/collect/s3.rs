//! S3 buckets, listed once per account and read in their own region. Attribute
//! keys: `policy` (JSON), `acl_grants`, `public_access_block` (object, absent
//! when none is set), `versioning` (`Enabled`, `Suspended` or `Off`),
//! `encryption` (object, absent when none), `unassessed` (field → reason, for
//! reads that failed on this one bucket).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::spec::{ResourceSpec, list_fn};
use super::util::{describe_each, found, plain_policy_json, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt, s3_client};
use crate::model::{AssetType, Coverage};

/// The region a bucket lives in, from GetBucketLocation's constraint.
fn region_of(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(r) => r.to_owned(),
    }
}

/// Per-bucket reads: a failure on one of them marks that field unassessed on
/// that bucket rather than failing every bucket in the account.
struct Reads {
    unassessed: Map<String, Value>,
    failures: Vec<(String, CollectError)>,
}

impl Reads {
    fn take<T>(&mut self, field: &str, r: Result<T, CollectError>) -> Option<T> {
        match found(r) {
            Ok(v) => v,
            Err(e) => {
                self.unassessed.insert(
                    field.to_owned(),
                    json!({"reason": e.reason.as_str(), "detail": e.to_string()}),
                );
                self.failures.push((field.to_owned(), e));
                None
            }
        }
    }
}

/// Every bucket with policy, ACL, public access block, versioning, encryption
/// and tags.
pub async fn buckets(ctx: &Ctx) -> Result<Batch, CollectError> {
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let out = ctx
            .clients
            .s3
            .list_buckets()
            .set_continuation_token(token)
            .send()
            .await
            .op("s3:ListBuckets")?;
        for b in out.buckets() {
            if let Some(name) = b.name() {
                listed.push((
                    name.to_owned(),
                    b.bucket_region().map(str::to_owned),
                    ts(b.creation_date()),
                ));
            }
        }
        token = out.continuation_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    // The account's block matters only where there are buckets; it is read
    // beside them, not after.
    let has_buckets = !listed.is_empty();
    let account_block = async {
        if !has_buckets {
            return Ok(None);
        }
        account_public_access_block(ctx).await.map(Some)
    };
    let home = ctx.clients.s3.clone();
    let described = describe_each(listed, |(name, region, created)| {
        let home = home.clone();
        async move {
            let region = match region {
                Some(r) => r,
                None => {
                    let loc = home
                        .get_bucket_location()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetBucketLocation");
                    match found(loc)? {
                        Some(l) => region_of(l.location_constraint().map(|c| c.as_str())),
                        None => return Ok(None),
                    }
                }
            };
            let mut a = crate::model::Asset::new(
                format!("arn:{}:s3:::{name}", ctx.partition),
                AssetType::S3Bucket,
                &name,
                &ctx.account_id,
                &region,
            );
            a.set("creation_time", created);
            read_fields(ctx, a, Field::ALL).await.map(Some)
        }
    });
    let (described, account_block) = futures::join!(described, account_block);
    let described = described?;
    let mut batch = Batch::default();
    let account_block = match account_block {
        Ok(block) => block,
        Err(e) => {
            // Each bucket is then judged on its own block alone: never more
            // protected than it may be.
            batch.coverage.push(Coverage::not_assessed(
                &ctx.account_id,
                &ctx.region,
                "s3.account_public_access_block",
                e.reason,
                e.to_string(),
            ));
            None
        }
    };
    for (mut asset, coverage) in described {
        if let Some(block) = &account_block {
            asset.set("account_public_access_block", Some(block.clone()));
        }
        batch.assets.push(asset);
        batch.coverage.extend(coverage);
    }
    Ok(batch)
}

/// The account's S3 Block Public Access settings (s3control
/// GetPublicAccessBlock), which S3 applies on top of each bucket's own; an
/// account that never set them has all four off.
pub async fn account_public_access_block(ctx: &Ctx) -> Result<Value, CollectError> {
    let out = found(
        ctx.clients
            .s3control
            .get_public_access_block()
            .account_id(&ctx.account_id)
            .send()
            .await
            .op("s3:GetAccountPublicAccessBlock"),
    )?;
    let c = out
        .as_ref()
        .and_then(|o| o.public_access_block_configuration());
    let on = |v: Option<bool>| Value::Bool(v.unwrap_or(false));
    Ok(json!({
        "block_public_acls": on(c.and_then(|c| c.block_public_acls())),
        "ignore_public_acls": on(c.and_then(|c| c.ignore_public_acls())),
        "block_public_policy": on(c.and_then(|c| c.block_public_policy())),
        "restrict_public_buckets": on(c.and_then(|c| c.restrict_public_buckets())),
    }))
}

/// The per-bucket reads, each one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// GetBucketPolicy → `policy`.
    Policy,
    /// GetBucketAcl → `acl_grants`.
    Acl,
    /// GetPublicAccessBlock → `public_access_block`.
    PublicAccessBlock,
    /// GetBucketVersioning → `versioning`.
    Versioning,
    /// GetBucketEncryption → `encryption`, `encrypted`.
    Encryption,
    /// GetBucketTagging → tags.
    Tags,
}

impl Field {
    /// Every field, as a sweep reads them.
    pub const ALL: &'static [Field] = &[
        Field::Policy,
        Field::Acl,
        Field::PublicAccessBlock,
        Field::Versioning,
        Field::Encryption,
        Field::Tags,
    ];

    /// What bucket creation can set (its policy and tags arrive with their
    /// own events): one request each.
    pub const CREATED: &'static [Field] = &[
        Field::Acl,
        Field::PublicAccessBlock,
        Field::Versioning,
        Field::Encryption,
    ];

    fn key(self) -> &'static str {
        match self {
            Field::Policy => "policy",
            Field::Acl => "acl_grants",
            Field::PublicAccessBlock => "public_access_block",
            Field::Versioning => "versioning",
            Field::Encryption => "encryption",
            Field::Tags => "tags",
        }
    }
}

/// Whether a bucket still exists (s3:GetBucketLocation, which the scanner
/// role may call; HeadBucket would need s3:ListBucket, an object listing).
pub async fn exists(ctx: &Ctx, name: &str) -> Result<bool, CollectError> {
    Ok(found(
        ctx.clients
            .s3
            .get_bucket_location()
            .bucket(name)
            .send()
            .await
            .op("s3:GetBucketLocation"),
    )?
    .is_some())
}

/// Reads `fields` of the bucket `a` describes (in its region) into it,
/// replacing what it held for them. A read that fails marks that field
/// unassessed on the bucket and adds a coverage record; the others still
/// count. Used by the sweep (every field) and by event triggers (the fields
/// an API call changed).
pub async fn read_fields(
    ctx: &Ctx,
    mut a: crate::model::Asset,
    fields: &[Field],
) -> Result<(crate::model::Asset, Vec<Coverage>), CollectError> {
    let name = a.name.clone();
    let region = a.region.clone();
    let s3 = s3_client(&ctx.sdk, &region, &ctx.counter);
    let mut reads = Reads {
        unassessed: a
            .attributes
            .remove("unassessed")
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default(),
        failures: Vec::new(),
    };
    for f in fields {
        reads.unassessed.remove(f.key());
        match f {
            Field::Tags => {}
            Field::Encryption => {
                a.attributes.remove("encryption");
                a.attributes.remove("encrypted");
            }
            other => {
                a.attributes.remove(other.key());
            }
        }
    }
    for f in fields {
        match f {
            Field::Policy => {
                let policy = reads
                    .take(
                        "policy",
                        s3.get_bucket_policy()
                            .bucket(&name)
                            .send()
                            .await
                            .op("s3:GetBucketPolicy"),
                    )
                    .and_then(|p| p.policy)
                    .map(|p| plain_policy_json(&p));
                a.set("policy", policy);
            }
            Field::Acl => {
                let acl = reads.take(
                    "acl_grants",
                    s3.get_bucket_acl()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetBucketAcl"),
                );
                let grants: Option<Vec<Value>> = acl.map(|acl| {
                    acl.grants()
                        .iter()
                        .map(|g| {
                            let grantee = g.grantee();
                            json!({
                                "type": grantee.map(|x| x.r#type().as_str()),
                                "uri": grantee.and_then(|x| x.uri()),
                                "id": grantee.and_then(|x| x.id()),
                                "permission": g.permission().map(|p| p.as_str()),
                            })
                        })
                        .collect()
                });
                a.set("acl_grants", grants.map(Value::Array));
            }
            Field::PublicAccessBlock => {
                let pab = reads.take(
                    "public_access_block",
                    s3.get_public_access_block()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetPublicAccessBlock"),
                );
                a.set(
                    "public_access_block",
                    pab.and_then(|p| p.public_access_block_configuration).map(|c| {
                        json!({
                            "block_public_acls": c.block_public_acls().unwrap_or(false),
                            "ignore_public_acls": c.ignore_public_acls().unwrap_or(false),
                            "block_public_policy": c.block_public_policy().unwrap_or(false),
                            "restrict_public_buckets": c.restrict_public_buckets().unwrap_or(false),
                        })
                    }),
                );
            }
            Field::Versioning => {
                let versioning = reads.take(
                    "versioning",
                    s3.get_bucket_versioning()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetBucketVersioning"),
                );
                if !reads.unassessed.contains_key("versioning") {
                    let status = versioning
                        .as_ref()
                        .and_then(|v| v.status())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_else(|| "Off".to_owned());
                    a.set("versioning", Some(Value::String(status)));
                }
            }
            Field::Encryption => {
                let encryption = reads.take(
                    "encryption",
                    s3.get_bucket_encryption()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetBucketEncryption"),
                );
                if !reads.unassessed.contains_key("encryption") {
                    let rule = encryption
                        .as_ref()
                        .and_then(|e| e.server_side_encryption_configuration())
                        .and_then(|c| c.rules().first())
                        .and_then(|r| {
                            r.apply_server_side_encryption_by_default().map(|d| {
                                json!({
                                    "algorithm": d.sse_algorithm().as_str(),
                                    "kms_key_id": d.kms_master_key_id(),
                                    "bucket_key": r.bucket_key_enabled(),
                                })
                            })
                        });
                    a.set("encryption", rule);
                    a.set(
                        "encrypted",
                        Some(Value::Bool(a.attributes.contains_key("encryption"))),
                    );
                }
            }
            Field::Tags => {
                let tags = reads.take(
                    "tags",
                    s3.get_bucket_tagging()
                        .bucket(&name)
                        .send()
                        .await
                        .op("s3:GetBucketTagging"),
                );
                a.tags = tags
                    .map(|t| {
                        t.tag_set()
                            .iter()
                            .map(|t| (t.key().to_owned(), t.value().to_owned()))
                            .collect::<BTreeMap<_, _>>()
                    })
                    .unwrap_or_default();
            }
        }
    }
    let coverage: Vec<Coverage> = reads
        .failures
        .into_iter()
        .map(|(field, e)| {
            Coverage::not_assessed(
                &ctx.account_id,
                &region,
                &format!("s3.buckets.{field}"),
                e.reason,
                format!("{name}: {e}"),
            )
        })
        .collect();
    if !reads.unassessed.is_empty() {
        a.set("unassessed", Some(Value::Object(reads.unassessed)));
    }
    Ok((a, coverage))
}

/// `s3.buckets`: every bucket with the fields the data rules read; a bucket call re-reads only the fields it changed (the event path's special case).
pub const SPEC: ResourceSpec = ResourceSpec::listed("s3.buckets", Scope::Global, list_fn!(buckets));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraint_to_region() {
        assert_eq!(region_of(None), "us-east-1");
        assert_eq!(region_of(Some("")), "us-east-1");
        assert_eq!(region_of(Some("EU")), "eu-west-1");
        assert_eq!(region_of(Some("eu-west-1")), "eu-west-1");
    }
}
