//! ## What it does
//! Flags guardrails whose prompt-attack filter is missing or has an input
//! strength other than `HIGH`.
//!
//! ## Why is this bad?
//! The prompt-attack filter is the guardrail's defence against jailbreaks and
//! injected instructions. Without it, or at LOW or MEDIUM, crafted prompts reach
//! the model unfiltered.
//!
//! ## Example
//! No `PROMPT_ATTACK` content filter; use instead `{type: PROMPT_ATTACK,
//! inputStrength: HIGH, outputStrength: NONE}`.
//!
//! ## Remediation
//! Update the guardrail's content policy with a PROMPT_ATTACK filter at
//! inputStrength HIGH, publish a new version, and move applications to it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-prompt-attack.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_guardrail_prompt_attack_weak",
        title: "Bedrock guardrail does not block prompt attacks at HIGH strength",
        severity: Severity::High,
        rationale: "Prompt injection and jailbreaks are the most common attack on LLM applications; anything below HIGH lets many through.",
        resource_types: &[AssetType::BedrockGuardrail],
        collectors: &["bedrock.guardrails"],
        remediation: "Update the guardrail's content policy with a PROMPT_ATTACK filter at inputStrength HIGH, publish a new version, and move applications to it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM01"],
        owasp_agentic: &["ASI01"],
        mitre_atlas: &["AML.T0051", "AML.T0054"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_guardrail_prompt_attack_filter_enabled",
            "aws-ai-ml-assessment:BR-16",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockGuardrail], |g| {
        match g.str_attr("prompt_attack_strength") {
            Some("HIGH") => Vec::new(),
            other => vec![ev(
                "bedrock:GetGuardrail",
                "contentPolicy.filters[PROMPT_ATTACK].inputStrength",
                serde_json::json!(other),
            )],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_missing_or_weak_prompt_attack_filters() {
        let g = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockGuardrail, arn, v);
        let i = inv(vec![
            g("arn:g/none", json!({})),
            g("arn:g/low", json!({"prompt_attack_strength": "LOW"})),
            g("arn:g/high", json!({"prompt_attack_strength": "HIGH"})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:g/none", "arn:g/low"]);
    }
}
