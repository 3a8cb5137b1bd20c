//! ## What it does
//! Finds Bedrock agents, Bedrock Flows and AgentCore gateways whose tools
//! (action-group Lambdas, Lambdas whose resource policy lets Bedrock invoke
//! them for the agent, a flow's Lambda nodes, or a gateway's Lambda targets)
//! run as roles that,
//! according to the IAM engine, can read customer data (DynamoDB, S3, RDS Data
//! API, Secrets Manager) and send data out (SES, SNS, or internet egress from a
//! Lambda outside a VPC). Reports the agent → tool → role → data and outbound
//! chain as one finding, with whether the agent has a guardrail and which tool
//! functions run without user confirmation (for a gateway: its inbound
//! authorizer, which decides who can call the tools at all; for a flow: its
//! model nodes without a guardrail).
//!
//! ## Why is this bad?
//! Excessive agency: an agent's tools act with their role's full permissions on
//! whatever the model decides. Read plus send, with no confirmation and no
//! guardrail, means an injected instruction can exfiltrate customer records
//! without a human in the loop.
//!
//! ## Example
//! An agent whose `customer-lookup` tool role has `dynamodb:Scan` on `customers`
//! and `ses:SendEmail` on `*`, functions without `requireConfirmation`; use
//! instead separate read and send tools, confirmation on the send function, a
//! guardrail, and a role limited to the rows and recipients needed.
//!
//! ## Remediation
//! Require user confirmation on the action group's functions, attach a guardrail
//! to the agent, and narrow the tool role: split reading from sending, restrict
//! SES/SNS to fixed identities and topics, and put the Lambda in a VPC without a
//! general internet route.
//!
//! ## References
//! - <https://genai.owasp.org/llmrisk/llm062025-excessive-agency/>
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/agents-userconfirmation.html>

use serde_json::{Value, json};

use super::{DATA_READS, OUTBOUND, PathBuilder, granted_among};
use crate::access::Access;
use crate::iam::what_can;
use crate::model::EdgeKind;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_agent_excessive_agency",
        title: "Agent tool can read customer data and send it out",
        severity: Severity::Critical,
        rationale: "An agent follows instructions hidden in what it reads; a tool that reads customer records and can email or publish them turns one injected prompt into a data breach.",
        resource_types: &[
            AssetType::BedrockAgent,
            AssetType::BedrockAgentcoreGateway,
            AssetType::BedrockFlow,
            AssetType::LambdaFunction,
        ],
        collectors: &[
            "lambda.functions",
            "iam.authorization_details",
            "bedrock_agent.agents",
            "bedrock_agent.action_groups",
            "bedrock_agentcore.gateways",
            "bedrock_agentcore.gateway_targets",
            "bedrock_agent.flows",
        ],
        remediation: "Require user confirmation on the action group's functions, attach a guardrail to the agent, and narrow the tool role: split reading from sending, restrict SES/SNS to fixed identities and topics, and put the Lambda in a VPC without a general internet route.",
        remediation_action: Some("require_action_confirmation"),
        exposure: true,
        owasp_llm: &["LLM06", "LLM01", "LLM02"],
        owasp_agentic: &["ASI02", "ASI03", "ASI01"],
        mitre_atlas: &["AML.T0053", "AML.T0051", "AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    use std::collections::BTreeMap;
    // Agent (or, when the agent itself could not be read, its tool) → path.
    let mut by_head: BTreeMap<String, (PathBuilder, Vec<Value>)> = BTreeMap::new();
    for tool_edge in inv.edges.iter().filter(|e| e.kind == EdgeKind::InvokesTool) {
        let Some(tool) = inv.asset(&tool_edge.to) else {
            continue;
        };
        for runs in inv
            .edges_from(&tool.arn)
            .filter(|e| e.kind == EdgeKind::ExecutesAs)
        {
            let Some(role) = inv.asset(&runs.to) else {
                continue;
            };
            let Some(snap) = access.account(&role.account_id) else {
                continue;
            };
            let Ok(caps) = what_can(snap, &role.arn) else {
                continue;
            };
            let Some(reads) = granted_among(&caps, DATA_READS) else {
                continue;
            };
            let send = granted_among(&caps, OUTBOUND);
            let internet = tool.bool_attr("vpc_configured") == Some(false);
            if send.is_none() && !internet {
                continue;
            }
            let head = if inv.asset(&tool_edge.from).is_some() {
                tool_edge.from.clone()
            } else {
                tool.arn.clone()
            };
            let (path, tools) = by_head
                .entry(head.clone())
                .or_insert_with(|| (PathBuilder::new(&head), Vec::new()));
            path.asset(&tool_edge.from);
            path.edge(tool_edge).edge(runs);
            path.step(
                &role.arn,
                "can_read",
                reads.clone(),
                "aispm:iam-engine",
                "what_can",
            );
            if let Some(s) = &send {
                path.step(
                    &role.arn,
                    "can_send_out",
                    s.clone(),
                    "aispm:iam-engine",
                    "what_can",
                );
            }
            if internet {
                path.step(
                    &tool.arn,
                    "internet_egress",
                    json!(true),
                    "lambda:GetFunctionConfiguration",
                    "VpcConfig",
                );
            }
            tools.push(json!({"agent": tool_edge.from, "tool": tool.arn, "role": role.arn, "reads": reads, "sends": send, "internet_egress": internet}));
        }
    }
    by_head
        .into_iter()
        .map(|(head, (path, tools))| {
            let head_asset = inv.asset(&head);
            let mut evidence = vec![ev("aispm:graph", "tools", Value::Array(tools))];
            match head_asset.map(|a| a.asset_type) {
                Some(AssetType::BedrockAgentcoreGateway) => evidence.push(ev(
                    "bedrock-agentcore-control:GetGateway",
                    "authorizerType",
                    json!(head_asset.and_then(|g| g.str_attr("authorizer_type"))),
                )),
                Some(AssetType::BedrockFlow) => evidence.push(ev(
                    "bedrock-agent:GetFlow",
                    "nodes_without_guardrail",
                    head_asset
                        .and_then(|f| f.attributes.get("unguarded_nodes"))
                        .cloned()
                        .unwrap_or(Value::Null),
                )),
                kind => {
                    let agent = head_asset.filter(|_| kind == Some(AssetType::BedrockAgent));
                    let guardrail = match agent {
                        Some(a) => json!(a.str_attr("guardrail_id")),
                        None => json!("not assessed"),
                    };
                    let unconfirmed: Vec<Value> = agent
                        .and_then(|a| a.attributes.get("action_groups"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|g| g.get("functions_without_confirmation").cloned())
                        .collect();
                    evidence.push(ev(
                        "bedrock-agent:GetAgent",
                        "guardrailConfiguration",
                        guardrail,
                    ));
                    evidence.push(ev(
                        "bedrock-agent:GetAgentActionGroup",
                        "functions_without_confirmation",
                        Value::Array(unconfirmed),
                    ));
                }
            }
            Hit {
                resource_arn: head,
                evidence: path.evidence(evidence),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    use crate::model::{Edge, Evidence};

    fn estate(statements: serde_json::Value, in_vpc: bool) -> Inventory {
        let agent = asset(
            AssetType::BedrockAgent,
            "arn:aws:bedrock:us-east-1:111111111111:agent/A1",
            json!({
                "action_groups": [{"name": "lookup", "functions_without_confirmation": ["email_customer"]}],
            }),
        );
        let tool = asset(
            AssetType::LambdaFunction,
            "arn:aws:lambda:us-east-1:111111111111:function:tool",
            json!({"vpc_configured": in_vpc}),
        );
        let mut role = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/tool",
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}],
                "attached_policies": [],
            }),
        );
        role.region = "global".into();
        let mut i = inv(vec![agent, tool, role]);
        let e = |f: &str, t: &str, k: EdgeKind| {
            Edge::new(
                f,
                t,
                k,
                Evidence::new("bedrock-agent:GetAgentActionGroup", "x"),
            )
        };
        i.edges = vec![
            e(
                "arn:aws:bedrock:us-east-1:111111111111:agent/A1",
                "arn:aws:lambda:us-east-1:111111111111:function:tool",
                EdgeKind::InvokesTool,
            ),
            e(
                "arn:aws:lambda:us-east-1:111111111111:function:tool",
                "arn:aws:iam::111111111111:role/tool",
                EdgeKind::ExecutesAs,
            ),
        ];
        i
    }

    #[test]
    fn a_tool_that_reads_customers_and_emails_is_one_path_on_the_agent() {
        let hits = RULE.hits(&estate(json!([
            {"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/customers"},
            {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}
        ]), true), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].resource_arn,
            "arn:aws:bedrock:us-east-1:111111111111:agent/A1"
        );
        let unconfirmed = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "functions_without_confirmation")
            .map(|e| e.value.clone());
        assert_eq!(unconfirmed, Some(json!([["email_customer"]])));
    }

    #[test]
    fn a_read_only_tool_in_a_vpc_is_not_a_path() {
        let read_only = json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]);
        assert!(flagged(&RULE, &estate(read_only.clone(), true)).is_empty());
        assert_eq!(
            flagged(&RULE, &estate(read_only, false)).len(),
            1,
            "internet egress is a way out"
        );
    }

    #[test]
    fn a_gateway_lambda_target_that_reads_and_sends_is_a_path_on_the_gateway() {
        let gw = "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/gw-1";
        let mut i = estate(
            json!([
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}
            ]),
            true,
        );
        // The tool is a gateway target, not an action group.
        i.assets.retain(|a| a.asset_type != AssetType::BedrockAgent);
        i.assets.push(asset(
            AssetType::BedrockAgentcoreGateway,
            gw,
            json!({"authorizer_type": "NONE"}),
        ));
        i.edges[0].from = gw.into();
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, gw);
        let authorizer = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "authorizerType")
            .map(|e| e.value.clone());
        assert_eq!(authorizer, Some(json!("NONE")));
        assert!(
            !hits[0]
                .evidence
                .iter()
                .any(|e| e.field == "guardrailConfiguration"),
            "a gateway has no agent guardrail to report"
        );
    }
}
