//! ## What it does
//! Flags regions whose model invocation logs go to an S3 bucket (in the
//! inventory) whose default encryption is not SSE-KMS. The CloudWatch Logs
//! destination's key is not read yet; the evidence names the log group so it can
//! be checked.
//!
//! ## Why is this bad?
//! Prompts carry customer data and secrets pasted by users. With SSE-KMS, reading
//! the logs also needs kms:Decrypt on a key you control and audit.
//!
//! ## Example
//! Logs to a bucket with SSE-S3 only; use instead default encryption `aws:kms`
//! with a customer key.
//!
//! ## Remediation
//! Set the log bucket's default encryption to SSE-KMS with a customer-managed key
//! (and encrypt the log group with KMS).
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_invocation_logs_unencrypted",
        title: "Bedrock invocation logs are stored without a KMS key",
        severity: Severity::High,
        rationale: "Invocation logs hold every prompt and completion; a bucket without KMS encryption exposes them to anyone who can read the bucket.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &["bedrock.invocation_logging", "s3.buckets"],
        remediation: "Set the log bucket's default encryption to SSE-KMS with a customer-managed key (and encrypt the log group with KMS).",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0057"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_model_invocation_logs_encryption_enabled",
            "aws-ai-ml-assessment:BR-12",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockInvocationLogging], |l| {
        let Some(bucket) = l.str_attr("s3_bucket") else {
            return Vec::new();
        };
        let Some(b) = inv.asset(&format!("arn:aws:s3:::{bucket}")) else {
            return Vec::new();
        };
        if b.bool_attr("encrypted").is_none() || crate::rules::s3::kms_encrypted(b) {
            return Vec::new();
        }
        let algorithm = b
            .attributes
            .get("encryption")
            .and_then(|e| e.get("algorithm"))
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let mut out = vec![
            ev(
                "bedrock:GetModelInvocationLoggingConfiguration",
                "loggingConfig.s3Config.bucketName",
                bucket,
            ),
            ev("s3:GetBucketEncryption", "SSEAlgorithm", algorithm),
        ];
        if let Some(g) = l.str_attr("log_group") {
            out.push(ev(
                "bedrock:GetModelInvocationLoggingConfiguration",
                "loggingConfig.cloudWatchConfig.logGroupName",
                g,
            ));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_logs_in_buckets_without_kms_only() {
        let log = |arn: &str, bucket: &str| {
            asset(
                AssetType::BedrockInvocationLogging,
                arn,
                json!({"enabled": true, "s3_bucket": bucket}),
            )
        };
        let bucket = |name: &str, alg: &str| {
            asset(
                AssetType::S3Bucket,
                &format!("arn:aws:s3:::{name}"),
                json!({"encrypted": true, "encryption": {"algorithm": alg}}),
            )
        };
        let i = inv(vec![
            log("arn:l/plain", "plain"),
            log("arn:l/kms", "kms"),
            log("arn:l/elsewhere", "not-in-inventory"),
            bucket("plain", "AES256"),
            bucket("kms", "aws:kms"),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:l/plain"]);
    }
}
