//! ## What it does
//! Flags SageMaker notebook instances with `RootAccess: Enabled`.
//!
//! ## Why is this bad?
//! Root lets any notebook user change the instance's software, disable
//! controls, and read whatever the instance's role can reach without a trace in
//! the notebook's history.
//!
//! ## Example
//! `RootAccess=Enabled`; use instead `RootAccess=Disabled` and install packages
//! through a lifecycle configuration.
//!
//! ## Remediation
//! Update the notebook instance with `RootAccess=Disabled` (stop, update, start).
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html>

use super::notebooks_where;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_root_access",
        title: "SageMaker notebook users have root access",
        severity: Severity::Medium,
        rationale: "Root on a notebook lets its users tamper with the instance and its controls.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Stop the notebook instance, update it with RootAccess=Disabled, and start it again.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0011"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.3"],
        needs: &[],
        covers: &[
            "prowler:sagemaker_notebook_instance_root_access_disabled",
            "aws-ai-ml-assessment:SM-09",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    notebooks_where(inv, "root_access", "RootAccess", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    #[test]
    fn flags_root_enabled_only() {
        let on = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/on",
            json!({"root_access": true}),
        );
        let off = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/off",
            json!({"root_access": false}),
        );
        let hits = evaluate(&inv(vec![on, off]), &RuleConfig::default());
        assert_eq!(
            hits.iter()
                .map(|h| h.resource_arn.as_str())
                .collect::<Vec<_>>(),
            vec!["arn:nb/on"]
        );
    }
}
