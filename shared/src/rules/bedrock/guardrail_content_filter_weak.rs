//! ## What it does
//! Flags guardrails lacking any of the content filter categories (HATE, INSULTS,
//! SEXUAL, VIOLENCE, MISCONDUCT), or with one whose strength is NONE or LOW,
//! whose action is NONE, or that is disabled, on input or output. The
//! PROMPT_ATTACK filter is judged by its own rule.
//!
//! ## Why is this bad?
//! A filter at LOW only blocks the most obvious content, and action NONE only
//! detects. Users then get harmful or policy-breaking completions from an
//! application that seems protected.
//!
//! ## Example
//! `{type: VIOLENCE, inputStrength: LOW, outputStrength: NONE}`; use instead
//! MEDIUM or HIGH on both paths with action BLOCK.
//!
//! ## Remediation
//! Update the guardrail's content policy: every category at MEDIUM or HIGH on
//! input and output with action BLOCK, then publish a new version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-content-filters.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_guardrail_content_filter_weak",
        title: "Bedrock guardrail content filters are missing, disabled or weak",
        severity: Severity::Medium,
        rationale: "Content filters set to NONE or LOW, or with action NONE, let harmful content and misconduct through while appearing configured.",
        resource_types: &[AssetType::BedrockGuardrail],
        collectors: &["bedrock.guardrails"],
        remediation: "Update the guardrail's content policy: every category at MEDIUM or HIGH on input and output with action BLOCK, then publish a new version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM01", "LLM05"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0054"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-23"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    const CATEGORIES: [&str; 5] = ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"];
    flag(inv, &[AssetType::BedrockGuardrail], |g| {
        let Some(filters) = g
            .attributes
            .get("content_filters")
            .and_then(serde_json::Value::as_array)
        else {
            return Vec::new();
        };
        let field = |f: &serde_json::Value, k: &str| {
            f.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let mut weak = Vec::new();
        for cat in CATEGORIES {
            let Some(f) = filters
                .iter()
                .find(|f| f.get("type").and_then(serde_json::Value::as_str) == Some(cat))
            else {
                weak.push(serde_json::json!({"type": cat, "problem": "missing"}));
                continue;
            };
            for path in ["input", "output"] {
                let strength = field(f, &format!("{path}_strength"));
                let action = field(f, &format!("{path}_action"));
                let enabled = f
                    .get(format!("{path}_enabled"))
                    .and_then(serde_json::Value::as_bool);
                let problem = if enabled == Some(false) {
                    Some("disabled")
                } else if matches!(strength.as_deref(), Some("NONE" | "LOW")) {
                    Some("weak strength")
                } else if action.as_deref() == Some("NONE") {
                    Some("action NONE")
                } else {
                    None
                };
                if let Some(p) = problem {
                    weak.push(serde_json::json!({"type": cat, "path": path, "strength": strength, "action": action, "problem": p}));
                }
            }
        }
        if weak.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "bedrock:GetGuardrail",
            "contentPolicy.filters",
            serde_json::Value::Array(weak),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_missing_weak_and_detect_only_filters() {
        let full = |strength: &str, action: &str| {
            let fs: Vec<serde_json::Value> = ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"]
                .iter()
                .map(|t| json!({"type": t, "input_strength": strength, "output_strength": strength, "input_action": action, "output_action": action}))
                .collect();
            json!({"content_filters": fs})
        };
        let g = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockGuardrail, arn, v);
        let i = inv(vec![
            g("arn:g/strong", full("HIGH", "BLOCK")),
            g("arn:g/low", full("LOW", "BLOCK")),
            g("arn:g/detect", full("HIGH", "NONE")),
            g("arn:g/empty", json!({"content_filters": []})),
        ]);
        assert_eq!(
            flagged(&RULE, &i),
            ["arn:g/low", "arn:g/detect", "arn:g/empty"]
        );
    }
}
