//! ## What it does
//! Flags Bedrock agents with no `guardrailConfiguration`.
//!
//! ## Why is this bad?
//! Agents call tools with real permissions. A guardrail screens user input and
//! the agent's responses for prompt attacks, harmful content and sensitive data;
//! without one, nothing does.
//!
//! ## Example
//! An agent with no guardrail; use instead
//! `guardrailConfiguration={guardrailIdentifier, guardrailVersion}` naming a
//! published version.
//!
//! ## Remediation
//! Update the agent with a guardrail (UpdateAgent `guardrailConfiguration`),
//! prepare it and move its aliases to the new version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/agents-guardrail.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agent_without_guardrail",
        title: "Bedrock agent has no guardrail",
        severity: Severity::High,
        rationale: "An agent acts on what it reads; without a guardrail, injected instructions and harmful output pass straight to its tools and users.",
        resource_types: &[AssetType::BedrockAgent],
        collectors: &["bedrock_agent.agents"],
        remediation: "Update the agent with a guardrail (UpdateAgent `guardrailConfiguration`), prepare it and move its aliases to the new version.",
        remediation_action: Some("attach_bedrock_guardrail"),
        exposure: false,
        owasp_llm: &["LLM01", "LLM06"],
        owasp_agentic: &["ASI01", "ASI02"],
        mitre_atlas: &["AML.T0051", "AML.T0053"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_agent_guardrail_enabled",
            "aws-ai-ml-assessment:BR-28",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::BedrockAgent,
        "guardrail_id",
        "bedrock-agent:GetAgent",
        "guardrailConfiguration",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_agents_without_guardrail_only() {
        let bare = asset(AssetType::BedrockAgent, "arn:agent/bare", json!({}));
        let guarded = asset(
            AssetType::BedrockAgent,
            "arn:agent/guarded",
            json!({"guardrail_id": "g1"}),
        );
        assert_eq!(
            flagged(&RULE, &inv(vec![bare, guarded])),
            ["arn:agent/bare"]
        );
    }
}
