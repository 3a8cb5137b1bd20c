//! ## What it does
//! Flags Bedrock Flows with a node that calls a model (a prompt node, or a
//! knowledge-base node that generates an answer) without a guardrail; the
//! evidence names the nodes.
//!
//! ## Why is this bad?
//! A flow's nodes pass user input, retrieved documents and other nodes'
//! output to models, and pass the models' answers on to Lambda functions,
//! agents and users. A guardrail on each model-calling node is what filters
//! prompt attacks, harmful content and sensitive data on the way in and
//! out; the flow has no guardrail of its own to fall back on.
//!
//! ## Example
//! A prompt node with no `guardrailConfiguration`; use instead the
//! organization's guardrail (identifier and version) on every prompt and
//! generating knowledge-base node.
//!
//! ## Remediation
//! Update the flow (UpdateFlow) with `guardrailConfiguration` on each prompt
//! and knowledge-base node that calls a model, then prepare it and publish a
//! new version for the aliases to use.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/flows-nodes.html>

use serde_json::Value;

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_flow_without_guardrail",
        title: "Bedrock Flow calls a model without a guardrail",
        severity: Severity::Medium,
        rationale: "A flow's model-calling nodes take user input and retrieved text; without a guardrail on each, prompt attacks and sensitive data pass through to the next node and the user.",
        resource_types: &[AssetType::BedrockFlow],
        collectors: &["bedrock_agent.flows"],
        remediation: "Add the organization's guardrail to every prompt and generating knowledge-base node of the flow, then prepare it and publish a new version.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM01", "LLM02", "LLM05"],
        owasp_agentic: &["ASI01"],
        mitre_atlas: &["AML.T0051", "AML.T0054"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-13"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockFlow], |f| {
        match f.attributes.get("unguarded_nodes") {
            Some(Value::Array(nodes)) if !nodes.is_empty() => vec![ev(
                "bedrock-agent:GetFlow",
                "definition.nodes[].configuration.guardrailConfiguration",
                serde_json::json!({ "nodes_without_guardrail": nodes }),
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
    fn flags_flows_with_an_unguarded_model_node_only() {
        let f = |arn: &str, v: Value| asset(AssetType::BedrockFlow, arn, v);
        let i = inv(vec![
            f(
                "arn:flow/open",
                json!({"model_nodes": ["summarize", "answer"], "unguarded_nodes": ["answer"]}),
            ),
            f(
                "arn:flow/guarded",
                json!({"model_nodes": ["summarize"], "unguarded_nodes": []}),
            ),
            // Retrieval and Lambda only: no model to guard.
            f(
                "arn:flow/no-model",
                json!({"model_nodes": [], "unguarded_nodes": []}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:flow/open"]);
    }
}
