//! ## What it does
//! Flags regions where Bedrock model invocation logging has no destination
//! (neither CloudWatch Logs nor S3).
//!
//! ## Why is this bad?
//! Without invocation logs there is no record of prompts and responses: prompt
//! injection, data leakage through outputs and abuse of stolen keys go unseen,
//! and incident response has nothing to work from.
//!
//! ## Example
//! `GetModelInvocationLoggingConfiguration` returns no `loggingConfig`; use
//! instead `PutModelInvocationLoggingConfiguration` with an S3 bucket or a log
//! group.
//!
//! ## Remediation
//! Turn on model invocation logging in every region where Bedrock is used.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html>

use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_invocation_logging_disabled",
        title: "Bedrock model invocation logging is off",
        severity: Severity::Medium,
        rationale: "Without invocation logs, prompt injection, leakage and key abuse leave no trace.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &["bedrock.invocation_logging"],
        remediation: "Configure model invocation logging to CloudWatch Logs or S3 (encrypted with a customer KMS key) in this region.",
        remediation_action: Some("enable_bedrock_invocation_logging"),
        exposure: false,
        owasp_llm: &["LLM01", "LLM10"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0051", "AML.T0040"],
        nist_ai_rmf: &[NistAiRmf::Measure, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_model_invocation_logging_enabled",
            "aws-ai-ml-assessment:BR-04",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    of_type(inv, AssetType::BedrockInvocationLogging)
        .filter(|a| a.bool_attr("enabled") == Some(false))
        .map(|a| Hit {
            resource_arn: a.arn.clone(),
            evidence: vec![FindingEvidence::new(
                "bedrock:GetModelInvocationLoggingConfiguration",
                "loggingConfig",
                serde_json::Value::Null,
            )],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    #[test]
    fn flags_region_without_destination() {
        let off = asset(
            AssetType::BedrockInvocationLogging,
            "arn:aws:bedrock:eu-west-1:1:model-invocation-logging",
            json!({"enabled": false}),
        );
        let on = asset(
            AssetType::BedrockInvocationLogging,
            "arn:aws:bedrock:us-east-1:1:model-invocation-logging",
            json!({"enabled": true, "s3_bucket": "logs"}),
        );
        let hits = evaluate(&inv(vec![off, on]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert!(hits[0].resource_arn.contains("eu-west-1"));
    }
}
