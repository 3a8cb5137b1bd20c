//! ## What it does
//! Flags Bedrock Flows with no `customerEncryptionKeyArn`.
//!
//! ## Why is this bad?
//! A flow's definition is application logic: its prompts, the knowledge
//! bases and tools it reaches and the conditions between them. With a
//! customer-managed key, reading it needs kms:Decrypt that you grant and
//! log, and disabling the key retires it; with the AWS owned key nobody
//! outside AWS can restrict or see its use.
//!
//! ## Example
//! `CreateFlow` without `customerEncryptionKeyArn`; use instead a customer
//! key.
//!
//! ## Remediation
//! Update the flow with `customerEncryptionKeyArn` naming a customer managed
//! key whose policy lets Bedrock use it, then publish a new version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-flows.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_flow_without_cmk",
        title: "Bedrock Flow is not encrypted with a customer KMS key",
        severity: Severity::Low,
        rationale: "A flow's definition holds its prompts and what it can reach; without a customer key you cannot restrict or audit who decrypts it.",
        resource_types: &[AssetType::BedrockFlow],
        collectors: &["bedrock_agent.flows"],
        remediation: "Update the flow with `customerEncryptionKeyArn` naming a customer managed key whose policy lets Bedrock use it, then publish a new version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM07", "LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0056"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::BedrockFlow,
        "kms_key_arn",
        "bedrock-agent:GetFlow",
        "customerEncryptionKeyArn",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_flows_without_a_customer_key_only() {
        let i = inv(vec![
            asset(AssetType::BedrockFlow, "arn:flow/plain", json!({})),
            asset(
                AssetType::BedrockFlow,
                "arn:flow/keyed",
                json!({"kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"}),
            ),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:flow/plain"]);
    }
}
