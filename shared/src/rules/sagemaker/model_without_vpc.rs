//! ## What it does
//! Flags SageMaker models with no `VpcConfig` subnets.
//!
//! ## Why is this bad?
//! A model in your VPC reaches data only through your endpoints, security groups
//! and logs; outside it, its traffic is invisible to those controls.
//!
//! ## Example
//! A model with no `VpcConfig`; use instead `VpcConfig={Subnets=[private
//! subnets], SecurityGroupIds=[...]}`.
//!
//! ## Remediation
//! Create a new model version with `VpcConfig` on private subnets and update the
//! endpoint config to use it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_model_without_vpc",
        title: "SageMaker model runs outside a VPC",
        severity: Severity::Medium,
        rationale: "Without a VPC configuration the model's containers use SageMaker's network, out of reach of your VPC controls and flow logs.",
        resource_types: &[AssetType::SagemakerModel],
        collectors: &["sagemaker.models"],
        remediation: "Create a new model version with `VpcConfig` on private subnets and update the endpoint config to use it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:sagemaker_models_vpc_settings_configured"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerModel], |m| {
        match m.bool_attr("vpc_configured") {
            Some(false) => vec![ev(
                "sagemaker:DescribeModel",
                "VpcConfig",
                serde_json::Value::Null,
            )],
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
    fn flags_models_without_vpc_only() {
        let bare = asset(
            AssetType::SagemakerModel,
            "arn:m/bare",
            json!({"vpc_configured": false}),
        );
        let vpc = asset(
            AssetType::SagemakerModel,
            "arn:m/vpc",
            json!({"vpc_configured": true}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![bare, vpc])), ["arn:m/bare"]);
    }
}
