//! ## What it does
//! Flags endpoint configurations with an instance-backed production variant whose
//! `InitialInstanceCount` is below 2.
//!
//! ## Why is this bad?
//! With a single instance, an instance failure or an Availability Zone event
//! takes the model offline; SageMaker spreads two or more instances across zones.
//!
//! ## Example
//! `InitialInstanceCount=1`; use instead 2 or more (and autoscaling).
//!
//! ## Remediation
//! Create a new endpoint configuration with `InitialInstanceCount` of at least 2
//! per variant and update the endpoint.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/best-practice-endpoint-deployment.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_endpoint_config_single_instance",
        title: "SageMaker endpoint variant runs on a single instance",
        severity: Severity::Medium,
        rationale: "One instance is one failure away from an outage of the model and everything that calls it.",
        resource_types: &[AssetType::SagemakerEndpointConfig],
        collectors: &["sagemaker.endpoint_configs"],
        remediation: "Create a new endpoint configuration with `InitialInstanceCount` of at least 2 per variant and update the endpoint.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM10"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0029"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.4"],
        needs: &[],
        covers: &[
            "prowler:sagemaker_endpoint_config_prod_variant_instances",
            "aws-ai-ml-assessment:SM-12",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerEndpointConfig], |c| {
        super::variants(c)
            .filter(|v| v.get("serverless").and_then(serde_json::Value::as_bool) != Some(true))
            .filter_map(|v| {
                let n = v.get("initial_instance_count")?.as_i64()?;
                (n < 2).then(|| {
                    ev(
                        "sagemaker:DescribeEndpointConfig",
                        "ProductionVariants.InitialInstanceCount",
                        serde_json::json!({"variant": v.get("variant_name"), "count": n}),
                    )
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_single_instance_variants_only() {
        let one = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/one",
            json!({"variants": [{"variant_name": "a", "initial_instance_count": 1}]}),
        );
        let two = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/two",
            json!({"variants": [{"variant_name": "a", "initial_instance_count": 2}]}),
        );
        let sls = asset(
            AssetType::SagemakerEndpointConfig,
            "arn:c/sls",
            json!({"variants": [{"serverless": true}]}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![one, two, sls])), ["arn:c/one"]);
    }
}
