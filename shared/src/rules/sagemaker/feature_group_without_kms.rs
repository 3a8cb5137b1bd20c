//! ## What it does
//! Flags feature groups whose online store or offline (S3) store has no customer
//! KMS key.
//!
//! ## Why is this bad?
//! Features are often derived from personal data and are served to models at
//! inference time. A customer key lets you restrict, audit and revoke decryption
//! of both stores.
//!
//! ## Example
//! `OfflineStoreConfig.S3StorageConfig` without `KmsKeyId`; use instead a
//! customer key for both stores.
//!
//! ## Remediation
//! Recreate the feature group with `OnlineStoreConfig.SecurityConfig.KmsKeyId`
//! and `OfflineStoreConfig.S3StorageConfig.KmsKeyId` (they cannot be changed) and
//! backfill it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-security.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_feature_group_without_kms",
        title: "SageMaker Feature Store group is not encrypted with a customer KMS key",
        severity: Severity::Medium,
        rationale: "Feature stores hold curated customer features; without a customer key their encryption is outside your control.",
        resource_types: &[AssetType::SagemakerFeatureGroup],
        collectors: &["sagemaker.feature_groups"],
        remediation: "Recreate the feature group with `OnlineStoreConfig.SecurityConfig.KmsKeyId` and `OfflineStoreConfig.S3StorageConfig.KmsKeyId` (they cannot be changed) and backfill it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.17", "SageMaker.18"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:SM-15"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerFeatureGroup], |g| {
        let mut out = Vec::new();
        if g.bool_attr("online_store") == Some(true) && g.str_attr("online_kms_key_id").is_none() {
            out.push(ev(
                "sagemaker:DescribeFeatureGroup",
                "OnlineStoreConfig.SecurityConfig.KmsKeyId",
                serde_json::Value::Null,
            ));
        }
        if g.str_attr("offline_s3_uri").is_some() && g.str_attr("offline_kms_key_id").is_none() {
            out.push(ev(
                "sagemaker:DescribeFeatureGroup",
                "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
                serde_json::Value::Null,
            ));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_unkeyed_stores_only() {
        let bare = asset(
            AssetType::SagemakerFeatureGroup,
            "arn:g/bare",
            json!({"online_store": true, "offline_s3_uri": "s3://b/p"}),
        );
        let keyed = asset(
            AssetType::SagemakerFeatureGroup,
            "arn:g/keyed",
            json!({"online_store": true, "online_kms_key_id": "k", "offline_s3_uri": "s3://b/p", "offline_kms_key_id": "k"}),
        );
        let offline_only = asset(
            AssetType::SagemakerFeatureGroup,
            "arn:g/off",
            json!({"online_store": false, "offline_s3_uri": "s3://b/p", "offline_kms_key_id": "k"}),
        );
        assert_eq!(
            flagged(&RULE, &inv(vec![bare, keyed, offline_only])),
            ["arn:g/bare"]
        );
    }
}
