//! ## What it does
//! Flags Studio domains with `AuthMode=IAM`.
//!
//! ## Why is this bad?
//! With IAM Identity Center (SSO) each Studio user is a workforce identity with
//! its own session, MFA and lifecycle; in IAM mode anyone who can call
//! `CreatePresignedDomainUrl` for a profile becomes that user.
//!
//! ## Example
//! `AuthMode=IAM`; use instead `AuthMode=SSO`.
//!
//! ## Remediation
//! Create new domains with `AuthMode=SSO` (the mode cannot be changed in place)
//! and migrate user profiles; until then restrict
//! `sagemaker:CreatePresignedDomainUrl` per profile.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/onboard-sso-users.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_domain_iam_auth",
        title: "SageMaker Studio domain uses IAM instead of IAM Identity Center",
        severity: Severity::Low,
        rationale: "IAM-mode domains tie Studio access to IAM principals rather than the organization's workforce identities, weakening attribution.",
        resource_types: &[AssetType::SagemakerDomain],
        collectors: &["sagemaker.domains"],
        remediation: "Create new domains with `AuthMode=SSO` (the mode cannot be changed in place) and migrate user profiles; until then restrict `sagemaker:CreatePresignedDomainUrl` per profile.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &[],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:sagemaker_domain_sso_configured"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerDomain], |d| {
        match d.str_attr("auth_mode") {
            Some(m @ "IAM") => vec![ev("sagemaker:DescribeDomain", "AuthMode", m)],
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_iam_mode_only() {
        let iam = asset(
            AssetType::SagemakerDomain,
            "arn:d/iam",
            json!({"auth_mode": "IAM"}),
        );
        let sso = asset(
            AssetType::SagemakerDomain,
            "arn:d/sso",
            json!({"auth_mode": "SSO"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![iam, sso])), ["arn:d/iam"]);
    }
}
