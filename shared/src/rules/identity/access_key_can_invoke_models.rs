//! ## What it does
//! Flags active IAM access keys whose user can invoke models: Bedrock
//! (`InvokeModel`, `InvokeModelWithResponseStream`, `Converse`,
//! `ConverseStream`, `InvokeAgent`) or SageMaker endpoints
//! (`InvokeEndpoint`), by the user's effective permissions.
//!
//! ## Why is this bad?
//! A long-lived key that can call models is a GenAI API key: leaked in a
//! notebook, a repository or a client, it is spent by whoever holds it —
//! denial of wallet and data sent to your models (OWASP LLM10) — and it never
//! expires on its own. BRIEF scenario 3.
//!
//! ## Example
//! A user `chatbot-dev` with `AmazonBedrockFullAccess` and an active access
//! key. Use instead a role assumed by the application (temporary credentials),
//! or Bedrock API keys with an expiry.
//!
//! ## Remediation
//! Replace the key with a role the workload assumes; if a key must stay,
//! scope the user to the models it needs and rotate the key.
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles>
//! - <https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/>

use serde_json::json;

use super::granted;
use crate::access::Access;
use crate::iam::what_can;
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// Actions that invoke a model or an agent.
pub(crate) const INVOKE: &[&str] = &[
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:Converse",
    "bedrock:ConverseStream",
    "bedrock:InvokeAgent",
    "sagemaker:InvokeEndpoint",
    "sagemaker:InvokeEndpointAsync",
];

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_access_key_can_invoke_models",
        title: "Long-lived access key can invoke AI models",
        severity: Severity::Medium,
        rationale: "A long-lived key that can invoke models is a GenAI API key that never expires; leaked, it spends your quota and reaches your models.",
        resource_types: &[AssetType::IamAccessKey],
        collectors: &["iam.authorization_details"],
        remediation: "Have the workload assume a role instead of using an access key; otherwise scope the user to the models it needs and rotate the key.",
        remediation_action: Some("deactivate_access_key"),
        exposure: false,
        owasp_llm: &["LLM10", "LLM02"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055", "AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["IAM.3"],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

/// The model-invoking actions `user` may call, as evidence (null if none).
pub(crate) fn invoke_evidence(
    access: &Access,
    inv: &Inventory,
    user: &str,
) -> Option<serde_json::Value> {
    let account = inv.asset(user)?.account_id.as_str();
    let caps = what_can(access.account(account)?, user).ok()?;
    let v = granted(&caps, |s, n| INVOKE.contains(&format!("{s}:{n}").as_str()));
    v.as_object().is_some_and(|m| !m.is_empty()).then_some(v)
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for key in of_type(inv, AssetType::IamAccessKey) {
        if key.str_attr("status") != Some("Active") {
            continue;
        }
        let Some(user) = key.str_attr("user_arn") else {
            continue;
        };
        let Some(invoke) = invoke_evidence(access, inv, user) else {
            continue;
        };
        hits.push(Hit {
            resource_arn: key.arn.clone(),
            evidence: vec![
                FindingEvidence::new("aispm:iam-engine", "can_invoke", invoke),
                FindingEvidence::new(
                    "iam:ListAccessKeys",
                    "AccessKeyMetadata",
                    json!({"user": user, "status": "Active", "create_date": key.attributes.get("create_date"),
                           "last_used": key.attributes.get("last_used")}),
                ),
            ],
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    fn estate(statements: serde_json::Value, status: &str) -> Inventory {
        let user = asset(
            AssetType::IamUser,
            "arn:aws:iam::111111111111:user/chatbot",
            json!({
            "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}],
            "attached_policies": [], "groups": []}),
        );
        let key = asset(
            AssetType::IamAccessKey,
            "arn:aws:iam::111111111111:user/chatbot/accesskey/AKIAEXAMPLE",
            json!({
            "user_arn": "arn:aws:iam::111111111111:user/chatbot", "status": status}),
        );
        inv(vec![user, key])
    }

    #[test]
    fn flags_active_keys_that_can_invoke() {
        let hits = RULE.hits(
            &estate(
                json!([{"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": "*"}]),
                "Active",
            ),
            &RuleConfig::default(),
        );
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].evidence[0]
                .value
                .get("bedrock:InvokeModel")
                .is_some()
        );
        assert!(
            hits[0].evidence[0]
                .value
                .get("sagemaker:InvokeEndpoint")
                .is_none()
        );
    }

    #[test]
    fn inactive_keys_and_users_without_invoke_pass() {
        let invoke = json!([{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]);
        assert!(
            RULE.hits(&estate(invoke, "Inactive"), &RuleConfig::default())
                .is_empty()
        );
        let read = json!([{"Effect": "Allow", "Action": "bedrock:List*", "Resource": "*"}]);
        assert!(
            RULE.hits(&estate(read, "Active"), &RuleConfig::default())
                .is_empty()
        );
        let denied = json!([{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
                            {"Effect": "Deny", "Action": ["bedrock:Invoke*", "bedrock:Converse*"], "Resource": "*"}]);
        let hits = RULE.hits(&estate(denied, "Active"), &RuleConfig::default());
        // InvokeAgent is `bedrock:InvokeAgent`: matched by bedrock:Invoke* too.
        assert!(hits.is_empty(), "{hits:?}");
    }
}
