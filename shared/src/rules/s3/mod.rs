//! Data rules: the buckets that hold training, evaluation, RAG and model data.

pub mod ai_bucket_no_public_access_block;
pub mod ai_bucket_versioning_disabled;
pub mod ai_bucket_without_kms;
pub mod bucket_public_read;
pub mod bucket_public_write;
pub mod bucket_writable_outside_org;
pub mod scope;
pub mod vector_store_public;
pub mod vector_store_without_cmk;

use crate::model::{Asset, FindingEvidence, Inventory};
use crate::rules::Hit;

/// Object writes that let a principal plant or replace data.
pub(crate) const WRITE_ACTIONS: &[&str] = &["s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"];

/// Whether S3 Block Public Access setting `key` is on for the bucket: in its
/// own configuration or in its account's (s3control GetPublicAccessBlock,
/// `account_public_access_block`); S3 applies the most restrictive of the two.
pub(crate) fn pab_on(bucket: &Asset, key: &str) -> bool {
    ["public_access_block", "account_public_access_block"]
        .iter()
        .any(|level| {
            bucket
                .attributes
                .get(*level)
                .and_then(|p| p.get(key))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        })
}

/// Whether Block Public Access neutralises public policies on the bucket.
pub(crate) fn blocks_public_policy(bucket: &Asset) -> bool {
    pab_on(bucket, "restrict_public_buckets")
}

/// Whether Block Public Access makes public ACL grants ineffective.
pub(crate) fn ignores_public_acls(bucket: &Asset) -> bool {
    pab_on(bucket, "ignore_public_acls")
}

/// Whether the bucket's default encryption is SSE-KMS (or DSSE-KMS).
pub(crate) fn kms_encrypted(bucket: &Asset) -> bool {
    bucket
        .attributes
        .get("encryption")
        .and_then(|e| e.get("algorithm"))
        .and_then(|a| a.as_str())
        .is_some_and(|a| a.starts_with("aws:kms"))
}

/// Whether a field could not be read on this bucket.
pub(crate) fn unassessed(bucket: &Asset, field: &str) -> bool {
    bucket
        .attributes
        .get("unassessed")
        .is_some_and(|u| u.get(field).is_some())
}

/// ACL grants to everyone (AllUsers, or any AWS account via AuthenticatedUsers)
/// with one of `permissions`, as evidence; none when the ACL could not be read
/// or the public access block ignores public ACLs.
pub(crate) fn public_acl_grants(bucket: &Asset, permissions: &[&str]) -> Vec<FindingEvidence> {
    const PUBLIC_GROUPS: &[&str] = &[
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    ];
    if unassessed(bucket, "acl_grants") || ignores_public_acls(bucket) {
        return Vec::new();
    }
    let Some(serde_json::Value::Array(grants)) = bucket.attributes.get("acl_grants") else {
        return Vec::new();
    };
    grants
        .iter()
        .filter(|g| {
            let uri = g.get("uri").and_then(|v| v.as_str()).unwrap_or_default();
            let perm = g
                .get("permission")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            PUBLIC_GROUPS.contains(&uri) && permissions.contains(&perm)
        })
        .map(|g| FindingEvidence::new("s3:GetBucketAcl", "Grants", g.clone()))
        .collect()
}

/// What lets anyone do one of `actions` on the bucket, as evidence: each
/// public bucket-policy statement allowing one (unless Block Public Access
/// restricts public policies; none when the policy could not be read or
/// parsed), and each public ACL grant of one of `acl_permissions`.
pub(crate) fn public_grants(
    bucket: &Asset,
    actions: &[&str],
    acl_permissions: &[&str],
) -> Vec<FindingEvidence> {
    use crate::rules::policy::{parse, public_statements, statement_json};
    let mut evidence = Vec::new();
    if !unassessed(bucket, "policy")
        && !blocks_public_policy(bucket)
        && let Some(policy) = bucket
            .attributes
            .get("policy")
            .and_then(|d| parse(d, &bucket.arn))
    {
        for i in public_statements(&policy, &crate::iam::is_public(&policy), actions) {
            if let Some(st) = policy.statements.get(i) {
                evidence.push(FindingEvidence::new(
                    "s3:GetBucketPolicy",
                    &format!("Statement[{i}]"),
                    statement_json(st),
                ));
            }
        }
    }
    evidence.extend(public_acl_grants(bucket, acl_permissions));
    evidence
}

/// Closes a bucket's evidence with what puts it in AI scope, if anything
/// does (see `scope.rs`), and makes the hit.
pub(crate) fn hit_in_scope(
    bucket: &Asset,
    mut evidence: Vec<FindingEvidence>,
    scope: &scope::AiScope,
) -> Option<Hit> {
    if evidence.is_empty() {
        return None;
    }
    if let Some(why) = scope.get(&bucket.arn) {
        evidence.extend(why.evidence());
    }
    Some(Hit {
        resource_arn: bucket.arn.clone(),
        evidence,
    })
}

/// The AI assets that read from or write to this bucket (or log prompts to
/// it), by edge.
pub(crate) fn ai_users<'a>(inv: &'a Inventory, bucket_arn: &'a str) -> Vec<&'a str> {
    use crate::model::EdgeKind::*;
    let users: std::collections::BTreeSet<&str> = inv
        .edges_to(bucket_arn)
        .filter(|e| {
            matches!(
                e.kind,
                ReadsData | WritesData | DataSource | ArtifactIn | LogsTo
            )
        })
        .map(|e| e.from.as_str())
        .collect();
    users.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, EdgeKind, Evidence};

    #[test]
    fn a_job_that_reads_and_writes_a_bucket_is_named_once() {
        let mut inv = Inventory::default();
        for kind in [EdgeKind::ReadsData, EdgeKind::WritesData] {
            inv.edges.push(Edge::new(
                "arn:aws:sagemaker:us-east-1:1:processing-job/prep",
                "arn:aws:s3:::data",
                kind,
                Evidence::new("sagemaker:DescribeProcessingJob", "ProcessingInputs"),
            ));
        }
        assert_eq!(
            ai_users(&inv, "arn:aws:s3:::data"),
            ["arn:aws:sagemaker:us-east-1:1:processing-job/prep"]
        );
    }
}
