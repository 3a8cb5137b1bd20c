//! ## What it does
//! Flags AgentCore gateways whose `authorizerType` is `NONE`, or that have no
//! `kmsKeyArn`; the evidence says which.
//!
//! ## Why is this bad?
//! The gateway turns APIs and Lambda functions into agent tools. Inbound
//! authorization decides who may call those tools; a customer key protects the
//! gateway's stored credentials and configuration.
//!
//! ## Example
//! `authorizerType=NONE`; use instead `CUSTOM_JWT` (your identity provider) or
//! `AWS_IAM`, and a customer `kmsKeyArn`.
//!
//! ## Remediation
//! Update the gateway with a JWT or IAM authorizer and a customer-managed KMS
//! key.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-inbound-auth.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_gateway_weak",
        title: "Bedrock AgentCore gateway has no inbound authorizer or no customer KMS key",
        severity: Severity::High,
        rationale: "A gateway exposes tools to agents; without an authorizer anyone who reaches it can call them, and without a customer key its configuration is outside your control.",
        resource_types: &[AssetType::BedrockAgentcoreGateway],
        collectors: &["bedrock_agentcore.gateways"],
        remediation: "Update the gateway with a JWT or IAM authorizer and a customer-managed KMS key.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI02", "ASI03", "ASI07"],
        mitre_atlas: &["AML.T0053"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["BedrockAgentCore.2", "BedrockAgentCore.4"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-12", "aws-ai-ml-assessment:AG-24"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreGateway], |g| {
        let mut out = Vec::new();
        if let Some(a @ "NONE") = g.str_attr("authorizer_type") {
            out.push(ev(
                "bedrock-agentcore-control:GetGateway",
                "authorizerType",
                a,
            ));
        }
        if g.str_attr("kms_key_arn").is_none() {
            out.push(ev(
                "bedrock-agentcore-control:GetGateway",
                "kmsKeyArn",
                serde_json::Value::Null,
            ));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_open_or_unkeyed_gateways() {
        let g = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockAgentcoreGateway, arn, v);
        let i = inv(vec![
            g(
                "arn:gw/open",
                json!({"authorizer_type": "NONE", "kms_key_arn": "k"}),
            ),
            g("arn:gw/unkeyed", json!({"authorizer_type": "CUSTOM_JWT"})),
            g(
                "arn:gw/good",
                json!({"authorizer_type": "CUSTOM_JWT", "kms_key_arn": "k"}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:gw/open", "arn:gw/unkeyed"]);
    }
}
