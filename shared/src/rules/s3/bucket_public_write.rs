//! ## What it does
//! Flags S3 buckets that anyone can write to: a bucket-policy statement
//! allowing `s3:PutObject` (or `s3:DeleteObject`, `s3:PutObjectAcl`, through
//! `s3:*`, `*`, `s3:Put*`, `NotAction`) to `*` with no condition that
//! restricts who (organization, account, VPC endpoint, source IP), or an ACL
//! granting WRITE to AllUsers or AuthenticatedUsers (any AWS account), unless
//! S3 Block Public Access neutralises it. A bucket one named outside account
//! can write is `s3_bucket_writable_outside_org`'s.
//!
//! ## Why is this bad?
//! Anyone on the internet can replace training or retrieval data, plant
//! documents a knowledge base will serve, or delete what is there (OWASP
//! LLM04, data poisoning). Any bucket an AI workload or its role can reach
//! is a poisoning target in waiting.
//!
//! ## Example
//! `{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::scratch/*"}`
//!
//! Use instead: writers named by role, and S3 Block Public Access on.
//!
//! ## Remediation
//! Remove the statement or ACL grant, and enable S3 Block Public Access on the
//! bucket and the account.
//!
//! ## References
//! - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>
//! - <https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/>

use super::scope::AiScope;
use super::{WRITE_ACTIONS, hit_in_scope, public_grants};
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

const META: RuleMeta = RuleMeta {
    id: "s3_bucket_public_write",
    title: "S3 bucket writable by anyone",
    severity: Severity::Critical,
    rationale: "Anonymous write access lets anyone replace or plant the data models learn from and retrieve.",
    resource_types: &[AssetType::S3Bucket],
    collectors: &["s3.buckets", "s3.account_public_access_block"],
    remediation: "Remove the bucket-policy statement or ACL grant that lets anyone write, and enable S3 Block Public Access on the bucket and the account.",
    remediation_action: Some("s3_remove_foreign_write"),
    exposure: true,
    owasp_llm: &["LLM04"],
    owasp_agentic: &["ASI06"],
    mitre_atlas: &["AML.T0020", "AML.T0070"],
    nist_ai_rmf: &[NistAiRmf::Manage, NistAiRmf::Measure],
    aws_security_hub: &["S3.3"],
    needs: &["policy"],
    covers: &["prowler:s3_bucket_policy_public_write_access"],
};

/// The rule.
pub const RULE: Rule = Rule {
    meta: META,
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    of_type(inv, AssetType::S3Bucket)
        .filter_map(|b| {
            hit_in_scope(
                b,
                public_grants(b, WRITE_ACTIONS, &["WRITE", "FULL_CONTROL"]),
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
        asset(AssetType::S3Bucket, "arn:aws:s3:::ds-scratch", attrs)
    }

    #[test]
    fn anonymous_write_by_policy_or_acl_is_flagged() {
        let policy = bucket(json!({"policy": {"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::ds-scratch/*"}]}}));
        let hits = RULE.hits(&inv(vec![policy]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence[0].field, "Statement[0]");
        let acl = bucket(json!({"acl_grants": [
            {"uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "WRITE"}]}));
        assert_eq!(RULE.hits(&inv(vec![acl]), &RuleConfig::default()).len(), 1);
    }

    #[test]
    fn named_accounts_conditions_reads_and_blocks_are_not_public_write() {
        let cases = [
            // One named outside account: the outside-org rule's.
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:PutObject", "Resource": "*"}]}}),
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-aispm123"}}}]}}),
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}}),
            json!({"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}]},
                "public_access_block": {"block_public_policy": true, "restrict_public_buckets": true}}),
            json!({"acl_grants": [{"uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "WRITE"}],
                "public_access_block": {"ignore_public_acls": true}}),
        ];
        for attrs in cases {
            let hits = RULE.hits(&inv(vec![bucket(attrs.clone())]), &RuleConfig::default());
            assert!(hits.is_empty(), "{attrs}");
        }
    }
}
