//! ## What it does
//! Flags IAM roles that more than one Bedrock agent runs as.
//!
//! ## Why is this bad?
//! A shared execution role carries the union of every agent's permissions:
//! each agent, and whoever steers it through prompt injection, can reach the
//! others' models, knowledge bases and tools. One role per agent keeps each
//! agent's blast radius to its own job (OWASP LLM06).
//!
//! ## Example
//! `support-agent` and `billing-agent` both run as `bedrock-agents-exec`; use
//! instead `support-agent-exec` and `billing-agent-exec`.
//!
//! ## Remediation
//! Give each agent its own execution role with only what that agent uses.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html>

use std::collections::BTreeMap;

use serde_json::json;

use crate::model::{AssetType, EdgeKind, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agent_role_shared",
        title: "Bedrock agents share an execution role",
        severity: Severity::Medium,
        rationale: "A role shared by several agents gives each of them the union of all their permissions.",
        resource_types: &[AssetType::BedrockAgent, AssetType::IamRole],
        collectors: &["bedrock_agent.agents"],
        remediation: "Give each agent its own execution role scoped to the models, knowledge bases and tools it uses.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0053"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_agent_role_not_shared_across_agents",
            "aws-ai-ml-assessment:BR-08",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let mut agents_by_role: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in inv.edges.iter().filter(|e| e.kind == EdgeKind::ExecutesAs) {
        if inv
            .asset(&e.from)
            .is_some_and(|a| a.asset_type == AssetType::BedrockAgent)
        {
            agents_by_role
                .entry(e.to.as_str())
                .or_default()
                .push(e.from.as_str());
        }
    }
    agents_by_role
        .into_iter()
        .filter(|(_, agents)| agents.len() > 1)
        .filter(|(role, _)| inv.asset(role).is_some())
        .map(|(role, agents)| Hit {
            resource_arn: role.to_owned(),
            evidence: vec![FindingEvidence::new(
                "bedrock-agent:GetAgent",
                "agentResourceRoleArn",
                json!(agents),
            )],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Evidence};
    use crate::rules::testkit::{asset, inv};

    fn estate(roles: &[(&str, &str)]) -> Inventory {
        let mut assets = vec![
            asset(
                AssetType::IamRole,
                "arn:aws:iam::111111111111:role/shared",
                json!({}),
            ),
            asset(
                AssetType::IamRole,
                "arn:aws:iam::111111111111:role/own",
                json!({}),
            ),
        ];
        let mut edges = Vec::new();
        for (agent, role) in roles {
            let arn = format!("arn:aws:bedrock:us-east-1:111111111111:agent/{agent}");
            assets.push(asset(AssetType::BedrockAgent, &arn, json!({})));
            edges.push(Edge::new(
                &arn,
                format!("arn:aws:iam::111111111111:role/{role}"),
                EdgeKind::ExecutesAs,
                Evidence::new("bedrock-agent:GetAgent", "agentResourceRoleArn"),
            ));
        }
        let mut i = inv(assets);
        i.edges = edges;
        i
    }

    #[test]
    fn flags_a_role_two_agents_run_as() {
        let hits = evaluate(
            &estate(&[("SUPPORT", "shared"), ("BILLING", "shared"), ("HR", "own")]),
            &RuleConfig::default(),
        );
        assert_eq!(hits.len(), 1);
        assert!(hits[0].resource_arn.ends_with("role/shared"));
        assert_eq!(hits[0].evidence[0].value.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn one_role_per_agent_passes() {
        assert!(
            evaluate(
                &estate(&[("SUPPORT", "shared"), ("HR", "own")]),
                &RuleConfig::default()
            )
            .is_empty()
        );
    }
}
