//! ## What it does
//! Flags OpenSearch Serverless collections encrypted with an AWS-owned key and S3
//! Vectors buckets not using SSE-KMS.
//!
//! ## Why is this bad?
//! A vector index is a compressed copy of your knowledge base. With a customer-
//! managed key you can restrict who decrypts it and see every use in CloudTrail.
//!
//! ## Example
//! An encryption policy with `AWSOwnedKey: true`; use instead `KmsARN=<customer
//! key>`.
//!
//! ## Remediation
//! Recreate the collection (or vector bucket) with a customer-managed KMS key and
//! re-ingest the knowledge base.
//!
//! ## References
//! - <https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-encryption.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "s3_vector_store_without_cmk",
        title: "Vector store is encrypted with an AWS-owned key",
        severity: Severity::Medium,
        rationale: "Embeddings can be inverted to recover text; an AWS-owned key gives you no control or audit of their decryption.",
        resource_types: &[
            AssetType::OpensearchServerlessCollection,
            AssetType::S3VectorBucket,
        ],
        collectors: &[
            "opensearch_serverless.collections",
            "s3vectors.vector_buckets",
        ],
        remediation: "Recreate the collection (or vector bucket) with a customer-managed KMS key and re-ingest the knowledge base.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM08", "LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-20"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[
            AssetType::OpensearchServerlessCollection,
            AssetType::S3VectorBucket,
        ],
        |v| match v.asset_type {
            AssetType::OpensearchServerlessCollection
                if v.bool_attr("aws_owned_key") == Some(true) =>
            {
                vec![ev("aoss:GetSecurityPolicy", "encryption.AWSOwnedKey", true)]
            }
            AssetType::S3VectorBucket => match v.str_attr("sse_type") {
                Some(t) if t != "aws:kms" => vec![ev(
                    "s3vectors:GetVectorBucket",
                    "encryptionConfiguration.sseType",
                    t,
                )],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_aws_owned_keys_only() {
        let i = inv(vec![
            asset(
                AssetType::OpensearchServerlessCollection,
                "arn:c/owned",
                json!({"aws_owned_key": true}),
            ),
            asset(
                AssetType::OpensearchServerlessCollection,
                "arn:c/cmk",
                json!({"aws_owned_key": false, "kms_key_arn": "k"}),
            ),
            asset(
                AssetType::S3VectorBucket,
                "arn:v/aes",
                json!({"sse_type": "AES256"}),
            ),
            asset(
                AssetType::S3VectorBucket,
                "arn:v/kms",
                json!({"sse_type": "aws:kms"}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:c/owned", "arn:v/aes"]);
    }
}
