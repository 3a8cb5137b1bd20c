//! ## What it does
//! Flags owned AI workloads (see `governance_asset_without_owner` for unowned
//! ones) that carry none of the configured purpose tag keys (`purpose`,
//! `application` by default).
//!
//! ## Why is this bad?
//! An AI inventory needs what each model and agent is for (NIST AI RMF Map 1.1)
//! to judge its risk, its data needs and when to retire it.
//!
//! ## Example
//! `owner=fraud-ml` only; use instead also `purpose=fraud-scoring`.
//!
//! ## Remediation
//! Tag the asset with its business purpose (or the application it serves).
//!
//! ## References
//! - <https://www.nist.gov/itl/ai-risk-management-framework>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "governance_asset_without_purpose",
        title: "AI asset has an owner but no declared purpose",
        severity: Severity::Low,
        rationale: "Without a purpose nobody can judge whether the asset's data and access are still needed.",
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
        remediation: "Tag the asset with its business purpose (or the application it serves).",
        remediation_action: None,
        exposure: false,
        owasp_llm: &[],
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
        .filter(|a| {
            a.asset_type.is_ai_workload() && a.asset_type != AssetType::SagemakerTrainingJob
        })
        .filter(|a| {
            cfg.owner_tag_keys
                .iter()
                .any(|k| a.tag(k).is_some_and(|v| !v.is_empty()))
        })
        .filter(|a| {
            cfg.purpose_tag_keys
                .iter()
                .all(|k| a.tag(k).is_none_or(str::is_empty))
        })
        .map(|a| Hit {
            resource_arn: a.arn.clone(),
            evidence: vec![
                ev("aispm:tags", "purpose", serde_json::Value::Null),
                ev(
                    "aispm:tags",
                    "purpose_tag_keys",
                    serde_json::json!(cfg.purpose_tag_keys),
                ),
            ],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_owned_assets_without_purpose_only() {
        let tagged = |arn: &str, tags: &[(&str, &str)]| {
            let mut a = asset(AssetType::SagemakerEndpoint, arn, json!({}));
            a.tags = tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            a
        };
        let i = inv(vec![
            tagged("arn:e/owned", &[("owner", "ml")]),
            tagged("arn:e/both", &[("owner", "ml"), ("purpose", "scoring")]),
            tagged("arn:e/unowned", &[]),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:e/owned"]);
    }
}
