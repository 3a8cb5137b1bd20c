//! ## What it does
//! Flags Bedrock AgentCore custom code interpreters whose network mode is
//! `PUBLIC`.
//!
//! ## Why is this bad?
//! A code interpreter runs code the model wrote. On the public network that
//! code can download tools and send anything it was given (files, query
//! results, credentials in its environment) to any host. `SANDBOX` gives it
//! no outside network; `VPC` puts its traffic under your network controls.
//!
//! aispm flags `PUBLIC` only. AWS Config's
//! `bedrockagentcore-codeinterpreter-networkmode-check` (and Security Hub
//! BedrockAgentCore.7) also fail `SANDBOX`, which has no outside network at
//! all; aispm counts that as private.
//!
//! ## Example
//! `networkConfiguration.networkMode=PUBLIC`; use instead `SANDBOX`, or `VPC`
//! when the code must reach your services.
//!
//! ## Remediation
//! Create the code interpreter with `networkMode=SANDBOX` or `VPC`, move the
//! agents to it and delete the public one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/code-interpreter-tool.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_code_interpreter_public_network",
        title: "Bedrock AgentCore code interpreter runs model-written code with internet access",
        severity: Severity::High,
        rationale: "Code the model writes, steered by whatever it read, can send its data and credentials to any host when the interpreter is on the public network.",
        resource_types: &[AssetType::BedrockAgentcoreCodeInterpreter],
        collectors: &["bedrock_agentcore.code_interpreters"],
        remediation: "Create the code interpreter with `networkMode=SANDBOX` (no outside network) or `VPC`, move the agents to it and delete the public one.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06", "LLM02"],
        owasp_agentic: &["ASI05", "ASI02"],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["BedrockAgentCore.7"],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[AssetType::BedrockAgentcoreCodeInterpreter],
        |c| match c.str_attr("network_mode") {
            Some(m @ "PUBLIC") => vec![ev(
                "bedrock-agentcore-control:GetCodeInterpreter",
                "networkConfiguration.networkMode",
                m,
            )],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_public_code_interpreters_not_sandboxed_or_vpc_ones() {
        let c = |arn: &str, mode: &str| {
            asset(
                AssetType::BedrockAgentcoreCodeInterpreter,
                arn,
                json!({"network_mode": mode}),
            )
        };
        let i = inv(vec![
            c("arn:ci/pub", "PUBLIC"),
            c("arn:ci/sandbox", "SANDBOX"),
            c("arn:ci/vpc", "VPC"),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:ci/pub"]);
    }
}
