//! ## What it does
//! Flags endpoint configurations with instance-backed variants and no `KmsKeyId`.
//! Serverless-only configurations are skipped (they do not accept a key).
//!
//! ## Why is this bad?
//! The ML storage volumes behind an endpoint hold model weights and data capture.
//! A customer-managed key lets you restrict and audit decryption; without one you
//! cannot.
//!
//! ## Example
//! An endpoint config with no `KmsKeyId`; use instead `KmsKeyId=<customer key
//! ARN>`.
//!
//! ## Remediation
//! Create a new endpoint configuration with `KmsKeyId` and update the endpoint to
//! it (configurations are immutable).
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_endpoint_config_without_kms",
        title: "SageMaker endpoint configuration has no customer KMS key",
        severity: Severity::Medium,
        rationale: "Endpoint instance volumes hold the model and captured data; without a customer key their encryption is outside your control.",
        resource_types: &[AssetType::SagemakerEndpointConfig],
        collectors: &["sagemaker.endpoint_configs"],
        remediation: "Create a new endpoint configuration with `KmsKeyId` and update the endpoint to it (configurations are immutable).",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:sagemaker_endpoint_config_kms_encryption_enabled",
            "aws-ai-ml-assessment:SM-03",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerEndpointConfig], |c| {
        let instance_backed = super::variants(c)
            .any(|v| v.get("serverless").and_then(serde_json::Value::as_bool) != Some(true));
        if !instance_backed || c.str_attr("kms_key_id").is_some() {
            return Vec::new();
        }
        vec![ev(
            "sagemaker:DescribeEndpointConfig",
            "KmsKeyId",
            serde_json::Value::Null,
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_instance_backed_configs_without_a_key_only() {
        let bare = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/bare",
            json!({"variants": [{"initial_instance_count": 2}]}),
        );
        let keyed = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/keyed",
            json!({"kms_key_id": "k", "variants": [{"initial_instance_count": 2}]}),
        );
        let serverless = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/sls",
            json!({"variants": [{"serverless": true}]}),
        );
        assert_eq!(
            flagged(&RULE, &inv(vec![bare, keyed, serverless])),
            ["arn:c/bare"]
        );
    }
}
