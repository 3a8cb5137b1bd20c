//! ## What it does
//! Flags SageMaker notebook instances with `DirectInternetAccess: Enabled`.
//!
//! ## Why is this bad?
//! The notebook's execution role usually reads training data and model
//! artifacts; a direct internet path lets code on the notebook send them out and
//! fetch unreviewed packages, bypassing VPC egress controls.
//!
//! ## Example
//! `CreateNotebookInstance(DirectInternetAccess=Enabled)`; use instead
//! `DirectInternetAccess=Disabled` with a `SubnetId` whose route goes through a
//! NAT or proxy you control.
//!
//! ## Remediation
//! Recreate the notebook with direct internet access disabled, in a VPC subnet.
//!
//! ## References
//! - <https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html>

use super::notebooks_where;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_direct_internet_access",
        title: "SageMaker notebook has direct internet access",
        severity: Severity::High,
        rationale: "A direct internet path lets notebook code exfiltrate training data and pull unreviewed code.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Recreate the notebook instance with DirectInternetAccess=Disabled in a VPC subnet with controlled egress.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM02", "LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.1"],
        needs: &[],
        covers: &["prowler:sagemaker_notebook_instance_without_direct_internet_access_configured"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    notebooks_where(inv, "direct_internet_access", "DirectInternetAccess", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    #[test]
    fn flags_enabled_and_skips_disabled_or_unknown() {
        let on = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/on",
            json!({"direct_internet_access": true}),
        );
        let off = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/off",
            json!({"direct_internet_access": false}),
        );
        let unknown = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/unknown",
            json!({}),
        );
        let hits = evaluate(&inv(vec![on, off, unknown]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, "arn:nb/on");
        assert_eq!(hits[0].evidence[0].value, json!("Enabled"));
    }
}
