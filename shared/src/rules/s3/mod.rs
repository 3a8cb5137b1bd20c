//! Data rules: the buckets that hold training, evaluation, RAG and model data.

pub mod bucket_public_read;
pub mod bucket_writable_outside_org;

use crate::model::{Asset, Inventory};

/// Whether the bucket's public access block neutralises public policies.
pub(crate) fn blocks_public_policy(bucket: &Asset) -> bool {
    bucket
        .attributes
        .get("public_access_block")
        .is_some_and(|p| p.get("restrict_public_buckets").and_then(|v| v.as_bool()) == Some(true))
}

/// Whether the bucket's public access block makes ACL grants ineffective.
pub(crate) fn ignores_public_acls(bucket: &Asset) -> bool {
    bucket
        .attributes
        .get("public_access_block")
        .is_some_and(|p| p.get("ignore_public_acls").and_then(|v| v.as_bool()) == Some(true))
}

/// Whether a field could not be read on this bucket.
pub(crate) fn unassessed(bucket: &Asset, field: &str) -> bool {
    bucket
        .attributes
        .get("unassessed")
        .is_some_and(|u| u.get(field).is_some())
}

/// The AI assets that read from or write to this bucket, by edge.
pub(crate) fn ai_users<'a>(inv: &'a Inventory, bucket_arn: &'a str) -> Vec<&'a str> {
    use crate::model::EdgeKind::*;
    inv.edges_to(bucket_arn)
        .filter(|e| matches!(e.kind, ReadsData | WritesData | DataSource | ArtifactIn))
        .map(|e| e.from.as_str())
        .collect()
}
