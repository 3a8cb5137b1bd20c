//! ## What it does
//! Flags IAM users holding an active long-term Bedrock API key (an IAM
//! service-specific credential for `bedrock.amazonaws.com`) that has not
//! expired. The finding names the user; the evidence lists each key's id,
//! creation and expiry (none for a key that never expires).
//!
//! ## Why is this bad?
//! A long-term Bedrock API key is a bearer secret that calls Bedrock with its
//! user's permissions until someone revokes it. It is pasted into notebooks,
//! CI variables and chat tools, and leaks like any API key. Short-term keys
//! (valid for the session that made them, at most 12 hours) or a role give
//! the same access without a standing secret.
//!
//! ## Example
//! `CreateServiceSpecificCredential --service-name bedrock.amazonaws.com`
//! with no expiry; use instead short-term Bedrock API keys generated from a
//! role's session, or the role itself.
//!
//! ## Remediation
//! Move the workload to short-term Bedrock API keys or a role, then
//! deactivate (`UpdateServiceSpecificCredential --status Inactive`) and
//! delete the long-term key; where one must stay, give it an expiry.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html>
//! - <https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServiceSpecificCredentials.html>

use serde_json::{Value, json};

use crate::model::{AssetType, Inventory, NistAiRmf, Severity, Timestamp};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_bedrock_api_key_long_term",
        title: "IAM user holds an active long-term Bedrock API key",
        severity: Severity::Medium,
        rationale: "A long-term Bedrock API key is a standing bearer secret with its user's permissions; short-term keys or a role give the same access without one.",
        resource_types: &[AssetType::BedrockApiKey],
        collectors: &["iam.bedrock_api_keys", "iam.authorization_details"],
        remediation: "Move the workload to short-term Bedrock API keys or a role, then deactivate and delete the long-term key; where one must stay, give it an expiry.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM10", "LLM02"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055", "AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:bedrock_api_key_no_long_term_credentials"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

/// The active, unexpired Bedrock API keys of each user, as evidence entries.
pub(crate) fn live_keys(
    inv: &Inventory,
    now: Option<i64>,
) -> std::collections::BTreeMap<&str, Vec<Value>> {
    let mut out: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for k in of_type(inv, AssetType::BedrockApiKey) {
        if k.str_attr("status") != Some("Active") {
            continue;
        }
        let expires = k.str_attr("expiration_time");
        let expired = match (expires.and_then(|e| Timestamp::parse(e).ok()), now) {
            (Some(e), Some(now)) => e.unix_secs() <= now,
            _ => false,
        };
        if expired {
            continue;
        }
        let Some(user) = k.str_attr("user_arn") else {
            continue;
        };
        out.entry(user).or_default().push(json!({
            "id": k.name,
            "created": k.str_attr("creation_time"),
            "expires": expires,
        }));
    }
    out
}

fn evaluate(inv: &Inventory, cfg: &RuleConfig) -> Vec<Hit> {
    live_keys(inv, cfg.now)
        .into_iter()
        .map(|(user, keys)| Hit {
            resource_arn: user.to_owned(),
            evidence: vec![ev(
                "iam:ListServiceSpecificCredentials",
                "bedrock.amazonaws.com",
                Value::Array(keys),
            )],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    pub(crate) fn key(
        user: &str,
        id: &str,
        status: &str,
        expires: Option<&str>,
    ) -> crate::model::Asset {
        asset(
            AssetType::BedrockApiKey,
            &format!("{user}/bedrock-api-key/{id}"),
            json!({"user_arn": user, "status": status, "creation_time": "2026-01-01T00:00:00Z", "expiration_time": expires}),
        )
    }

    #[test]
    fn flags_users_with_active_unexpired_keys_only() {
        let u = "arn:aws:iam::111111111111:user/";
        let i = inv(vec![
            key(&format!("{u}forever"), "K1", "Active", None),
            key(
                &format!("{u}later"),
                "K2",
                "Active",
                Some("2027-06-01T00:00:00Z"),
            ),
            key(
                &format!("{u}expired"),
                "K3",
                "Active",
                Some("2026-06-01T00:00:00Z"),
            ),
            key(&format!("{u}off"), "K4", "Inactive", None),
        ]);
        let cfg = RuleConfig {
            now: Timestamp::parse("2026-12-07T00:00:00Z")
                .ok()
                .map(|t| t.unix_secs()),
            ..RuleConfig::default()
        };
        let users: Vec<String> = RULE
            .hits(&i, &cfg)
            .into_iter()
            .map(|h| h.resource_arn)
            .collect();
        assert_eq!(users, [format!("{u}forever"), format!("{u}later")]);
    }
}
