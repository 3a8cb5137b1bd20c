//! ## What it does
//! Flags SageMaker notebook instances launched without a VPC subnet.
//!
//! ## Why is this bad?
//! Outside a customer VPC the notebook's traffic bypasses security groups, VPC
//! endpoints policies and flow logs, so nothing limits or records what it sends.
//!
//! ## Example
//! `CreateNotebookInstance` with no `SubnetId`; use instead a `SubnetId` and
//! `SecurityGroupIds` in a private subnet.
//!
//! ## Remediation
//! Recreate the notebook instance in a private subnet of your VPC.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>

use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_without_vpc",
        title: "SageMaker notebook is not in a VPC",
        severity: Severity::High,
        rationale: "Without a VPC, no security group, endpoint policy or flow log governs the notebook's traffic.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Recreate the notebook instance with a SubnetId and security groups in a private subnet.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.2"],
        needs: &[],
        covers: &[
            "prowler:sagemaker_notebook_instance_vpc_settings_configured",
            "aws-ai-ml-assessment:SM-10",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    of_type(inv, AssetType::SagemakerNotebookInstance)
        .filter(|n| n.str_attr("subnet_id").is_none_or(str::is_empty))
        .map(|n| Hit {
            resource_arn: n.arn.clone(),
            evidence: vec![FindingEvidence::new(
                "sagemaker:DescribeNotebookInstance",
                "SubnetId",
                serde_json::Value::Null,
            )],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    #[test]
    fn flags_missing_subnet_only() {
        let none = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/none",
            json!({}),
        );
        let vpc = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/vpc",
            json!({"subnet_id": "subnet-1"}),
        );
        let hits = evaluate(&inv(vec![none, vpc]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, "arn:nb/none");
    }
}
