//! ## What it does
//! Flags guardrails that do not enable both contextual grounding filters
//! (`GROUNDING` and `RELEVANCE`).
//!
//! ## Why is this bad?
//! RAG applications are trusted because answers come from your documents. The
//! grounding check blocks answers not supported by the retrieved sources; the
//! relevance check blocks answers that do not address the question.
//!
//! ## Example
//! No `contextualGroundingPolicy`; use instead GROUNDING and RELEVANCE filters
//! with thresholds around 0.7.
//!
//! ## Remediation
//! Add a contextual grounding policy with GROUNDING and RELEVANCE filters to the
//! guardrail and publish a new version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-contextual-grounding-check.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_guardrail_grounding_missing",
        title: "Bedrock guardrail has no contextual grounding check",
        severity: Severity::Medium,
        rationale: "Without grounding and relevance checks, hallucinated or off-topic answers reach users as if they came from your sources.",
        resource_types: &[AssetType::BedrockGuardrail],
        collectors: &["bedrock.guardrails"],
        remediation: "Add a contextual grounding policy with GROUNDING and RELEVANCE filters to the guardrail and publish a new version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM09"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0048"],
        nist_ai_rmf: &[NistAiRmf::Measure, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_guardrail_contextual_grounding_filter_enabled",
            "aws-ai-ml-assessment:BR-27",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockGuardrail], |g| {
        let Some(filters) = g
            .attributes
            .get("contextual_grounding")
            .and_then(serde_json::Value::as_array)
        else {
            return Vec::new();
        };
        let missing: Vec<&str> = ["GROUNDING", "RELEVANCE"]
            .into_iter()
            .filter(|t| {
                !filters
                    .iter()
                    .any(|f| f.get("type").and_then(serde_json::Value::as_str) == Some(*t))
            })
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "bedrock:GetGuardrail",
            "contextualGroundingPolicy.filters",
            serde_json::json!({"missing": missing}),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_guardrails_missing_a_grounding_filter() {
        let g = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockGuardrail, arn, v);
        let i = inv(vec![
            g("arn:g/none", json!({"contextual_grounding": []})),
            g(
                "arn:g/half",
                json!({"contextual_grounding": [{"type": "GROUNDING"}]}),
            ),
            g(
                "arn:g/both",
                json!({"contextual_grounding": [{"type": "GROUNDING"}, {"type": "RELEVANCE"}]}),
            ),
            g("arn:g/unread", json!({})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:g/none", "arn:g/half"]);
    }
}
