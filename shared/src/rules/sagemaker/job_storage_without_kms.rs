//! ## What it does
//! Flags training, processing and batch transform jobs that set no
//! `VolumeKmsKeyId` or no output `KmsKeyId`; the evidence names which is missing.
//!
//! ## Why is this bad?
//! The instance volumes hold the job's data while it runs and the output location
//! receives models and features. With a customer-managed key, reading them
//! requires kms:Decrypt that you grant and log.
//!
//! ## Example
//! A training job with `ResourceConfig.VolumeKmsKeyId` and
//! `OutputDataConfig.KmsKeyId` unset; use instead a customer key in both.
//!
//! ## Remediation
//! Run future jobs with `VolumeKmsKeyId` and output `KmsKeyId` set to a customer-
//! managed key; re-encrypt existing outputs by copying them with the key.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_storage_without_kms",
        title: "SageMaker job volumes or outputs are not encrypted with a customer KMS key",
        severity: Severity::High,
        rationale: "Job volumes and outputs hold training data, features and model artifacts; without a customer key you cannot restrict or audit their decryption.",
        resource_types: &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerProcessingJob,
            AssetType::SagemakerTransformJob,
        ],
        collectors: &[
            "sagemaker.training_jobs",
            "sagemaker.processing_jobs",
            "sagemaker.transform_jobs",
        ],
        remediation: "Run future jobs with `VolumeKmsKeyId` and output `KmsKeyId` set to a customer-managed key; re-encrypt existing outputs by copying them with the key.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["volume_kms_key_id"],
        covers: &[
            "prowler:sagemaker_training_jobs_volume_and_output_encryption_enabled",
            "aws-ai-ml-assessment:SM-17",
            "aws-ai-ml-assessment:SM-18",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerProcessingJob,
            AssetType::SagemakerTransformJob,
        ],
        |j| {
            let call = super::describe_call(j.asset_type);
            [
                ("volume_kms_key_id", "VolumeKmsKeyId"),
                ("output_kms_key_id", "OutputKmsKeyId"),
            ]
            .into_iter()
            .filter(|(key, _)| j.str_attr(key).is_none() && !j.is_unreported(key))
            .map(|(_, field)| ev(call, field, serde_json::Value::Null))
            .collect()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_jobs_missing_either_key() {
        let none = asset(AssetType::SagemakerTrainingJob, "arn:j/none", json!({}));
        let half = asset(
            AssetType::SagemakerProcessingJob,
            "arn:j/half",
            json!({"volume_kms_key_id": "k"}),
        );
        let both = asset(
            AssetType::SagemakerTransformJob,
            "arn:j/both",
            json!({"volume_kms_key_id": "k", "output_kms_key_id": "k"}),
        );
        assert_eq!(
            flagged(&RULE, &inv(vec![none, half, both])),
            ["arn:j/none", "arn:j/half"]
        );
        let hits = RULE.hits(
            &inv(vec![asset(
                AssetType::SagemakerProcessingJob,
                "arn:j/half",
                json!({"volume_kms_key_id": "k"}),
            )]),
            &RuleConfig::default(),
        );
        assert_eq!(hits[0].evidence.len(), 1);
        assert_eq!(hits[0].evidence[0].field, "OutputKmsKeyId");
        let unreported = asset(
            AssetType::SagemakerProcessingJob,
            "arn:j/unreported",
            json!({"output_kms_key_id": "k", "unreported": ["volume_kms_key_id"]}),
        );
        assert!(
            flagged(&RULE, &inv(vec![unreported])).is_empty(),
            "an unreported volume key is a gap, not a finding"
        );
    }
}
