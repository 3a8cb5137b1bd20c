//! ## What it does
//! Flags Bedrock AgentCore custom browsers whose network mode is `PUBLIC`.
//!
//! ## Why is this bad?
//! An agent drives the browser wherever the model decides: a page that
//! injects instructions can send it, logged in, anywhere on the internet,
//! and nothing in your network sees or stops it. In `VPC` mode its traffic
//! leaves through your subnets, security groups, proxies and flow logs.
//!
//! ## Example
//! `networkConfiguration.networkMode=PUBLIC`; use instead `VPC` with private
//! subnets and an egress proxy or firewall that allows the sites the agent
//! needs.
//!
//! ## Remediation
//! A browser's network cannot be changed: create a browser with
//! `networkMode=VPC`, move the agents to it and delete the public one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/agentcore-vpc.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_browser_public_network",
        title: "Bedrock AgentCore browser browses from the public network",
        severity: Severity::Medium,
        rationale: "An agent-driven browser on the public network can be steered by injected page content to any site, outside every network control you have.",
        resource_types: &[AssetType::BedrockAgentcoreBrowser],
        collectors: &["bedrock_agentcore.browsers"],
        remediation: "Create a browser with `networkMode=VPC` (private subnets, egress through your proxy or firewall), move the agents to it and delete the public one.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06", "LLM01"],
        owasp_agentic: &["ASI01", "ASI02"],
        mitre_atlas: &["AML.T0051"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["BedrockAgentCore.5"],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreBrowser], |b| {
        match b.str_attr("network_mode") {
            Some(m @ "PUBLIC") => vec![ev(
                "bedrock-agentcore-control:GetBrowser",
                "networkConfiguration.networkMode",
                m,
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
    fn flags_public_browsers_only() {
        let b = |arn: &str, mode: &str| {
            asset(
                AssetType::BedrockAgentcoreBrowser,
                arn,
                json!({"network_mode": mode}),
            )
        };
        let i = inv(vec![
            b("arn:browser/pub", "PUBLIC"),
            b("arn:browser/vpc", "VPC"),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:browser/pub"]);
    }
}
