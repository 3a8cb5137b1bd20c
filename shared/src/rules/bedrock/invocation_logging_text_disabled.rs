//! ## What it does
//! Flags regions whose model invocation logging is on but
//! `textDataDeliveryEnabled` is false.
//!
//! ## Why is this bad?
//! Prompt injection, jailbreaks and data leaks are visible only in the prompts
//! and completions. Metadata-only logs cannot show them.
//!
//! ## Example
//! `loggingConfig.textDataDeliveryEnabled=false`; use instead `true`, with the
//! log destination encrypted and access-restricted.
//!
//! ## Remediation
//! Call PutModelInvocationLoggingConfiguration with
//! `textDataDeliveryEnabled=true` and a KMS-encrypted destination.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_invocation_logging_text_disabled",
        title: "Bedrock invocation logging leaves out prompt and response text",
        severity: Severity::Medium,
        rationale: "Logs without text show that a model was called but not what it was asked or answered, so abuse and leaks cannot be investigated.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &["bedrock.invocation_logging"],
        remediation: "Call PutModelInvocationLoggingConfiguration with `textDataDeliveryEnabled=true` and a KMS-encrypted destination.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM01", "LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0051"],
        nist_ai_rmf: &[NistAiRmf::Measure],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:bedrock_model_invocation_logging_text_data_enabled"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockInvocationLogging], |l| {
        if l.bool_attr("enabled") == Some(true) && l.bool_attr("text_data_delivery") == Some(false)
        {
            vec![ev(
                "bedrock:GetModelInvocationLoggingConfiguration",
                "loggingConfig.textDataDeliveryEnabled",
                false,
            )]
        } else {
            Vec::new()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_enabled_logging_without_text_only() {
        let l =
            |arn: &str, v: serde_json::Value| asset(AssetType::BedrockInvocationLogging, arn, v);
        let i = inv(vec![
            l(
                "arn:l/notext",
                json!({"enabled": true, "text_data_delivery": false}),
            ),
            l(
                "arn:l/text",
                json!({"enabled": true, "text_data_delivery": true}),
            ),
            l("arn:l/off", json!({"enabled": false})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:l/notext"]);
    }
}
