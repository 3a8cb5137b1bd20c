//! ## What it does
//! Flags roles that AI workloads run as (execution roles of notebooks, models,
//! jobs, agents, knowledge bases and agent tools) last used more than the
//! configured number of days ago (90 by default), or never used and older than
//! that.
//!
//! ## Why is this bad?
//! Stale AI roles keep read access to training data and models long after the
//! work ended; nobody reviews them, and a forgotten trust policy makes them an
//! easy foothold.
//!
//! ## Example
//! `RoleLastUsed.LastUsedDate` 8 months ago; use instead delete the role with the
//! workload, or scope it down.
//!
//! ## Remediation
//! Confirm the workload is retired, then delete the role (or remove its
//! policies); keep execution roles in the same stack as their workload.
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_ai_role_unused",
        title: "AI workload role has not been used for months",
        severity: Severity::Low,
        rationale: "A role kept for a retired model or job keeps its data access for whoever can still assume it.",
        resource_types: &[AssetType::IamRole],
        collectors: &["iam.authorization_details"],
        remediation: "Confirm the workload is retired, then delete the role (or remove its policies); keep execution roles in the same stack as their workload.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-03", "aws-ai-ml-assessment:BR-14"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig) -> Vec<Hit> {
    let limit = cfg.unused_before();
    let roles = super::ai_roles(inv);
    flag(inv, &[AssetType::IamRole], |r| {
        let Some(users) = roles.get(r.arn.as_str()) else {
            return Vec::new();
        };
        let Some(mut evidence) = super::idle_since(r, "last_used", "create_date", limit) else {
            return Vec::new();
        };
        evidence.push(ev("aispm:graph", "used_by", serde_json::json!(users)));
        evidence
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_idle_ai_roles_only() {
        let cfg = RuleConfig {
            now: Some(1_800_000_000),
            ..RuleConfig::default()
        };
        let role = |arn: &str, v: serde_json::Value| asset(AssetType::IamRole, arn, v);
        let mut i = inv(vec![
            role(
                "arn:aws:iam::1:role/stale",
                json!({"create_date": "2020-01-01T00:00:00Z", "last_used": "2021-01-01T00:00:00Z"}),
            ),
            role(
                "arn:aws:iam::1:role/busy",
                json!({"create_date": "2020-01-01T00:00:00Z", "last_used": "2027-01-14T00:00:00Z"}),
            ),
            role(
                "arn:aws:iam::1:role/other",
                json!({"create_date": "2020-01-01T00:00:00Z"}),
            ),
            asset(AssetType::SagemakerModel, "arn:m/a", json!({})),
            asset(AssetType::SagemakerModel, "arn:m/b", json!({})),
        ]);
        for (m, r) in [("arn:m/a", "stale"), ("arn:m/b", "busy")] {
            i.edges.push(crate::model::Edge::new(
                m,
                format!("arn:aws:iam::1:role/{r}"),
                crate::model::EdgeKind::ExecutesAs,
                crate::model::Evidence::new("sagemaker:DescribeModel", "ExecutionRoleArn"),
            ));
        }
        let hits: Vec<String> = RULE
            .hits(&i, &cfg)
            .into_iter()
            .map(|h| h.resource_arn)
            .collect();
        assert_eq!(hits, ["arn:aws:iam::1:role/stale"]);
        assert!(flagged(&RULE, &inv(Vec::new())).is_empty());
    }
}
