//! ## What it does
//! Flags AI workloads (notebooks, Studio domains, models, endpoints, training
//! jobs, pipelines, registries, Bedrock custom models, agents, knowledge bases,
//! AgentCore runtimes and gateways) that carry no owner tag. The tag keys are
//! configurable (`owner`, `team` by default); the evidence also says whether a
//! purpose tag is present.
//!
//! ## Why is this bad?
//! An AI asset nobody owns is shadow AI: no one approved it, no one answers for
//! its data or its access, and no one fixes its findings.
//!
//! ## Example
//! An endpoint with no tags; use instead `owner=fraud-ml`, `purpose=fraud-scoring`.
//!
//! ## Remediation
//! Find the creator (CloudTrail `Create*` event), tag the asset with an owner
//! and purpose, or retire it.
//!
//! ## References
//! - <https://www.nist.gov/itl/ai-risk-management-framework> (Govern 1.6: AI inventory)

use serde_json::json;

use crate::model::{FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "governance_asset_without_owner",
        title: "AI asset has no owner (shadow AI)",
        severity: Severity::Medium,
        rationale: "Unowned AI assets are unapproved and unaccountable; their risks go unfixed.",
        resource_types: &[],
        collectors: &[
            "sagemaker.notebook_instances",
            "sagemaker.domains",
            "sagemaker.models",
            "sagemaker.endpoints",
            "sagemaker.pipelines",
            "sagemaker.model_package_groups",
            "bedrock.custom_models",
            "bedrock_agent.agents",
            "bedrock_agent.knowledge_bases",
        ],
        remediation: "Tag the asset with an owner and a business purpose, or decommission it if nobody claims it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Map],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig) -> Vec<Hit> {
    inv.assets
        .iter()
        .filter(|a| a.asset_type.is_ai_workload())
        .filter(|a| {
            // Jobs inherit ownership from what launched them; only long-lived
            // assets need their own tags.
            !matches!(a.asset_type, crate::model::AssetType::SagemakerTrainingJob)
        })
        .filter(|a| {
            cfg.owner_tag_keys
                .iter()
                .all(|k| a.tag(k).is_none_or(str::is_empty))
        })
        .map(|a| {
            let purpose = cfg.purpose_tag_keys.iter().find_map(|k| a.tag(k));
            Hit {
                resource_arn: a.arn.clone(),
                evidence: vec![
                    FindingEvidence::new("aispm:tags", "owner", json!(null)),
                    FindingEvidence::new("aispm:tags", "purpose", json!(purpose)),
                    FindingEvidence::new(
                        "aispm:tags",
                        "tag_keys",
                        json!(a.tags.keys().collect::<Vec<_>>()),
                    ),
                ],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AssetType;
    use crate::rules::testkit::{asset, inv};

    #[test]
    fn flags_untagged_endpoint_not_tagged_one_or_a_bucket() {
        let untagged = asset(AssetType::SagemakerEndpoint, "arn:ep/shadow", json!({}));
        let mut owned = asset(AssetType::SagemakerEndpoint, "arn:ep/owned", json!({}));
        owned.tags.insert("Owner".into(), "fraud-ml".into());
        let bucket = asset(AssetType::S3Bucket, "arn:aws:s3:::data", json!({}));
        let hits = evaluate(&inv(vec![untagged, owned, bucket]), &RuleConfig::default());
        assert_eq!(
            hits.iter()
                .map(|h| h.resource_arn.as_str())
                .collect::<Vec<_>>(),
            vec!["arn:ep/shadow"]
        );
    }

    #[test]
    fn tag_keys_are_configurable() {
        let mut a = asset(AssetType::BedrockAgent, "arn:agent/x", json!({}));
        a.tags.insert("cost-center-owner".into(), "ml".into());
        let cfg = RuleConfig {
            owner_tag_keys: vec!["cost-center-owner".into()],
            ..RuleConfig::default()
        };
        assert!(evaluate(&inv(vec![a.clone()]), &cfg).is_empty());
        assert_eq!(evaluate(&inv(vec![a]), &RuleConfig::default()).len(), 1);
    }
}
