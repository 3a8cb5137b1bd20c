//! ## What it does
//! Flags IAM users that hold an active long-term Bedrock API key and are
//! administrators by their effective permissions (the IAM engine's what-can:
//! they can grant themselves anything on any resource, as with
//! AdministratorAccess).
//!
//! ## Why is this bad?
//! A Bedrock API key authenticates as its user. Handed to a chatbot, a
//! notebook or a vendor for model access, a key of an administrator is an
//! administrator's credential: whoever reads it can do anything in the
//! account, not only call models.
//!
//! ## Example
//! A Bedrock API key on a user with AdministratorAccess; use instead a key on
//! a user (or a short-term key from a role) allowed only `bedrock:Invoke*` on
//! the models it needs.
//!
//! ## Remediation
//! Deactivate the key, issue one for a dedicated identity with only the
//! Bedrock invocation it needs (better, a short-term key or a role), and move
//! the workload to it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html>

use serde_json::{Value, json};

use crate::access::Access;
use crate::iam::what_can;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_bedrock_api_key_admin_user",
        title: "Bedrock API key belongs to an administrator",
        severity: Severity::High,
        rationale: "A Bedrock API key authenticates as its user: on an administrator it is an administrator's credential handed out for model access.",
        resource_types: &[AssetType::BedrockApiKey, AssetType::IamUser],
        collectors: &["iam.bedrock_api_keys", "iam.authorization_details"],
        remediation: "Deactivate the key, issue one for a dedicated identity allowed only the Bedrock invocation it needs (better, a short-term key or a role), and move the workload to it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06", "LLM10"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055", "AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:bedrock_api_key_no_administrative_privileges"],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (user, keys) in super::bedrock_api_key_long_term::live_keys(inv, cfg.now) {
        let Some(asset) = inv.asset(user) else {
            continue;
        };
        let Some(snap) = access.account(&asset.account_id) else {
            continue;
        };
        let Ok(caps) = what_can(snap, user) else {
            continue;
        };
        if !super::ai_role_admin::is_admin(&caps) {
            continue;
        }
        hits.push(Hit {
            resource_arn: user.to_owned(),
            evidence: vec![
                ev(
                    "iam:ListServiceSpecificCredentials",
                    "bedrock.amazonaws.com",
                    Value::Array(keys),
                ),
                ev(
                    "aispm:iam-engine",
                    "effective_actions",
                    json!({"allowed": caps.actions, "administrator": true}),
                ),
            ],
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};

    fn user(name: &str, statements: Value) -> crate::model::Asset {
        asset(
            AssetType::IamUser,
            &format!("arn:aws:iam::111111111111:user/{name}"),
            json!({
                "inline_policies": [{"name": "inline", "document": {"Version": "2012-10-17", "Statement": statements}}],
                "attached_policies": [],
                "groups": []
            }),
        )
    }

    fn key(user: &str) -> crate::model::Asset {
        asset(
            AssetType::BedrockApiKey,
            &format!("{user}/bedrock-api-key/K"),
            json!({"user_arn": user, "status": "Active"}),
        )
    }

    #[test]
    fn flags_keys_of_administrators_only() {
        let admin = user(
            "admin",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        );
        let invoker = user(
            "invoker",
            json!([{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]),
        );
        let idle_admin = user(
            "idle",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        );
        let (a, b) = (admin.arn.clone(), invoker.arn.clone());
        let i = inv(vec![admin, invoker, idle_admin, key(&a), key(&b)]);
        assert_eq!(flagged(&RULE, &i), [a]);
    }
}
