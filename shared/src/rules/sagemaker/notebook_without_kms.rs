//! ## What it does
//! Flags SageMaker notebook instances created without `KmsKeyId`: their ML
//! storage volume is encrypted with an AWS-owned key only.
//!
//! ## Why is this bad?
//! A notebook's volume keeps datasets, checkpoints and cached credentials. A
//! customer-managed key lets you restrict and log decryption and revoke it; an
//! AWS-owned key gives you neither.
//!
//! ## Example
//! A notebook created with no `KmsKeyId`; use instead
//! `KmsKeyId=arn:aws:kms:...:key/...` with a key policy limited to the notebook's
//! role.
//!
//! ## Remediation
//! Recreate the notebook instance with a customer-managed KMS key (KmsKeyId
//! cannot be changed on an existing instance); move its data first.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest-nbi.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag_absent};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_without_kms",
        title: "SageMaker notebook storage is not encrypted with a customer KMS key",
        severity: Severity::High,
        rationale: "Notebook volumes hold copies of training data and credentials; without a customer key nobody controls or audits who can decrypt them.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Recreate the notebook instance with a customer-managed KMS key (KmsKeyId cannot be changed on an existing instance); move its data first.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0035"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.21"],
        needs: &[],
        covers: &[
            "prowler:sagemaker_notebook_instance_encryption_enabled",
            "aws-ai-ml-assessment:SM-03",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag_absent(
        inv,
        AssetType::SagemakerNotebookInstance,
        "kms_key_id",
        "sagemaker:DescribeNotebookInstance",
        "KmsKeyId",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_notebooks_without_a_key_only() {
        let bare = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/bare",
            json!({"root_access": false}),
        );
        let keyed = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/keyed",
            json!({"kms_key_id": "k-1"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![bare, keyed])), ["arn:nb/bare"]);
    }
}
