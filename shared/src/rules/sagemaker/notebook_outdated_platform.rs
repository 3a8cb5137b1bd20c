//! ## What it does
//! Flags notebook instances whose `PlatformIdentifier` is an Amazon Linux 1
//! platform (`notebook-al1-*`).
//!
//! ## Why is this bad?
//! The AL1 notebook platforms reached end of support: their OS packages, Jupyter
//! and kernels no longer receive security fixes, and every user of the notebook
//! runs on them.
//!
//! ## Example
//! `PlatformIdentifier=notebook-al1-v1`; use instead `notebook-al2023-v1`.
//!
//! ## Remediation
//! Create a replacement notebook instance on a supported platform (`notebook-
//! al2023-v1`), migrate the notebooks, and delete the old instance.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-al2.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_outdated_platform",
        title: "SageMaker notebook runs on an outdated platform",
        severity: Severity::Medium,
        rationale: "Amazon Linux 1 notebook platforms no longer get security updates.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Create a replacement notebook instance on a supported platform (`notebook-al2023-v1`), migrate the notebooks, and delete the old instance.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0010"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.8"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:SM-05"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerNotebookInstance], |n| {
        match n.str_attr("platform_identifier") {
            Some(p) if p.starts_with("notebook-al1") => {
                vec![ev(
                    "sagemaker:DescribeNotebookInstance",
                    "PlatformIdentifier",
                    p,
                )]
            }
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_al1_platforms_only() {
        let old = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/old",
            json!({"platform_identifier": "notebook-al1-v1"}),
        );
        let new = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/new",
            json!({"platform_identifier": "notebook-al2023-v1"}),
        );
        let unknown = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/unknown",
            json!({}),
        );
        assert_eq!(
            flagged(&RULE, &inv(vec![old, new, unknown])),
            ["arn:nb/old"]
        );
    }
}
