//! ## What it does
//! Asks the IAM engine whether an AI identity can invoke Bedrock foundation
//! models with no condition at all: the roles SageMaker workloads, notebooks and
//! agent tools run as, and users whose active access keys can invoke models.
//! Allowed unconditionally (no Allow that depends on a condition, no Deny that
//! may apply) means no `bedrock:GuardrailIdentifier` condition holds it to a
//! guardrail: the identity can call models bare. Roles only Bedrock agents and
//! knowledge bases run as are left out (an agent's guardrail is its own
//! setting, `bedrock_agent_without_guardrail`). A grant that depends on any
//! condition is not flagged: the condition may be the guardrail.
//!
//! ## Why is this bad?
//! A guardrail attached to an application is advice the application can skip;
//! a guardrail required by IAM is enforced for every call the identity makes.
//! Without it, prompt-attack, content and sensitive-information filters are
//! one missing header away, for the workload and for whoever holds its
//! credentials.
//!
//! ## Example
//! `{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}`; use
//! instead the same grant with `"Condition": {"StringEquals":
//! {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:...:guardrail/ID:1"}}` (or
//! a Deny with `StringNotEquals` on that key).
//!
//! ## Remediation
//! Add a `bedrock:GuardrailIdentifier` condition naming the approved guardrail
//! (and version) to the identity's model-invocation grants, or an explicit Deny
//! of `bedrock:InvokeModel*` and `bedrock:Converse*` when the key is absent or
//! different; an SCP can require it organization-wide.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html>
//! - <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html>

use serde_json::json;

use crate::access::Access;
use crate::iam::authorize::Outcome;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::identity::ai_roles;
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, of_type};

/// The calls a guardrail condition should hold.
const INVOKE: &[&str] = &["bedrock:InvokeModel", "bedrock:Converse"];

/// The models the calls are asked about. Identities are global: a grant
/// limited to other regions' models is not judged here.
const MODELS: &str = "arn:aws:bedrock:us-east-1::foundation-model/*";

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_invoke_without_guardrail_enforcement",
        title: "AI identity can invoke Bedrock models without a guardrail required by IAM",
        severity: Severity::Medium,
        rationale: "Only a guardrail required in IAM (bedrock:GuardrailIdentifier) holds for every call; without it the identity can invoke models with no filters at all.",
        resource_types: &[AssetType::IamRole, AssetType::IamUser],
        collectors: &["iam.authorization_details"],
        remediation: "Add a `bedrock:GuardrailIdentifier` condition naming the approved guardrail to the identity's model-invocation grants (or an explicit Deny when the key is absent or different); an SCP can require it organization-wide.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM01", "LLM05"],
        owasp_agentic: &["ASI01", "ASI03"],
        mitre_atlas: &["AML.T0051", "AML.T0054"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-10"],
    },
    evaluate: Evaluate::Iam(evaluate),
};

/// The identities it judges: AI workload roles (not those only Bedrock agents
/// and knowledge bases run as) and users with an active access key.
fn identities(inv: &Inventory) -> Vec<&str> {
    let service_only = [AssetType::BedrockAgent, AssetType::BedrockKnowledgeBase];
    let mut out: Vec<&str> = ai_roles(inv)
        .into_iter()
        .filter(|(_, users)| {
            users.iter().any(|u| {
                inv.asset(u)
                    .is_some_and(|a| !service_only.contains(&a.asset_type))
            })
        })
        .map(|(role, _)| role)
        .collect();
    for key in of_type(inv, AssetType::IamAccessKey) {
        if key.str_attr("status") == Some("Active")
            && let Some(user) = key.str_attr("user_arn")
            && !out.contains(&user)
        {
            out.push(user);
        }
    }
    out
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for identity in identities(inv) {
        let Some(asset) = inv.asset(identity) else {
            continue;
        };
        let Some(snap) = access.account(&asset.account_id) else {
            continue;
        };
        let bare: Vec<serde_json::Value> = INVOKE
            .iter()
            .filter_map(|action| {
                let d = snap.decide(identity, action, MODELS).ok()?;
                (d.decision == Outcome::Allowed && !d.conditional).then(
                    || json!({"action": action, "resource": MODELS, "statements": d.statements}),
                )
            })
            .collect();
        if !bare.is_empty() {
            hits.push(Hit {
                resource_arn: identity.to_owned(),
                evidence: vec![
                    ev(
                        "aispm:iam-engine",
                        "allowed_without_conditions",
                        json!(bare),
                    ),
                    ev(
                        "aispm:iam-engine",
                        "bedrock:GuardrailIdentifier",
                        "not required",
                    ),
                ],
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::identity::fixture::{role, used_by_endpoint};
    use crate::rules::testkit::flagged;

    #[test]
    fn a_bare_invoke_grant_is_flagged() {
        let inv = used_by_endpoint(vec![role(
            "bare",
            json!([{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]),
        )]);
        assert_eq!(
            flagged(&RULE, &inv),
            ["arn:aws:iam::111111111111:role/bare"]
        );
    }

    #[test]
    fn a_grant_held_to_a_guardrail_is_not() {
        let guarded = role(
            "guarded",
            json!([{"Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:Converse"], "Resource": "*",
                "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:111111111111:guardrail/g1:1"}}}]),
        );
        let denied = role(
            "denied",
            json!([
                {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
                {"Effect": "Deny", "Action": ["bedrock:InvokeModel*", "bedrock:Converse*"], "Resource": "*",
                    "Condition": {"StringNotEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:111111111111:guardrail/g1:1"}}}
            ]),
        );
        let none = role(
            "none",
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        );
        assert!(flagged(&RULE, &used_by_endpoint(vec![guarded, denied, none])).is_empty());
    }

    #[test]
    fn roles_only_agents_run_as_are_left_to_the_agent_rule() {
        let mut inv = used_by_endpoint(vec![]);
        let r = role(
            "agent",
            json!([{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]),
        );
        let agent = crate::rules::testkit::asset(AssetType::BedrockAgent, "arn:agent/a", json!({}));
        inv.edges.push(crate::model::Edge::new(
            "arn:agent/a",
            &r.arn,
            crate::model::EdgeKind::ExecutesAs,
            crate::model::Evidence::new("bedrock-agent:GetAgent", "agentResourceRoleArn"),
        ));
        inv.assets.extend([r, agent]);
        assert!(flagged(&RULE, &inv).is_empty());
    }
}
