//! ## What it does
//! Flags Secrets Manager secrets that hold an AI-provider or model API key
//! (recognised from name, description and tags) and have no automatic rotation.
//!
//! ## Why is this bad?
//! A leaked provider key is spent by whoever holds it, against your quota and
//! your data, until someone rotates it by hand.
//!
//! ## Example
//! `prod/openai-api-key` with `RotationEnabled: false`; use instead a rotation
//! Lambda with `AutomaticallyAfterDays` of 90 or less.
//!
//! ## Remediation
//! Enable rotation with a rotation function that reissues the provider key.
//!
//! ## References
//! - <https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html>

use serde_json::json;

use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretsmanager_ai_secret_without_rotation",
        title: "AI provider key secret is not rotated",
        severity: Severity::High,
        rationale: "A provider key that never rotates stays usable by anyone who ever copied it.",
        resource_types: &[AssetType::SecretsmanagerSecret],
        collectors: &["secretsmanager.secrets"],
        remediation: "Turn on automatic rotation (90 days or less) with a function that reissues the provider key.",
        remediation_action: Some("rotate_secret"),
        exposure: false,
        owasp_llm: &["LLM02", "LLM10"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0055"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SecretsManager.1"],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    of_type(inv, AssetType::SecretsmanagerSecret)
        .filter(|s| s.str_attr("ai_provider").is_some())
        .filter(|s| s.bool_attr("rotation_enabled") == Some(false))
        .map(|s| Hit {
            resource_arn: s.arn.clone(),
            evidence: vec![
                FindingEvidence::new("secretsmanager:ListSecrets", "RotationEnabled", false),
                FindingEvidence::new(
                    "aispm:classify",
                    "ai_provider",
                    json!(s.str_attr("ai_provider")),
                ),
                FindingEvidence::new(
                    "secretsmanager:ListSecrets",
                    "LastRotatedDate",
                    json!(s.str_attr("last_rotated")),
                ),
            ],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    #[test]
    fn flags_unrotated_ai_key_only() {
        let ai = asset(
            AssetType::SecretsmanagerSecret,
            "arn:secret:openai",
            json!({"ai_provider": "openai", "rotation_enabled": false}),
        );
        let rotated = asset(
            AssetType::SecretsmanagerSecret,
            "arn:secret:anthropic",
            json!({"ai_provider": "anthropic", "rotation_enabled": true}),
        );
        let db = asset(
            AssetType::SecretsmanagerSecret,
            "arn:secret:db",
            json!({"rotation_enabled": false}),
        );
        let hits = evaluate(&inv(vec![ai, rotated, db]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, "arn:secret:openai");
    }
}
