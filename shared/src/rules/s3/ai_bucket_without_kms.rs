//! ## What it does
//! Flags S3 buckets in AI scope whose default encryption is missing or
//! SSE-S3 (`AES256`) rather than SSE-KMS.
//!
//! AI scope (`scope.rs`): a bucket an AI workload reads or writes, a bucket
//! tagged `ai-data`, or a bucket an AI workload identity (a notebook's, job's,
//! model's, agent's or tool's role, a user whose access key can invoke
//! models) can read or write by its permissions; the evidence names the
//! edge, the tag, or the identity, action and resource pattern.
//!
//! ## Why is this bad?
//! Training sets, RAG corpora, model artifacts and prompt logs are the crown
//! jewels of an AI estate. SSE-KMS makes every read also need kms:Decrypt on a
//! key whose policy and CloudTrail log you own.
//!
//! ## Example
//! `SSEAlgorithm=AES256`; use instead `aws:kms` with a customer-managed key and
//! S3 Bucket Keys.
//!
//! ## Remediation
//! Set default encryption to SSE-KMS with a customer key (PutBucketEncryption)
//! and re-encrypt existing objects with S3 Batch Operations copy.
//!
//! ## References
//! - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html>

use super::scope::AiScope;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "s3_ai_bucket_without_kms",
        title: "AI data bucket is not encrypted with a KMS key",
        severity: Severity::Medium,
        rationale: "With SSE-S3 or no default encryption, anyone with s3:GetObject reads the data; SSE-KMS adds a key you control and audit.",
        resource_types: &[AssetType::S3Bucket],
        collectors: &["s3.buckets"],
        remediation: "Set default encryption to SSE-KMS with a customer key (PutBucketEncryption) and re-encrypt existing objects with S3 Batch Operations copy.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["S3.17"],
        needs: &[],
        covers: &[
            "prowler:s3_bucket_default_encryption",
            "prowler:s3_bucket_kms_encryption",
        ],
    },
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    flag(inv, &[AssetType::S3Bucket], |b| {
        if b.bool_attr("encrypted").is_none() || super::kms_encrypted(b) {
            return Vec::new();
        }
        let Some(why) = scope.get(&b.arn) else {
            return Vec::new();
        };
        let algorithm = b
            .attributes
            .get("encryption")
            .and_then(|e| e.get("algorithm"))
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        vec![ev("s3:GetBucketEncryption", "SSEAlgorithm", algorithm)]
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
    fn flags_ai_buckets_without_kms_only() {
        let b = |name: &str, v: serde_json::Value| {
            asset(AssetType::S3Bucket, &format!("arn:aws:s3:::{name}"), v)
        };
        let mut i = inv(vec![
            b(
                "sse-s3",
                json!({"encrypted": true, "encryption": {"algorithm": "AES256"}}),
            ),
            b(
                "kms",
                json!({"encrypted": true, "encryption": {"algorithm": "aws:kms"}}),
            ),
            b("none", json!({"encrypted": false})),
            b("unread", json!({})),
        ]);
        for n in ["sse-s3", "kms", "none", "unread"] {
            i.edges.push(uses(&format!("arn:aws:s3:::{n}")));
        }
        assert_eq!(
            flagged(&RULE, &i),
            ["arn:aws:s3:::sse-s3", "arn:aws:s3:::none"]
        );
    }
}
