//! ## What it does
//! Flags S3 buckets whose objects anyone on the internet can read: a bucket policy
//! that allows `s3:GetObject` to `*` with no restricting condition, or an ACL
//! grant to AllUsers / AuthenticatedUsers, not neutralised by the bucket's public
//! access block.
//!
//! ## Why is this bad?
//! Training, evaluation, RAG and model-artifact data is the model: reading it
//! leaks customer records, lets attackers copy proprietary models, and shows
//! them what to poison.
//!
//! ## Example
//! `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::support-rag-docs/*"}`
//!
//! Use instead: grant the reading roles by ARN, or add `aws:PrincipalOrgID`,
//! and turn on the bucket's public access block.
//!
//! ## Remediation
//! Remove the public statement or grant, then enable all four public access
//! block settings.
//!
//! ## References
//! - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>

use super::scope::AiScope;
use super::{hit_in_scope, public_grants};
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

const META: RuleMeta = RuleMeta {
    id: "s3_bucket_public_read",
    title: "S3 bucket readable by anyone",
    severity: Severity::High,
    rationale: "Public read on AI data leaks training and retrieval data and model artifacts.",
    resource_types: &[AssetType::S3Bucket],
    collectors: &["s3.buckets", "s3.account_public_access_block"],
    remediation: "Remove the statement or ACL grant that allows anonymous reads and enable S3 Block Public Access on the bucket.",
    remediation_action: Some("s3_block_public_access"),
    exposure: true,
    owasp_llm: &["LLM02", "LLM04"],
    owasp_agentic: &[],
    mitre_atlas: &["AML.T0035", "AML.T0036"],
    nist_ai_rmf: &[NistAiRmf::Manage],
    aws_security_hub: &["S3.2", "S3.8"],
    needs: &["policy"],
    covers: &["aws-ai-ml-assessment:s3_public_buckets"],
};

/// The rule.
pub const RULE: Rule = Rule {
    meta: META,
    evaluate: Evaluate::DataScope(evaluate),
};

const READ_ACTIONS: &[&str] = &["s3:GetObject", "s3:GetObjectVersion"];

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    of_type(inv, AssetType::S3Bucket)
        .filter_map(|b| {
            hit_in_scope(
                b,
                public_grants(b, READ_ACTIONS, &["READ", "FULL_CONTROL"]),
                scope,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    fn bucket(attrs: serde_json::Value) -> crate::model::Asset {
        asset(AssetType::S3Bucket, "arn:aws:s3:::support-rag-docs", attrs)
    }

    #[test]
    fn flags_anonymous_get_object() {
        let b = bucket(
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::support-rag-docs/*"}]}}),
        );
        let hits = RULE.hits(&inv(vec![b]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence[0].field, "Statement[0]");
    }

    #[test]
    fn flags_all_users_acl() {
        let b = bucket(
            json!({"acl_grants": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}),
        );
        assert_eq!(RULE.hits(&inv(vec![b]), &RuleConfig::default()).len(), 1);
    }

    #[test]
    fn org_restricted_or_blocked_is_not_public() {
        let restricted = bucket(
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}]}}),
        );
        assert!(
            RULE.hits(&inv(vec![restricted]), &RuleConfig::default())
                .is_empty()
        );
        let blocked = bucket(json!({
            "policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]},
            "public_access_block": {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}
        }));
        assert!(
            RULE.hits(&inv(vec![blocked]), &RuleConfig::default())
                .is_empty()
        );
    }

    #[test]
    fn unreadable_policy_is_not_evaluated() {
        let b = bucket(json!({
            "policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]},
            "unassessed": {"policy": {"reason": "access_denied"}}
        }));
        assert!(RULE.hits(&inv(vec![b]), &RuleConfig::default()).is_empty());
    }
}
