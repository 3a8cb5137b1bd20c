//! ## What it does
//! Flags knowledge bases with a data source whose
//! `serverSideEncryptionConfiguration.kmsKeyArn` is unset.
//!
//! ## Why is this bad?
//! Data sources feed company documents into the knowledge base. A customer-
//! managed key lets you restrict and audit decryption of the ingestion data.
//!
//! ## Example
//! A data source with no `serverSideEncryptionConfiguration`; use instead
//! `kmsKeyArn=<customer key>`.
//!
//! ## Remediation
//! Update each data source with `serverSideEncryptionConfiguration.kmsKeyArn`
//! (and give the knowledge base role kms:Decrypt on it), then re-sync.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-kb.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_knowledge_base_without_cmk",
        title: "Bedrock knowledge base data source is not encrypted with a customer KMS key",
        severity: Severity::High,
        rationale: "Ingestion keeps transient copies of your documents; without a customer key their encryption is outside your control.",
        resource_types: &[AssetType::BedrockKnowledgeBase],
        collectors: &[
            "bedrock_agent.knowledge_bases",
            "bedrock_agent.data_sources",
        ],
        remediation: "Update each data source with `serverSideEncryptionConfiguration.kmsKeyArn` (and give the knowledge base role kms:Decrypt on it), then re-sync.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM08"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_knowledge_base_encrypted_with_cmk",
            "aws-ai-ml-assessment:BR-09",
            "aws-ai-ml-assessment:BR-20",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockKnowledgeBase], |kb| {
        let bare: Vec<serde_json::Value> = kb
            .attributes
            .get("data_sources")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter(|d| d.get("kms_key_arn").is_none_or(serde_json::Value::is_null))
            .filter_map(|d| d.get("name").cloned())
            .collect();
        if bare.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "bedrock-agent:GetDataSource",
            "serverSideEncryptionConfiguration.kmsKeyArn",
            serde_json::json!({"data_sources": bare}),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_knowledge_bases_with_an_unkeyed_source() {
        let kb = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockKnowledgeBase, arn, v);
        let i = inv(vec![
            kb(
                "arn:kb/bare",
                json!({"data_sources": [{"name": "docs", "kms_key_arn": null}]}),
            ),
            kb(
                "arn:kb/keyed",
                json!({"data_sources": [{"name": "docs", "kms_key_arn": "arn:k"}]}),
            ),
            kb("arn:kb/unread", json!({})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:kb/bare"]);
    }
}
