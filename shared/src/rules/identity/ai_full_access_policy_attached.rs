//! ## What it does
//! Flags IAM roles and users with an AWS managed *full access* policy for an
//! AI service attached: `AmazonBedrockFullAccess`, `AmazonSageMakerFullAccess`
//! or `BedrockAgentCoreFullAccess`.
//!
//! ## Why is this bad?
//! These policies grant every action of the service on every resource —
//! creating and deleting models, agents, guardrails and endpoints, changing
//! logging — plus `iam:PassRole` to service roles. A workload or person
//! needs a fraction of that; the rest is blast radius if its credentials
//! leak.
//!
//! ## Example
//! A chatbot's role with `AmazonBedrockFullAccess`; use instead a policy with
//! `bedrock:InvokeModel` on the model ARNs it calls.
//!
//! ## Remediation
//! Detach the full-access policy and attach a scoped policy (or an AWS
//! managed read-only / invoke-only policy).
//!
//! ## References
//! - <https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonBedrockFullAccess.html>

use serde_json::json;

use crate::model::{AssetType, EdgeKind, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The AI services' AWS managed full-access policies.
const FULL_ACCESS: &[&str] = &[
    "arn:aws:iam::aws:policy/AmazonBedrockFullAccess",
    "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
    "arn:aws:iam::aws:policy/BedrockAgentCoreFullAccess",
];

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_ai_full_access_policy_attached",
        title: "AI service full-access managed policy attached to a role or user",
        severity: Severity::High,
        rationale: "Full-access policies grant every action of the AI service on every resource; the identity needs a fraction of it.",
        resource_types: &[AssetType::IamRole, AssetType::IamUser],
        collectors: &["iam.authorization_details"],
        remediation: "Detach the full-access managed policy and attach a policy scoped to the actions and resources the identity uses.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_full_access_policy_attached",
            "aws-ai-ml-assessment:BR-01",
            "aws-ai-ml-assessment:SM-02",
            "aws-ai-ml-assessment:AC-02",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let mut hits = Vec::new();
    for a in inv
        .assets
        .iter()
        .filter(|a| matches!(a.asset_type, AssetType::IamRole | AssetType::IamUser))
    {
        let attached: Vec<&str> = a
            .attached_policies()
            .filter(|p| FULL_ACCESS.contains(p))
            .collect();
        if attached.is_empty() {
            continue;
        }
        let mut evidence = vec![FindingEvidence::new(
            "iam:GetAccountAuthorizationDetails",
            "AttachedManagedPolicies",
            json!(attached),
        )];
        let users: Vec<&str> = inv
            .edges_to(&a.arn)
            .filter(|e| e.kind == EdgeKind::ExecutesAs)
            .map(|e| e.from.as_str())
            .collect();
        if !users.is_empty() {
            evidence.push(FindingEvidence::new("aispm:graph", "used_by", json!(users)));
        }
        hits.push(Hit {
            resource_arn: a.arn.clone(),
            evidence,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    fn identity(t: AssetType, arn: &str, attached: &[&str]) -> crate::model::Asset {
        asset(
            t,
            arn,
            json!({"attached_policies": attached, "inline_policies": []}),
        )
    }

    #[test]
    fn flags_roles_and_users_with_full_access() {
        let i = inv(vec![
            identity(
                AssetType::IamRole,
                "arn:aws:iam::111111111111:role/chatbot",
                &["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"],
            ),
            identity(
                AssetType::IamUser,
                "arn:aws:iam::111111111111:user/ds",
                &["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
            ),
        ]);
        let hits = evaluate(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 2);
        assert_eq!(
            hits[0].evidence[0].value,
            json!(["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"])
        );
    }

    #[test]
    fn scoped_and_read_only_policies_pass() {
        let i = inv(vec![
            identity(
                AssetType::IamRole,
                "arn:aws:iam::111111111111:role/reader",
                &["arn:aws:iam::aws:policy/AmazonBedrockReadOnly"],
            ),
            identity(
                AssetType::IamRole,
                "arn:aws:iam::111111111111:role/lookalike",
                &["arn:aws:iam::111111111111:policy/AmazonBedrockFullAccess"],
            ),
        ]);
        assert!(evaluate(&i, &RuleConfig::default()).is_empty());
    }
}
