//! ## What it does
//! Flags SageMaker endpoints serving a model none of whose containers was
//! made from a model package of the SageMaker Model Registry
//! (`ModelPackageName`); the evidence names the models.
//!
//! ## Why is this bad?
//! The registry is where a model version gets its lineage (training job,
//! data, metrics) and its approval. A model built straight from an image and
//! an S3 artifact reached production without either: nobody approved that
//! version, and after an incident nobody can say what data made it or roll
//! back to the last approved one.
//!
//! ## Example
//! `CreateModel` with `PrimaryContainer.Image` and `ModelDataUrl`; use
//! instead `PrimaryContainer.ModelPackageName` naming an `Approved` version
//! of a model package group.
//!
//! ## Remediation
//! Register the model version in a model package group (with its metrics and
//! lineage), approve it, create the SageMaker model from the package, and
//! point the endpoint's configuration at that model.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry.html>

use serde_json::{Value, json};

use crate::model::{AssetType, EdgeKind, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_endpoint_model_not_from_registry",
        title: "SageMaker endpoint serves a model that did not come through the model registry",
        severity: Severity::Low,
        rationale: "A model deployed without the registry has no approval and no lineage: nobody approved that version, and nobody can say what data made it or roll back.",
        resource_types: &[AssetType::SagemakerEndpoint],
        collectors: &[
            "sagemaker.endpoints",
            "sagemaker.endpoint_configs",
            "sagemaker.models",
        ],
        remediation: "Register and approve the model version in a model package group, create the SageMaker model from the package, and point the endpoint's configuration at it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0010"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:sagemaker_models_registry_in_use",
            "aws-ai-ml-assessment:SM-08",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerEndpoint], |e| {
        let unregistered: Vec<&str> = inv
            .edges_from(&e.arn)
            .filter(|x| x.kind == EdgeKind::UsesEndpointConfig)
            .flat_map(|c| inv.edges_from(&c.to))
            .filter(|x| x.kind == EdgeKind::ServesModel)
            .filter_map(|m| inv.asset(&m.to))
            .filter(|m| {
                // A model read without the attribute is not judged.
                m.attributes
                    .get("model_packages")
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
            })
            .map(|m| m.name.as_str())
            .collect();
        if unregistered.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "sagemaker:DescribeModel",
            "Containers[].ModelPackageName",
            json!({ "models": unregistered, "model_package_name": null }),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Evidence};
    use crate::rules::testkit::{asset, flagged, inv};

    fn estate(packages: Value) -> Inventory {
        let p = "arn:aws:sagemaker:us-east-1:111111111111:";
        let mut i = inv(vec![
            asset(
                AssetType::SagemakerEndpoint,
                &format!("{p}endpoint/fraud"),
                json!({}),
            ),
            asset(
                AssetType::SagemakerEndpointConfig,
                &format!("{p}endpoint-config/fraud"),
                json!({}),
            ),
            asset(
                AssetType::SagemakerModel,
                &format!("{p}model/fraud"),
                json!({ "model_packages": packages }),
            ),
        ]);
        i.edges = vec![
            Edge::new(
                format!("{p}endpoint/fraud"),
                format!("{p}endpoint-config/fraud"),
                EdgeKind::UsesEndpointConfig,
                Evidence::new("sagemaker:DescribeEndpoint", "EndpointConfigName"),
            ),
            Edge::new(
                format!("{p}endpoint-config/fraud"),
                format!("{p}model/fraud"),
                EdgeKind::ServesModel,
                Evidence::new("sagemaker:DescribeEndpointConfig", "ProductionVariants"),
            ),
        ];
        i
    }

    #[test]
    fn flags_endpoints_serving_a_model_built_outside_the_registry() {
        assert_eq!(
            flagged(&RULE, &estate(json!([]))),
            ["arn:aws:sagemaker:us-east-1:111111111111:endpoint/fraud"]
        );
        assert!(
            flagged(
                &RULE,
                &estate(json!([
                    "arn:aws:sagemaker:us-east-1:111111111111:model-package/fraud-scoring-models/3"
                ]))
            )
            .is_empty()
        );
        assert!(
            flagged(&RULE, &estate(Value::Null)).is_empty(),
            "not reported: not judged"
        );
    }
}
