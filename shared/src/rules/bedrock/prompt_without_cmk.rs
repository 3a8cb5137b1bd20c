//! ## What it does
//! Flags Bedrock Prompt Management prompts with no
//! `customerEncryptionKeyArn`.
//!
//! ## Why is this bad?
//! A managed prompt is application logic: system instructions, business rules,
//! sometimes examples drawn from real data. With a customer-managed key,
//! reading it needs kms:Decrypt that you grant and log, and revoking the key
//! retires it; with the AWS owned key nobody outside AWS can restrict or see
//! its use.
//!
//! ## Example
//! `CreatePrompt` without `customerEncryptionKeyArn`; use instead a customer key.
//!
//! ## Remediation
//! Update the prompt (UpdatePrompt) with `customerEncryptionKeyArn` naming a
//! customer managed key whose policy lets Bedrock use it, then create a new
//! version so applications pick up an encrypted one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-management-encryption.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_prompt_without_cmk",
        title: "Bedrock managed prompt is not encrypted with a customer KMS key",
        severity: Severity::Medium,
        rationale: "Managed prompts hold system instructions and business rules; without a customer key you cannot restrict or audit who decrypts them.",
        resource_types: &[AssetType::BedrockPrompt],
        collectors: &["bedrock_agent.prompts"],
        remediation: "Update the prompt with `customerEncryptionKeyArn` naming a customer managed key whose policy lets Bedrock use it, then publish a new version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM07", "LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0056"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:bedrock_prompt_encrypted_with_cmk"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::BedrockPrompt,
        "kms_key_arn",
        "bedrock-agent:GetPrompt",
        "customerEncryptionKeyArn",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_prompts_without_cmk_only() {
        let bare = asset(AssetType::BedrockPrompt, "arn:p/bare", json!({}));
        let keyed = asset(
            AssetType::BedrockPrompt,
            "arn:p/keyed",
            json!({"kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![bare, keyed])), ["arn:p/bare"]);
    }
}
