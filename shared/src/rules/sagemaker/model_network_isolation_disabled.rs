//! ## What it does
//! Flags SageMaker models with `EnableNetworkIsolation=false`. A model whose
//! description omits the field is not judged: the rule records a `not_reported`
//! coverage gap instead.
//!
//! ## Why is this bad?
//! Inference containers see every prompt and prediction. Without network
//! isolation the container (or a compromised dependency in it) can call out to
//! the internet or other AWS services.
//!
//! ## Example
//! `EnableNetworkIsolation=false`; use instead `EnableNetworkIsolation=true`
//! (model artifacts are still loaded by SageMaker).
//!
//! ## Remediation
//! Create a new model version with `EnableNetworkIsolation=true`, point the
//! endpoint config at it, and update the endpoint.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_model_network_isolation_disabled",
        title: "SageMaker model containers are not network-isolated",
        severity: Severity::High,
        rationale: "A model container with network access can send inference data out or fetch a tampered payload at run time.",
        resource_types: &[AssetType::SagemakerModel],
        collectors: &["sagemaker.models"],
        remediation: "Create a new model version with `EnableNetworkIsolation=true`, point the endpoint config at it, and update the endpoint.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025", "AML.T0010"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.5"],
        needs: &["network_isolation"],
        covers: &[
            "prowler:sagemaker_models_network_isolation_enabled",
            "aws-ai-ml-assessment:SM-11",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerModel], |m| {
        match m.bool_attr("network_isolation") {
            Some(false) => vec![ev(
                "sagemaker:DescribeModel",
                "EnableNetworkIsolation",
                false,
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
    fn flags_disabled_isolation_and_skips_unreported() {
        let open = asset(
            AssetType::SagemakerModel,
            "arn:m/open",
            json!({"network_isolation": false}),
        );
        let closed = asset(
            AssetType::SagemakerModel,
            "arn:m/closed",
            json!({"network_isolation": true}),
        );
        let unknown = asset(
            AssetType::SagemakerModel,
            "arn:m/unknown",
            json!({"unreported": ["network_isolation"]}),
        );
        let i = inv(vec![open, closed, unknown]);
        assert_eq!(flagged(&RULE, &i), ["arn:m/open"]);
        let (_, cov) =
            crate::rules::evaluate(&i, &RuleConfig::default(), crate::model::Timestamp::now());
        let gap = cov
            .iter()
            .find(|c| c.collector == "rule:sagemaker_model_network_isolation_disabled")
            .expect("a coverage gap for the unreported model");
        assert_eq!(
            gap.reason,
            Some(crate::model::NotAssessedReason::NotReported)
        );
        assert!(
            gap.detail
                .as_deref()
                .unwrap_or_default()
                .contains("arn:m/unknown")
        );
    }
}
