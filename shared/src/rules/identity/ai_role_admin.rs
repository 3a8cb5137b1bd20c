//! ## What it does
//! Flags IAM roles that AI workloads run as (notebooks, models, jobs,
//! endpoints, agents, knowledge bases, agent tools) whose *effective*
//! permissions make them administrators: every action on every resource
//! (`*`, `AdministratorAccess`), or actions that let them grant themselves
//! anything (`iam:PutRolePolicy`, `iam:AttachRolePolicy`,
//! `iam:CreatePolicyVersion`, ... on any resource). A role holding one whole
//! service is `identity_ai_role_whole_service`'s.
//!
//! ## Why is this bad?
//! Code and models run with their role: a prompt injection, a malicious
//! model artifact or a compromised notebook inherits administrator access to
//! the account (OWASP LLM06, excessive agency).
//!
//! ## Example
//! A training role with `AdministratorAccess`, or with `iam:Put*` on `*`. Use
//! instead: a policy naming the actions and resources the job needs.
//!
//! ## Remediation
//! Replace the broad policies with least-privilege ones (IAM Access Analyzer
//! can generate one from CloudTrail), and set a permission boundary.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html>
//! - <https://genai.owasp.org/llmrisk/llm062025-excessive-agency/>

use serde_json::json;

use super::granted;
use crate::access::Access;
use crate::iam::Catalog;
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// Actions that let a role give itself any permission.
const ESCALATION: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:UpdateAssumeRolePolicy",
];

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_ai_role_admin",
        title: "AI workload role is an administrator",
        severity: Severity::Critical,
        rationale: "Whatever runs as an AI workload's role (model code, notebooks, agent tools) gets its permissions; an administrator role turns one compromised workload into a compromised account.",
        resource_types: &[AssetType::IamRole],
        collectors: &["iam.authorization_details"],
        remediation: "Replace the administrator policies on the role (AdministratorAccess, `*`, IAM write actions on any resource) with least-privilege ones naming the actions and resources the workload needs; add a permission boundary.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage, NistAiRmf::Govern],
        aws_security_hub: &["IAM.1"],
        needs: &[],
        covers: &[
            "prowler:bedrock_agent_role_least_privilege",
            "aws-ai-ml-assessment:BR-08",
            "aws-ai-ml-assessment:BR-21",
        ],
    },
    evaluate: Evaluate::Iam(evaluate),
};

/// Whether the role's effective permissions make it an administrator (the
/// whole-service rule leaves such roles to this one).
/// `*` on `*` (AdministratorAccess) holds the escalation actions too; every
/// action on named resources only is not an administrator.
pub(crate) fn is_admin(caps: &crate::iam::Capabilities<'_>) -> bool {
    !escalation(caps).is_empty()
}

fn escalation(caps: &crate::iam::Capabilities<'_>) -> Vec<&'static str> {
    ESCALATION
        .iter()
        .copied()
        // Conditions on the caller's own requests (region, tags) do not
        // stop it from granting itself more: conditional counts too.
        .filter(|a| {
            caps.action(a)
                .is_some_and(|c| c.resources.iter().any(|r| r == "*"))
        })
        .collect()
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let Ok(catalog) = Catalog::global() else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (role, users, caps) in super::ai_role_capabilities(inv, access) {
        let escalation = escalation(&caps);
        if escalation.is_empty() {
            continue;
        }
        let mut evidence = vec![FindingEvidence::new(
            "aispm:iam-engine",
            "effective_actions",
            json!({"allowed": caps.actions, "of": catalog.action_count()}),
        )];
        evidence.push(FindingEvidence::new(
            "aispm:iam-engine",
            "privilege_escalation",
            granted(&caps, |s, n| {
                escalation.contains(&format!("{s}:{n}").as_str())
            }),
        ));
        evidence.push(FindingEvidence::new("aispm:graph", "used_by", json!(users)));
        hits.push(Hit {
            resource_arn: role.to_owned(),
            evidence,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::identity::fixture::{role, used_by_endpoint};

    fn ids(inv: &Inventory) -> Vec<String> {
        RULE.hits(inv, &RuleConfig::default())
            .into_iter()
            .map(|h| h.resource_arn)
            .collect()
    }

    #[test]
    fn flags_administrators_and_self_granting_roles_used_by_ai() {
        let inv = used_by_endpoint(vec![
            role(
                "admin",
                json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            ),
            role(
                "escalate",
                json!([{"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"}]),
            ),
        ]);
        let hits = RULE.hits(&inv, &RuleConfig::default());
        assert_eq!(hits.len(), 2);
        let esc = hits
            .iter()
            .find(|h| h.resource_arn.ends_with("role/escalate"))
            .unwrap();
        assert!(esc.evidence.iter().any(
            |e| e.field == "privilege_escalation" && e.value.get("iam:PutRolePolicy").is_some()
        ));
    }

    #[test]
    fn whole_service_least_privilege_or_unused_roles_are_not_administrators() {
        let mut inv = used_by_endpoint(vec![
            role(
                "scoped",
                json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::train", "arn:aws:s3:::train/*"]}]),
            ),
            // Every S3 action: the whole-service rule's, not this one's.
            role(
                "s3-all",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            ),
            role(
                "everything-on-one-bucket",
                json!([{"Effect": "Allow", "Action": "*", "Resource": ["arn:aws:s3:::train", "arn:aws:s3:::train/*"]}]),
            ),
            role(
                "admin-but-iam-denied",
                json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
            ),
        ]);
        // An admin role no AI workload uses is another rule's business.
        inv.assets.push(role(
            "ops-admin",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        ));
        assert!(ids(&inv).is_empty(), "{:?}", ids(&inv));
    }

    #[test]
    fn a_condition_on_the_callers_requests_does_not_make_an_admin_safe() {
        let inv = used_by_endpoint(vec![role(
            "region-admin",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]),
        )]);
        let hits = RULE.hits(&inv, &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        let esc = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "privilege_escalation")
            .unwrap();
        assert_eq!(
            esc.value["iam:PutRolePolicy"],
            json!(["*", "(conditional)"])
        );
    }
}
