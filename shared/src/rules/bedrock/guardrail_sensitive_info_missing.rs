//! ## What it does
//! Flags guardrails with no sensitive-information filter (PII entities or
//! regexes), or whose filters never block or mask model output.
//!
//! ## Why is this bad?
//! RAG and agents put customer records in the model's context; the sensitive-
//! information filter on the output path is what stops them being repeated to the
//! wrong user.
//!
//! ## Example
//! No `sensitiveInformationPolicy`; use instead PII entities (EMAIL, PHONE,
//! US_SOCIAL_SECURITY_NUMBER...) with outputAction ANONYMIZE or BLOCK.
//!
//! ## Remediation
//! Add a sensitive-information policy with the PII types your data holds, acting
//! (BLOCK or ANONYMIZE) on output, and publish a new guardrail version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-sensitive-filters.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_guardrail_sensitive_info_missing",
        title: "Bedrock guardrail does not block or mask sensitive information in responses",
        severity: Severity::High,
        rationale: "Without a sensitive-information filter acting on output, models can return PII and secrets from their context to any user.",
        resource_types: &[AssetType::BedrockGuardrail],
        collectors: &["bedrock.guardrails"],
        remediation: "Add a sensitive-information policy with the PII types your data holds, acting (BLOCK or ANONYMIZE) on output, and publish a new guardrail version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0057"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_guardrail_sensitive_information_filter_enabled",
            "prowler:bedrock_guardrail_sensitive_information_filter_enforced",
            "aws-ai-ml-assessment:BR-26",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockGuardrail], |g| {
        match (
            g.bool_attr("sensitive_information_filter"),
            g.bool_attr("sensitive_information_output"),
        ) {
            (Some(false), _) => vec![ev(
                "bedrock:GetGuardrail",
                "sensitiveInformationPolicy",
                serde_json::Value::Null,
            )],
            (Some(true), Some(false)) => vec![ev(
                "bedrock:GetGuardrail",
                "sensitiveInformationPolicy.outputAction",
                "NONE",
            )],
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_missing_filters_and_filters_that_never_act_on_output() {
        let g = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockGuardrail, arn, v);
        let i = inv(vec![
            g("arn:g/none", json!({"sensitive_information_filter": false})),
            g(
                "arn:g/input-only",
                json!({"sensitive_information_filter": true, "sensitive_information_output": false}),
            ),
            g(
                "arn:g/good",
                json!({"sensitive_information_filter": true, "sensitive_information_output": true}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:g/none", "arn:g/input-only"]);
    }
}
