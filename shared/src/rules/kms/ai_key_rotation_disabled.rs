//! ## What it does
//! Flags enabled customer managed KMS keys that protect AI assets (a
//! training or artifact bucket, a notebook, an endpoint's volumes, a job's
//! output: anything in the graph encrypted by the key) and have automatic
//! key rotation turned off.
//!
//! ## Why is this bad?
//! Without rotation the same key material protects every model artifact and
//! dataset for as long as the key lives; material that leaked, or was
//! copied by a departed administrator, keeps decrypting new data.
//!
//! ## Example
//! The key of `training-data` with `KeyRotationEnabled: false`; use instead
//! automatic rotation (yearly by default).
//!
//! ## Remediation
//! Turn on automatic key rotation (`EnableKeyRotation`); old material stays
//! available to decrypt what it encrypted.
//!
//! ## References
//! - <https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html>

use serde_json::json;

use crate::model::{AssetType, EdgeKind, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "kms_ai_key_rotation_disabled",
        title: "KMS key protecting AI assets has rotation turned off",
        severity: Severity::Medium,
        rationale: "Key material that never rotates keeps decrypting new model artifacts and datasets if it ever leaked.",
        resource_types: &[AssetType::KmsKey],
        collectors: &["kms.keys"],
        remediation: "Turn on automatic key rotation for the key.",
        remediation_action: Some("enable_kms_key_rotation"),
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["KMS.4"],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    of_type(inv, AssetType::KmsKey)
        .filter(|k| k.bool_attr("rotation_enabled") == Some(false))
        .filter(|k| k.str_attr("key_state").is_none_or(|s| s == "Enabled"))
        .filter_map(|k| {
            let protects: Vec<&str> = inv
                .edges_to(&k.arn)
                .filter(|e| e.kind == EdgeKind::EncryptedBy)
                .map(|e| e.from.as_str())
                .collect();
            (!protects.is_empty()).then(|| Hit {
                resource_arn: k.arn.clone(),
                evidence: vec![
                    FindingEvidence::new("kms:GetKeyRotationStatus", "KeyRotationEnabled", false),
                    FindingEvidence::new("aispm:graph", "encrypts", json!(protects)),
                ],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Evidence};
    use crate::rules::testkit::{asset, inv};

    fn encrypted_by(from: &str, key: &str) -> Edge {
        Edge {
            from: from.into(),
            to: key.into(),
            kind: EdgeKind::EncryptedBy,
            evidence: Evidence {
                source: "t".into(),
                field: "t".into(),
            },
        }
    }

    #[test]
    fn flags_an_unrotated_key_of_ai_data_only() {
        let unrotated = asset(
            AssetType::KmsKey,
            "arn:key:a",
            json!({"rotation_enabled": false, "key_state": "Enabled"}),
        );
        let rotated = asset(
            AssetType::KmsKey,
            "arn:key:b",
            json!({"rotation_enabled": true, "key_state": "Enabled"}),
        );
        let unused = asset(
            AssetType::KmsKey,
            "arn:key:c",
            json!({"rotation_enabled": false, "key_state": "Enabled"}),
        );
        let pending = asset(
            AssetType::KmsKey,
            "arn:key:d",
            json!({"rotation_enabled": false, "key_state": "PendingDeletion"}),
        );
        let bucket = asset(AssetType::S3Bucket, "arn:aws:s3:::train", json!({}));
        let mut i = inv(vec![unrotated, rotated, unused, pending, bucket]);
        for k in ["arn:key:a", "arn:key:b", "arn:key:d"] {
            i.edges.push(encrypted_by("arn:aws:s3:::train", k));
        }
        let hits = evaluate(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].resource_arn, "arn:key:a");
        assert_eq!(hits[0].evidence[1].value, json!(["arn:aws:s3:::train"]));
    }
}
