//! ## What it does
//! Flags SageMaker models whose container images are not Amazon ECR images
//! (`<account>.dkr.ecr.<region>.amazonaws.com/...`).
//!
//! ## Why is this bad?
//! A model container from Docker Hub or another public registry is code you did
//! not build, scan or pin; whoever controls that repository controls your
//! inference.
//!
//! ## Example
//! `Image=docker.io/someone/llm-server:latest`; use instead an image copied into
//! your own ECR repository, scanned and pinned by digest.
//!
//! ## Remediation
//! Copy the image into a private ECR repository with scanning enabled, reference
//! it by digest, and recreate the model.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-containers-inference-private.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_model_public_registry_image",
        title: "SageMaker model runs a container image from outside Amazon ECR",
        severity: Severity::Medium,
        rationale: "Images pulled from public registries bypass your image scanning and can change under the same tag.",
        resource_types: &[AssetType::SagemakerModel],
        collectors: &["sagemaker.models"],
        remediation: "Copy the image into a private ECR repository with scanning enabled, reference it by digest, and recreate the model.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &["ASI04"],
        mitre_atlas: &["AML.T0010"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:SM-14"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerModel], |m| {
        let outside: Vec<&str> = m
            .attributes
            .get("container_images")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .filter(|i| !super::is_ecr_image(i))
            .collect();
        if outside.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "sagemaker:DescribeModel",
            "Containers.Image",
            serde_json::json!(outside),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_non_ecr_images_only() {
        let hub = asset(
            AssetType::SagemakerModel,
            "arn:m/hub",
            json!({"container_images": ["docker.io/x/llm:latest"]}),
        );
        let ecr = asset(
            AssetType::SagemakerModel,
            "arn:m/ecr",
            json!({"container_images": ["763104351884.dkr.ecr.us-east-1.amazonaws.com/tgi:2"]}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![hub, ecr])), ["arn:m/hub"]);
    }
}
