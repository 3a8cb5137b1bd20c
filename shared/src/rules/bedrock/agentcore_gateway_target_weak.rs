//! ## What it does
//! Flags Bedrock AgentCore gateway targets that call an MCP server over plain
//! `http://`, or that authenticate to their tool with a static API key; the
//! evidence names the target and which.
//!
//! ## Why is this bad?
//! A gateway target is a tool every agent behind the gateway can call. Over
//! plain HTTP the tool's requests (the agent's arguments, often user data)
//! and its answers can be read and changed on the way, and an answer is an
//! instruction the model may follow. A static API key is one secret shared
//! by every caller: it does not expire, names no user, and whoever obtains
//! it is every agent at once; OAuth or the gateway's IAM role give
//! short-lived, scoped credentials.
//!
//! ## Example
//! An `mcpServer` target with `endpoint=http://tools.internal:8080/mcp`, or
//! `credentialProviderType=API_KEY`; use instead an `https://` endpoint and
//! `OAUTH` or `GATEWAY_IAM_ROLE`.
//!
//! ## Remediation
//! Update the target (UpdateGatewayTarget) with an `https://` endpoint and an
//! OAuth or IAM credential provider; retire the API key at the tool.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-outbound-auth.html>

use serde_json::Value;

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_gateway_target_weak",
        title: "Bedrock AgentCore gateway target calls its tool over plain HTTP or with a static API key",
        severity: Severity::Medium,
        rationale: "A tool reached in clear text can be read and answer with injected instructions; a static API key is one unexpiring secret shared by every agent behind the gateway.",
        resource_types: &[AssetType::BedrockAgentcoreGateway],
        collectors: &[
            "bedrock_agentcore.gateways",
            "bedrock_agentcore.gateway_targets",
        ],
        remediation: "Update the target with an `https://` endpoint and an OAuth or gateway IAM role credential provider, and retire the API key at the tool.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06", "LLM01"],
        owasp_agentic: &["ASI02", "ASI03", "ASI04"],
        mitre_atlas: &["AML.T0053"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

const GET: &str = "bedrock-agentcore-control:GetGatewayTarget";

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreGateway], |g| {
        let mut out = Vec::new();
        let Some(targets) = g.attributes.get("targets").and_then(Value::as_array) else {
            return out;
        };
        for t in targets {
            let name = t.get("name").and_then(Value::as_str).unwrap_or("?");
            if let Some(e) = t.get("endpoint").and_then(Value::as_str)
                && e.get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
            {
                out.push(ev(
                    GET,
                    &format!("targets[{name}].targetConfiguration.mcp.mcpServer.endpoint"),
                    e,
                ));
            }
            let keyed = t
                .get("credential_types")
                .and_then(Value::as_array)
                .is_some_and(|c| c.iter().any(|c| c == "API_KEY"));
            if keyed {
                out.push(ev(
                    GET,
                    &format!(
                        "targets[{name}].credentialProviderConfigurations.credentialProviderType"
                    ),
                    "API_KEY",
                ));
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn gateway(arn: &str, targets: Value) -> crate::model::Asset {
        asset(
            AssetType::BedrockAgentcoreGateway,
            arn,
            json!({ "targets": targets }),
        )
    }

    #[test]
    fn flags_plain_http_tools_and_static_keys() {
        let i = inv(vec![
            gateway(
                "arn:gw/clear",
                json!([{"name": "crm", "kind": "mcp_server", "endpoint": "HTTP://crm.internal/mcp", "credential_types": ["OAUTH"]}]),
            ),
            gateway(
                "arn:gw/keyed",
                json!([{"name": "weather", "kind": "open_api_schema", "credential_types": ["API_KEY"]}]),
            ),
            gateway(
                "arn:gw/good",
                json!([
                    {"name": "crm", "kind": "mcp_server", "endpoint": "https://crm.example.com/mcp", "credential_types": ["OAUTH"]},
                    {"name": "orders", "kind": "lambda", "lambda_arn": "arn:aws:lambda:us-east-1:1:function:o", "credential_types": ["GATEWAY_IAM_ROLE"]}
                ]),
            ),
            // Targets not read: no attribute, not judged (the side read's gap).
            asset(
                AssetType::BedrockAgentcoreGateway,
                "arn:gw/unread",
                json!({}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:gw/clear", "arn:gw/keyed"]);
    }
}
