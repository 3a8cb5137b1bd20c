//! ## What it does
//! Flags Bedrock AgentCore memories with no `encryptionKeyArn`.
//!
//! ## Why is this bad?
//! An agent's memory keeps what users told it across sessions: raw
//! conversation events for up to a year and the facts, preferences and
//! summaries extracted from them. With a customer-managed key, reading it
//! needs kms:Decrypt that you grant and log, and disabling the key cuts off
//! every copy; with the service's key nobody outside AWS can restrict or see
//! its use.
//!
//! ## Example
//! `CreateMemory` without `encryptionKeyArn`; use instead a customer key.
//!
//! ## Remediation
//! AgentCore cannot change a memory's key: create a new memory with
//! `encryptionKeyArn` naming a customer managed key, move the agents to it
//! and delete the old one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/storage-encryption.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_memory_without_cmk",
        title: "Bedrock AgentCore memory is not encrypted with a customer KMS key",
        severity: Severity::Medium,
        rationale: "An agent's memory keeps users' conversations and what was learned from them; without a customer key you cannot restrict, audit or revoke who decrypts it.",
        resource_types: &[AssetType::BedrockAgentcoreMemory],
        collectors: &["bedrock_agentcore.memories"],
        remediation: "Create a new memory with `encryptionKeyArn` naming a customer managed key, move the agents to it and delete the old one (a memory's key cannot be changed).",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &["ASI06"],
        mitre_atlas: &["AML.T0057"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["BedrockAgentCore.3"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-07"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::BedrockAgentcoreMemory,
        "kms_key_arn",
        "bedrock-agentcore-control:GetMemory",
        "memory.encryptionKeyArn",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_memories_without_a_customer_key_only() {
        let m = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockAgentcoreMemory, arn, v);
        let i = inv(vec![
            m("arn:memory/plain", json!({"memory_id": "plain"})),
            m(
                "arn:memory/keyed",
                json!({"memory_id": "keyed", "kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:memory/plain"]);
    }
}
