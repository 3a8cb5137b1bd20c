//! ## What it does
//! Flags Bedrock batch inference jobs whose output (the model's answers to
//! every record) is written without `s3EncryptionKeyId`.
//!
//! ## Why is this bad?
//! A batch job's output holds the model's answers to a whole data set, often
//! customer records run through a model in bulk. Without a customer key on the
//! output, anyone with read access to the bucket reads them, and their use
//! cannot be restricted or audited through the key.
//!
//! ## Example
//! `outputDataConfig.s3OutputDataConfig` without `s3EncryptionKeyId`; use
//! instead a customer managed key the job's role may use.
//!
//! ## Remediation
//! Submit future jobs (CreateModelInvocationJob) with
//! `outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId` naming a customer
//! managed key, and re-encrypt the outputs already written.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_batch_inference_output_without_cmk",
        title: "Bedrock batch inference output is not encrypted with a customer KMS key",
        severity: Severity::Medium,
        rationale: "Batch outputs hold a model's answers over whole data sets; without a customer key nobody can restrict or audit who decrypts them.",
        resource_types: &[AssetType::BedrockBatchInferenceJob],
        collectors: &["bedrock.batch_inference_jobs"],
        remediation: "Submit future batch jobs with `outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId` naming a customer managed key, and re-encrypt the outputs already written.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-31"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::BedrockBatchInferenceJob,
        "output_kms_key_id",
        "bedrock:ListModelInvocationJobs",
        "outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_jobs_whose_output_has_no_customer_key_only() {
        let bare = asset(AssetType::BedrockBatchInferenceJob, "arn:j/bare", json!({}));
        let keyed = asset(
            AssetType::BedrockBatchInferenceJob,
            "arn:j/keyed",
            json!({"output_kms_key_id": "arn:aws:kms:us-east-1:1:key/k"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![bare, keyed])), ["arn:j/bare"]);
    }
}
