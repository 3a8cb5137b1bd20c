//! ## What it does
//! Flags IAM roles that AI workloads run as whose *effective* permissions
//! hold every action of a whole service on every resource (`s3:*`,
//! `dynamodb:*` or `rds-data:*` on `*`), without being administrators
//! (those are `identity_ai_role_admin`'s). The evidence names each service.
//!
//! ## Why is this bad?
//! A workload needs a few actions on a few resources. With a whole service
//! it can delete every bucket or table of the account, rewrite their
//! policies, and read everything they hold: one prompt injection or
//! malicious model artifact reaches all of it.
//!
//! ## Example
//! A training role with `{"Action": "s3:*", "Resource": "*"}`. Use instead:
//! `s3:GetObject` and `s3:ListBucket` on the training bucket, `s3:PutObject`
//! on the output prefix.
//!
//! ## Remediation
//! Replace the service-wide statements with the actions and resources the
//! workload uses (IAM Access Analyzer can generate them from CloudTrail).
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
//! - <https://genai.owasp.org/llmrisk/llm062025-excessive-agency/>

use serde_json::json;

use super::everywhere;
use crate::access::Access;
use crate::iam::Catalog;
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_ai_role_whole_service",
        title: "AI workload role holds every action of a whole service",
        severity: Severity::High,
        rationale: "A workload role with every action of a service can destroy, reconfigure and read all of that service's resources in the account; a compromised model or agent inherits it.",
        resource_types: &[AssetType::IamRole],
        collectors: &["iam.authorization_details"],
        remediation: "Replace the service-wide statements (`service:*` on `*`) with the actions and resources the workload needs.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03", "ASI02"],
        mitre_atlas: &["AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage, NistAiRmf::Govern],
        aws_security_hub: &["IAM.21"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-21"],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let Ok(catalog) = Catalog::global() else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (role, users, caps) in super::ai_role_capabilities(inv, access) {
        if super::ai_role_admin::is_admin(&caps) {
            continue;
        }
        let whole: Vec<&str> = caps
            .services
            .iter()
            .filter(|(svc, levels)| {
                let granted_everywhere =
                    levels.values().flatten().filter(|c| everywhere(c)).count();
                catalog
                    .service(svc)
                    .is_some_and(|s| !s.actions.is_empty() && granted_everywhere == s.actions.len())
            })
            .map(|(svc, _)| *svc)
            .collect();
        if whole.is_empty() {
            continue;
        }
        hits.push(Hit {
            resource_arn: role.to_owned(),
            evidence: vec![
                FindingEvidence::new("aispm:iam-engine", "every_action_of", json!(whole)),
                FindingEvidence::new(
                    "aispm:iam-engine",
                    "effective_actions",
                    json!({"allowed": caps.actions, "of": catalog.action_count()}),
                ),
                FindingEvidence::new("aispm:graph", "used_by", json!(users)),
            ],
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::identity::fixture::{role, used_by_endpoint};

    #[test]
    fn flags_a_role_with_one_whole_service_and_names_it() {
        let inv = used_by_endpoint(vec![
            role(
                "s3-all",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            ),
            role(
                "all-but-iam",
                json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
            ),
        ]);
        let hits = RULE.hits(&inv, &RuleConfig::default());
        assert_eq!(hits.len(), 2);
        let s3 = hits
            .iter()
            .find(|h| h.resource_arn.ends_with("role/s3-all"))
            .unwrap();
        assert_eq!(s3.evidence[0].field, "every_action_of");
        assert_eq!(s3.evidence[0].value, json!(["s3"]));
    }

    #[test]
    fn administrators_scoped_denied_and_conditional_roles_pass() {
        let inv = used_by_endpoint(vec![
            // An administrator is the admin rule's finding, not a second one.
            role(
                "admin",
                json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            ),
            role(
                "one-bucket",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::train", "arn:aws:s3:::train/*"]}]),
            ),
            role(
                "s3-but-delete",
                json!([
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]),
            ),
            role(
                "s3-from-the-vpc",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]),
            ),
        ]);
        let hits: Vec<String> = RULE
            .hits(&inv, &RuleConfig::default())
            .into_iter()
            .map(|h| h.resource_arn)
            .collect();
        assert!(hits.is_empty(), "{hits:?}");
    }
}
