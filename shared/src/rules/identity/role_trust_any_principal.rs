//! ## What it does
//! Flags IAM roles whose trust policy lets any AWS principal assume them:
//! `"Principal": {"AWS": "*"}` (or `NotPrincipal`) without a condition that
//! pins callers to fixed accounts, organizations or external ids.
//!
//! ## Why is this bad?
//! Anyone with an AWS account can call `sts:AssumeRole` and get the role's
//! permissions — for an AI role, its models, data and secrets.
//!
//! ## Example
//! `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}`; use
//! instead the account or role ARNs that need it, with `sts:ExternalId` for
//! third parties.
//!
//! ## Remediation
//! Name the trusted principals in the trust policy, or add an
//! `aws:PrincipalOrgID` / `sts:ExternalId` condition.
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html>

use serde_json::json;

use crate::access::Access;
use crate::iam::{Grantee, who_can_assume};
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_role_trust_any_principal",
        title: "IAM role can be assumed by any AWS principal",
        severity: Severity::Critical,
        rationale: "A trust policy open to every AWS principal hands the role's permissions to anyone with an AWS account.",
        resource_types: &[AssetType::IamRole],
        collectors: &["iam.authorization_details"],
        remediation: "Name the trusted accounts or roles in the trust policy, or restrict it with aws:PrincipalOrgID or sts:ExternalId.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for role in of_type(inv, AssetType::IamRole) {
        let Some(snap) = access.account(&role.account_id) else {
            continue;
        };
        let Ok(who) = who_can_assume(snap, &role.arn) else {
            continue;
        };
        if !who.iter().any(|a| a.who == Grantee::Anonymous) {
            continue;
        }
        let users: Vec<&str> = inv
            .edges_to(&role.arn)
            .filter(|e| e.kind == crate::model::EdgeKind::ExecutesAs)
            .map(|e| e.from.as_str())
            .collect();
        let mut evidence = vec![FindingEvidence::new(
            "iam:GetAccountAuthorizationDetails",
            "RoleDetailList.AssumeRolePolicyDocument",
            role.attributes
                .get("trust_policy")
                .cloned()
                .unwrap_or_default(),
        )];
        evidence.push(FindingEvidence::new(
            "aispm:iam-engine",
            "who_can_assume",
            json!(who.iter().map(|a| &a.who).collect::<Vec<_>>()),
        ));
        if !users.is_empty() {
            evidence.push(FindingEvidence::new("aispm:graph", "used_by", json!(users)));
        }
        hits.push(Hit {
            resource_arn: role.arn.clone(),
            evidence,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    fn role(trust: serde_json::Value) -> crate::model::Asset {
        asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/shared",
            json!({"trust_policy": {"Version": "2012-10-17", "Statement": trust},
                   "inline_policies": [], "attached_policies": []}),
        )
    }

    #[test]
    fn flags_a_trust_open_to_every_principal() {
        for trust in [
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]),
            json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:*"}]),
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}]),
        ] {
            let hits = RULE.hits(&inv(vec![role(trust.clone())]), &RuleConfig::default());
            assert_eq!(hits.len(), 1, "{trust}");
        }
    }

    #[test]
    fn named_or_restricted_trust_passes() {
        for trust in [
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}]),
            json!([{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]),
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                   {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]),
        ] {
            let hits = RULE.hits(&inv(vec![role(trust.clone())]), &RuleConfig::default());
            assert!(hits.is_empty(), "{trust}");
        }
    }
}
