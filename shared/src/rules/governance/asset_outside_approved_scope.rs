//! ## What it does
//! Flags AI workloads in a region or account that is not on the configured
//! approved lists. With no lists configured (the default) the rule flags nothing.
//!
//! ## Why is this bad?
//! Data residency, model approval and monitoring are set up per approved region
//! and account. A model or agent elsewhere processes data where nobody agreed it
//! could, without those controls.
//!
//! ## Example
//! Approved regions `eu-west-1`, an endpoint in `us-east-1`; use instead deploy
//! in an approved region or extend the approval.
//!
//! ## Remediation
//! Move the workload to an approved region and account, or record an approval and
//! add it to the list; enforce with an SCP on `aws:RequestedRegion`.
//!
//! ## References
//! - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html>

use crate::model::{Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "governance_asset_outside_approved_scope",
        title: "AI asset runs outside the approved regions or accounts",
        severity: Severity::Medium,
        rationale: "AI workloads outside approved regions or accounts escape data-residency commitments and the controls built for the approved ones.",
        resource_types: &[],
        collectors: &[
            "sagemaker.notebook_instances",
            "sagemaker.domains",
            "sagemaker.models",
            "sagemaker.endpoints",
            "sagemaker.pipelines",
            "bedrock.custom_models",
            "bedrock_agent.agents",
            "bedrock_agent.knowledge_bases",
        ],
        remediation: "Move the workload to an approved region and account, or record an approval and add it to the list; enforce with an SCP on `aws:RequestedRegion`.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Govern],
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
        .filter_map(|a| {
            let mut evidence = Vec::new();
            if !cfg.approved_regions.is_empty()
                && a.region != "global"
                && !cfg.approved_regions.contains(&a.region)
            {
                evidence.push(ev("aispm:config", "region", a.region.as_str()));
                evidence.push(ev(
                    "aispm:config",
                    "approved_regions",
                    serde_json::json!(cfg.approved_regions),
                ));
            }
            if !cfg.approved_accounts.is_empty() && !cfg.approved_accounts.contains(&a.account_id) {
                evidence.push(ev("aispm:config", "account_id", a.account_id.as_str()));
                evidence.push(ev(
                    "aispm:config",
                    "approved_accounts",
                    serde_json::json!(cfg.approved_accounts),
                ));
            }
            (!evidence.is_empty()).then(|| Hit {
                resource_arn: a.arn.clone(),
                evidence,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AssetType;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_assets_outside_configured_scope_only() {
        let mut eu = asset(AssetType::SagemakerEndpoint, "arn:e/eu", json!({}));
        eu.region = "eu-west-1".into();
        let us = asset(AssetType::SagemakerEndpoint, "arn:e/us", json!({}));
        let i = inv(vec![eu, us]);
        assert!(
            flagged(&RULE, &i).is_empty(),
            "no lists configured: nothing flagged"
        );
        let cfg = RuleConfig {
            approved_regions: vec!["eu-west-1".into()],
            ..RuleConfig::default()
        };
        let hits: Vec<String> = RULE
            .hits(&i, &cfg)
            .into_iter()
            .map(|h| h.resource_arn)
            .collect();
        assert_eq!(hits, ["arn:e/us"]);
        let cfg = RuleConfig {
            approved_accounts: vec!["222222222222".into()],
            ..RuleConfig::default()
        };
        assert_eq!(RULE.hits(&i, &cfg).len(), 2);
    }
}
