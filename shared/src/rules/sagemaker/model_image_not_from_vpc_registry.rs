//! ## What it does
//! Flags SageMaker models with a container (the primary one, or any of a
//! multi-container inference pipeline) that does not pull its image from a
//! private registry in a VPC: no `ImageConfig`, or
//! `ImageConfig.RepositoryAccessMode=Platform`. Each such container is named
//! with its image and mode. A model whose description did not carry the
//! containers is not judged.
//!
//! ## Why is this bad?
//! The inference image is the code that sees every prompt and answer. Pulled
//! through the platform from a registry reachable over the internet, it is one
//! tag push away from a supply-chain change; a private registry reached through
//! the VPC keeps the source of the image under the account's network controls.
//!
//! ## Example
//! `"PrimaryContainer": {"Image": "...ecr.../llm:latest"}` (no `ImageConfig`);
//! use instead `"ImageConfig": {"RepositoryAccessMode": "Vpc"}` with the model in
//! a VPC that reaches the registry.
//!
//! ## Remediation
//! Create a new model whose containers set `ImageConfig.RepositoryAccessMode`
//! to `Vpc`, with `VpcConfig` subnets that reach the private registry (and
//! `RepositoryAuthConfig` where it needs credentials), and move the endpoint
//! configuration to it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-containers-inference-private.html>
//! - <https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html>

use serde_json::{Value, json};

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_model_image_not_from_vpc_registry",
        title: "SageMaker model containers are not pulled from a private registry in a VPC",
        severity: Severity::Medium,
        rationale: "The inference image sees every prompt and answer; pulled through the platform rather than from a private registry in the VPC, its source is outside the account's network controls.",
        resource_types: &[AssetType::SagemakerModel],
        collectors: &["sagemaker.models"],
        remediation: "Create a new model whose containers set `ImageConfig.RepositoryAccessMode=Vpc` with `VpcConfig` subnets that reach the private registry, and move the endpoint configuration to it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0010"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &["SageMaker.16", "SageMaker.19"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:SM-14"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerModel], |m| {
        let (Some(images), Some(modes)) = (
            m.attributes
                .get("container_images")
                .and_then(Value::as_array),
            m.attributes
                .get("repository_access_modes")
                .and_then(Value::as_array),
        ) else {
            return Vec::new();
        };
        let outside: Vec<Value> = images
            .iter()
            .zip(modes)
            .filter(|(_, mode)| mode.as_str() != Some("Vpc"))
            .map(|(image, mode)| json!({"image": image, "repository_access_mode": mode}))
            .collect();
        if outside.is_empty() {
            return Vec::new();
        }
        vec![ev(
            "sagemaker:DescribeModel",
            "ImageConfig.RepositoryAccessMode",
            Value::Array(outside),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};

    fn model(arn: &str, modes: Value) -> crate::model::Asset {
        let n = modes.as_array().map_or(0, Vec::len);
        let images: Vec<String> = (0..n).map(|i| format!("img{i}")).collect();
        asset(
            AssetType::SagemakerModel,
            arn,
            json!({"container_images": images, "repository_access_modes": modes}),
        )
    }

    #[test]
    fn flags_containers_without_vpc_access_mode() {
        let i = inv(vec![
            model("arn:m/unset", json!([null])),
            model("arn:m/platform", json!(["Platform"])),
            model("arn:m/vpc", json!(["Vpc"])),
            model("arn:m/pipeline", json!(["Vpc", "Platform"])),
            asset(AssetType::SagemakerModel, "arn:m/unread", json!({})),
        ]);
        assert_eq!(
            flagged(&RULE, &i),
            ["arn:m/unset", "arn:m/platform", "arn:m/pipeline"]
        );
        let hits = RULE.hits(&i, &RuleConfig::default());
        let pipeline = hits
            .iter()
            .find(|h| h.resource_arn == "arn:m/pipeline")
            .unwrap();
        assert_eq!(
            pipeline.evidence[0].value,
            json!([{"image": "img1", "repository_access_mode": "Platform"}])
        );
    }
}
