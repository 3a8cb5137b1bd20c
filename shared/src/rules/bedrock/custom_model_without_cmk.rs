//! ## What it does
//! Flags Bedrock custom (fine-tuned or continued pre-training) models and
//! imported models (Custom Model Import) with no `modelKmsKeyArn`.
//!
//! ## Why is this bad?
//! A custom model memorises parts of its training data. With a customer-managed
//! key, using or copying the model needs kms:Decrypt you grant and log, and
//! revoking the key retires it.
//!
//! ## Example
//! A customization job without `customModelKmsKeyId`, or a model import job
//! without `importedModelKmsKeyId`; use instead a customer key.
//!
//! ## Remediation
//! Re-run the customization with `customModelKmsKeyId` set (or the import with
//! `importedModelKmsKeyId`; the key cannot be added later), move traffic to the
//! new model and delete the old one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_custom_model_without_cmk",
        title: "Bedrock custom or imported model is not encrypted with a customer KMS key",
        severity: Severity::High,
        rationale: "Fine-tuned weights encode the training data; without a customer key you cannot restrict or audit who decrypts them.",
        resource_types: &[
            AssetType::BedrockCustomModel,
            AssetType::BedrockImportedModel,
        ],
        collectors: &["bedrock.custom_models", "bedrock.imported_models"],
        remediation: "Re-run the customization with `customModelKmsKeyId` set (or the import with `importedModelKmsKeyId`; the key cannot be added later), move traffic to the new model and delete the old one.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035", "AML.T0044"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_custom_model_encrypted_with_cmk",
            "aws-ai-ml-assessment:BR-11",
            "aws-ai-ml-assessment:BR-17",
            "aws-ai-ml-assessment:BR-30",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, RULE.meta.resource_types, |m| {
        if m.str_attr("kms_key_arn").is_some() {
            return Vec::new();
        }
        vec![ev(
            if m.asset_type == AssetType::BedrockImportedModel {
                "bedrock:GetImportedModel"
            } else {
                "bedrock:GetCustomModel"
            },
            "modelKmsKeyArn",
            serde_json::Value::Null,
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_models_without_cmk_only() {
        let bare = asset(AssetType::BedrockCustomModel, "arn:cm/bare", json!({}));
        let keyed = asset(
            AssetType::BedrockCustomModel,
            "arn:cm/keyed",
            json!({"kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"}),
        );
        let imported = asset(AssetType::BedrockImportedModel, "arn:im/bare", json!({}));
        assert_eq!(
            flagged(&RULE, &inv(vec![bare, keyed, imported])),
            ["arn:cm/bare", "arn:im/bare"]
        );
    }
}
