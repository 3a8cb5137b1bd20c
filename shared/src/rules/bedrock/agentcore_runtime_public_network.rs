//! ## What it does
//! Flags AgentCore runtimes whose `networkConfiguration.networkMode` is `PUBLIC`.
//!
//! ## Why is this bad?
//! Agent code runs tools against your data. In VPC mode its traffic goes through
//! your subnets, security groups and endpoints; in PUBLIC mode it does not.
//!
//! ## Example
//! `networkMode=PUBLIC`; use instead `VPC` with private subnets.
//!
//! ## Remediation
//! Update the agent runtime with `networkMode=VPC` and a `networkModeConfig` of
//! private subnets and security groups.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/agentcore-vpc.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_runtime_public_network",
        title: "Bedrock AgentCore runtime runs on the public network",
        severity: Severity::Medium,
        rationale: "An agent runtime outside your VPC reaches the internet and your services without your network controls.",
        resource_types: &[AssetType::BedrockAgentcoreRuntime],
        collectors: &["bedrock_agentcore.runtimes"],
        remediation: "Update the agent runtime with `networkMode=VPC` and a `networkModeConfig` of private subnets and security groups.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI05", "ASI02"],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["BedrockAgentCore.1"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-01"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreRuntime], |r| {
        match r.str_attr("network_mode") {
            Some(m @ "PUBLIC") => vec![ev(
                "bedrock-agentcore-control:GetAgentRuntime",
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
    fn flags_public_runtimes_only() {
        let public = asset(
            AssetType::BedrockAgentcoreRuntime,
            "arn:rt/public",
            json!({"network_mode": "PUBLIC"}),
        );
        let vpc = asset(
            AssetType::BedrockAgentcoreRuntime,
            "arn:rt/vpc",
            json!({"network_mode": "VPC"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![public, vpc])), ["arn:rt/public"]);
    }
}
