//! ## What it does
//! Flags agents whose `idleSessionTTLInSeconds` exceeds 3600 seconds.
//!
//! ## Why is this bad?
//! A session keeps its context (including customer data the agent fetched) until
//! it expires; a shorter TTL shrinks the window for session hijacking and stale-
//! context abuse.
//!
//! ## Example
//! `idleSessionTTLInSeconds=86400`; use instead 600 to 1800 seconds.
//!
//! ## Remediation
//! Update the agent with a shorter `idleSessionTTLInSeconds` and prepare it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_CreateAgent.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agent_idle_session_long",
        title: "Bedrock agent keeps idle sessions for more than an hour",
        severity: Severity::Low,
        rationale: "Long idle sessions keep conversation memory, retrieved data and tool results alive for whoever holds the session id.",
        resource_types: &[AssetType::BedrockAgent],
        collectors: &["bedrock_agent.agents"],
        remediation: "Update the agent with a shorter `idleSessionTTLInSeconds` and prepare it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM06"],
        owasp_agentic: &["ASI03", "ASI06"],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-29"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgent], |a| {
        match a
            .attributes
            .get("idle_session_ttl_seconds")
            .and_then(serde_json::Value::as_i64)
        {
            Some(ttl) if ttl > 3600 => {
                vec![ev("bedrock-agent:GetAgent", "idleSessionTTLInSeconds", ttl)]
            }
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
    fn flags_ttls_over_an_hour_only() {
        let long = asset(
            AssetType::BedrockAgent,
            "arn:agent/long",
            json!({"idle_session_ttl_seconds": 86400}),
        );
        let short = asset(
            AssetType::BedrockAgent,
            "arn:agent/short",
            json!({"idle_session_ttl_seconds": 600}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![long, short])), ["arn:agent/long"]);
    }
}
