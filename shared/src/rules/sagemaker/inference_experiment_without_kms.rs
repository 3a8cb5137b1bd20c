//! ## What it does
//! Flags SageMaker inference experiments (shadow tests) with no customer KMS
//! key for the hosting instances' storage volumes (`KmsKey`), or that
//! capture requests and answers to S3 without one
//! (`DataStorageConfig.KmsKey`); the evidence says which.
//!
//! ## Why is this bad?
//! A shadow test copies production traffic to a new model variant: the
//! same customer inputs, the variant's answers, often captured to S3 for
//! comparison. Without a customer key that copy is outside the controls
//! the production endpoint has, and nobody can revoke or audit access to it.
//!
//! ## Example
//! `CreateInferenceExperiment` with `DataStorageConfig.Destination` and no
//! `KmsKey`; use instead a customer key for both the volumes and the capture.
//!
//! ## Remediation
//! Stop the experiment and create it again with `KmsKey` and
//! `DataStorageConfig.KmsKey` naming a customer managed key (an experiment's
//! keys cannot be changed); re-encrypt or delete what it captured.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceExperiment.html>

use serde_json::Value;

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_inference_experiment_without_kms",
        title: "SageMaker inference experiment copies production traffic without a customer KMS key",
        severity: Severity::Medium,
        rationale: "A shadow test copies customers' requests and the variant's answers to new volumes and to S3; without a customer key that copy escapes the controls on production.",
        resource_types: &[AssetType::SagemakerInferenceExperiment],
        collectors: &["sagemaker.inference_experiments"],
        remediation: "Create the experiment again with `KmsKey` and `DataStorageConfig.KmsKey` naming a customer managed key, and re-encrypt or delete what it captured.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

const DESCRIBE: &str = "sagemaker:DescribeInferenceExperiment";

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerInferenceExperiment], |x| {
        let mut out = Vec::new();
        if x.str_attr("kms_key_id").is_none() {
            out.push(ev(DESCRIBE, "KmsKey", Value::Null));
        }
        if x.str_attr("capture_destination").is_some() && x.str_attr("capture_kms_key_id").is_none()
        {
            out.push(ev(DESCRIBE, "DataStorageConfig.KmsKey", Value::Null));
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
    fn flags_unkeyed_volumes_or_capture_only() {
        let x = |arn: &str, v: Value| asset(AssetType::SagemakerInferenceExperiment, arn, v);
        let k = "arn:aws:kms:us-east-1:111111111111:key/k";
        let i = inv(vec![
            x("arn:ie/volumes", json!({})),
            x(
                "arn:ie/capture",
                json!({"kms_key_id": k, "capture_destination": "s3://shadow/"}),
            ),
            x(
                "arn:ie/keyed",
                json!({"kms_key_id": k, "capture_destination": "s3://shadow/", "capture_kms_key_id": k}),
            ),
            // No capture: its key does not matter.
            x("arn:ie/no-capture", json!({"kms_key_id": k})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:ie/volumes", "arn:ie/capture"]);
    }
}
