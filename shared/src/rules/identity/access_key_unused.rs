//! ## What it does
//! Flags active IAM access keys not used for more than the configured number of
//! days (90 by default), or never used and older than that.
//!
//! ## Why is this bad?
//! Long-lived keys leak through code, laptops and CI logs. A key nobody uses can
//! be removed at no cost, and one that suddenly starts being used after months is
//! exactly what an attacker looks like.
//!
//! ## Example
//! A key created 200 days ago, last used never; use instead no key (roles, IAM
//! Identity Center), or rotate and remove unused ones.
//!
//! ## Remediation
//! Deactivate the key, wait for complaints, then delete it; prefer roles and
//! short-lived credentials.
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_access_key_unused",
        title: "IAM access key is active but unused",
        severity: Severity::Medium,
        rationale: "An active key nobody uses is a standing credential with no owner watching it: pure risk if it leaks.",
        resource_types: &[AssetType::IamAccessKey],
        collectors: &["iam.authorization_details"],
        remediation: "Deactivate the key, wait for complaints, then delete it; prefer roles and short-lived credentials.",
        remediation_action: Some("deactivate_access_key"),
        exposure: false,
        owasp_llm: &["LLM03"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0012", "AML.T0055"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:iam_user_accesskey_unused",
            "prowler:iam_user_with_temporary_credentials",
            "aws-ai-ml-assessment:BR-14",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig) -> Vec<Hit> {
    let limit = cfg.unused_before();
    flag(inv, &[AssetType::IamAccessKey], |k| {
        if k.str_attr("status") != Some("Active") {
            return Vec::new();
        }
        super::idle_since(k, "last_used", "create_date", limit).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_active_keys_idle_past_the_limit() {
        let cfg = RuleConfig {
            now: Some(1_800_000_000),
            ..RuleConfig::default()
        };
        let k = |arn: &str, v: serde_json::Value| asset(AssetType::IamAccessKey, arn, v);
        let i = inv(vec![
            k(
                "arn:k/stale",
                json!({"status": "Active", "create_date": "2020-01-01T00:00:00Z", "last_used": "2021-01-01T00:00:00Z"}),
            ),
            k(
                "arn:k/never",
                json!({"status": "Active", "create_date": "2020-01-01T00:00:00Z"}),
            ),
            k(
                "arn:k/fresh",
                json!({"status": "Active", "create_date": "2020-01-01T00:00:00Z", "last_used": "2027-01-10T00:00:00Z"}),
            ),
            k(
                "arn:k/new",
                json!({"status": "Active", "create_date": "2027-01-10T00:00:00Z"}),
            ),
            k(
                "arn:k/inactive",
                json!({"status": "Inactive", "create_date": "2020-01-01T00:00:00Z"}),
            ),
        ]);
        let hits: Vec<String> = RULE
            .hits(&i, &cfg)
            .into_iter()
            .map(|h| h.resource_arn)
            .collect();
        assert_eq!(hits, ["arn:k/stale", "arn:k/never"]);
        assert!(flagged(&RULE, &inv(Vec::new())).is_empty());
    }
}
