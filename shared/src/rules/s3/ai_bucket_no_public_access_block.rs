//! ## What it does
//! Flags S3 buckets in AI scope where S3 Block Public Access leaves any of its
//! four settings off: a setting counts as on when the bucket's configuration
//! or its account's (s3control GetPublicAccessBlock) turns it on, as S3
//! applies the most restrictive combination.
//!
//! AI scope (`scope.rs`): a bucket an AI workload reads or writes, a bucket
//! tagged `ai-data`, or a bucket an AI workload identity (a notebook's, job's,
//! model's, agent's or tool's role, a user whose access key can invoke
//! models) can read or write by its permissions; the evidence names the
//! edge, the tag, or the identity, action and resource pattern.
//!
//! ## Why is this bad?
//! The public access block is the guard against a future mistake: with it, a
//! careless policy or ACL cannot expose the data. AI data buckets are edited by
//! many pipelines and people.
//!
//! ## Example
//! No public access block; use instead all four settings true.
//!
//! ## Remediation
//! PutPublicAccessBlock with BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy
//! and RestrictPublicBuckets all true (and the same at account level).
//!
//! ## References
//! - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>

use super::scope::AiScope;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "s3_ai_bucket_no_public_access_block",
        title: "AI data bucket has no complete public access block",
        severity: Severity::Medium,
        rationale: "Without all four public access block settings, one policy or ACL edit makes training or RAG data public.",
        resource_types: &[AssetType::S3Bucket],
        collectors: &["s3.buckets", "s3.account_public_access_block"],
        remediation: "PutPublicAccessBlock with BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets all true (and the same at account level).",
        remediation_action: Some("s3_block_public_access"),
        exposure: false,
        owasp_llm: &["LLM02", "LLM04"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0020"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["S3.8"],
        needs: &[],
        covers: &["prowler:s3_bucket_level_public_access_block"],
    },
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    const SETTINGS: [&str; 4] = [
        "block_public_acls",
        "ignore_public_acls",
        "block_public_policy",
        "restrict_public_buckets",
    ];
    flag(inv, &[AssetType::S3Bucket], |b| {
        if super::unassessed(b, "public_access_block") {
            return Vec::new();
        }
        let Some(why) = scope.get(&b.arn) else {
            return Vec::new();
        };
        let pab = b.attributes.get("public_access_block");
        let off: Vec<&str> = SETTINGS
            .into_iter()
            .filter(|k| !super::pab_on(b, k))
            .collect();
        if off.is_empty() {
            return Vec::new();
        }
        vec![
            ev(
                "s3:GetPublicAccessBlock",
                "PublicAccessBlockConfiguration",
                pab.cloned().unwrap_or(serde_json::Value::Null),
            ),
            ev(
                "s3control:GetPublicAccessBlock",
                "PublicAccessBlockConfiguration",
                b.attributes
                    .get("account_public_access_block")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
            ),
            ev("aispm:rule", "settings_off", serde_json::json!(off)),
        ]
        .into_iter()
        .chain(why.evidence())
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn uses(b: &str) -> crate::model::Edge {
        crate::model::Edge::new(
            "arn:aws:sagemaker:us-east-1:1:training-job/t",
            b,
            crate::model::EdgeKind::ReadsData,
            crate::model::Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        )
    }

    #[test]
    fn flags_ai_buckets_without_a_full_block() {
        let all = json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true});
        let partial = json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": false, "restrict_public_buckets": true});
        let b = |name: &str, v: serde_json::Value| {
            asset(AssetType::S3Bucket, &format!("arn:aws:s3:::{name}"), v)
        };
        let mut i = inv(vec![
            b("full", json!({"public_access_block": all})),
            b("partial", json!({"public_access_block": partial})),
            b("none", json!({})),
            b(
                "unread",
                json!({"unassessed": {"public_access_block": {"reason": "access_denied"}}}),
            ),
        ]);
        for n in ["full", "partial", "none", "unread"] {
            i.edges.push(uses(&format!("arn:aws:s3:::{n}")));
        }
        assert_eq!(
            flagged(&RULE, &i),
            ["arn:aws:s3:::partial", "arn:aws:s3:::none"]
        );
    }

    #[test]
    fn the_account_level_block_counts_and_a_reachable_bucket_is_in_scope() {
        use crate::rules::identity::fixture::{role, used_by_endpoint};
        let mut i = used_by_endpoint(vec![role(
            "ds",
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        )]);
        let all = json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true});
        i.assets.push(asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::scratch",
            json!({}),
        ));
        i.assets.push(asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::blocked-by-account",
            json!({"account_public_access_block": all}),
        ));
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].resource_arn, "arn:aws:s3:::scratch");
        let why = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "reachable_by")
            .unwrap();
        assert_eq!(why.value[0]["action"], "s3:GetObject");
    }
}
