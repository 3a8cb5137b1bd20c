//! ## What it does
//! Flags IAM roles that AI workloads run as whose effective permissions read
//! *every* data store of a kind: `s3:GetObject` on all buckets, DynamoDB
//! reads on all tables, `rds-data:ExecuteStatement` on all clusters, or
//! `secretsmanager:GetSecretValue` on all secrets.
//!
//! ## Why is this bad?
//! A model endpoint or agent tool needs its own data, not the production
//! database and every bucket. Through prompt injection or a compromised
//! container, everything the role can read can leak (OWASP LLM02) — BRIEF
//! scenario 1: an unregistered endpoint whose role reads production data.
//!
//! ## Example
//! `{"Effect": "Allow", "Action": ["dynamodb:Scan", "dynamodb:Query"], "Resource": "*"}`;
//! use instead `"Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/features"`.
//!
//! ## Remediation
//! Scope the data actions to the buckets, tables, clusters and secrets the
//! workload uses.
//!
//! ## References
//! - <https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/>

use serde_json::json;

use super::granted;
use crate::access::Access;
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// Data reads checked, by store.
const DATA_READS: &[(&str, &[&str])] = &[
    ("s3", &["s3:GetObject"]),
    (
        "dynamodb",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:BatchGetItem",
        ],
    ),
    (
        "rds-data",
        &[
            "rds-data:ExecuteStatement",
            "rds-data:BatchExecuteStatement",
        ],
    ),
    ("secretsmanager", &["secretsmanager:GetSecretValue"]),
];

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_ai_role_broad_data_access",
        title: "AI workload role can read every data store of a kind",
        severity: Severity::High,
        rationale: "A model or agent role that reads all buckets, tables or secrets exposes every one of them to prompt injection and compromised model code.",
        resource_types: &[AssetType::IamRole],
        collectors: &["iam.authorization_details"],
        remediation: "Scope the role's data actions to the specific buckets, tables, clusters and secrets the workload needs.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM06"],
        owasp_agentic: &["ASI03", "ASI02"],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:BR-21"],
    },
    evaluate: Evaluate::Iam(evaluate),
};

/// Whether a resource pattern covers every resource of its kind: `*`, `NOT x`
/// (every resource but x), an S3 ARN whose bucket part is `*`, or another
/// ARN whose resource part is `*` or `<type>/*` / `<type>:*`
/// (`arn:aws:dynamodb:us-east-1:111111111111:table/*`).
fn every_of_kind(pattern: &str) -> bool {
    if pattern == "*" || pattern.starts_with("NOT ") {
        return true;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let (Some(service), Some(resource)) = (parts.get(2), parts.get(5)) else {
        return false;
    };
    if *service == "s3" {
        return resource.split('/').next() == Some("*");
    }
    match resource.split_once(['/', ':']) {
        None => *resource == "*",
        Some((kind, rest)) => {
            rest == "*"
                && !kind.is_empty()
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        }
    }
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (role, users, caps) in super::ai_role_capabilities(inv, access) {
        let stores: Vec<&str> = DATA_READS
            .iter()
            .filter(|(_, actions)| {
                actions.iter().any(|a| {
                    // `NOT x` (NotResource) is every resource but x: broad too.
                    caps.action(a)
                        .is_some_and(|c| c.resources.iter().any(|r| every_of_kind(r)))
                })
            })
            .map(|(store, _)| *store)
            .collect();
        if stores.is_empty() {
            continue;
        }
        let evidence = vec![
            FindingEvidence::new("aispm:iam-engine", "every_resource_of", json!(stores)),
            FindingEvidence::new(
                "aispm:iam-engine",
                "data_actions",
                granted(&caps, |s, n| {
                    let action = format!("{s}:{n}");
                    DATA_READS
                        .iter()
                        .any(|(_, acts)| acts.contains(&action.as_str()))
                }),
            ),
            FindingEvidence::new("aispm:graph", "used_by", json!(users)),
        ];
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

    #[test]
    fn flags_roles_reading_every_table_or_bucket() {
        let inv = used_by_endpoint(vec![
            role(
                "prod-db",
                json!([{"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:Scan"], "Resource": "*"}]),
            ),
            role(
                "all-buckets",
                json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]),
            ),
            role(
                "all-but-payroll",
                json!([{"Effect": "Allow", "Action": "s3:GetObject",
                "NotResource": "arn:aws:s3:::payroll/*"}]),
            ),
        ]);
        let hits = RULE.hits(&inv, &RuleConfig::default());
        assert_eq!(hits.len(), 3);
        let db = hits
            .iter()
            .find(|h| h.resource_arn.ends_with("role/prod-db"))
            .unwrap();
        assert_eq!(db.evidence[0].value, json!(["dynamodb"]));
        assert!(db.evidence[1].value.get("dynamodb:Scan").is_some());
    }

    #[test]
    fn patterns_covering_every_resource_of_a_kind() {
        assert!(every_of_kind("*"));
        assert!(every_of_kind("NOT arn:aws:s3:::payroll/*"));
        assert!(every_of_kind(
            "arn:aws:dynamodb:us-east-1:111111111111:table/*"
        ));
        assert!(every_of_kind("arn:aws:s3:::*"));
        assert!(every_of_kind("arn:aws:s3:::*/*"));
        assert!(every_of_kind("arn:aws:rds:*:*:cluster:*"));
        assert!(every_of_kind(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:*"
        ));
        assert!(
            !every_of_kind("arn:aws:s3:::features/*"),
            "every object of one bucket"
        );
        assert!(!every_of_kind(
            "arn:aws:dynamodb:us-east-1:111111111111:table/features"
        ));
        assert!(!every_of_kind(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/*"
        ));
    }

    #[test]
    fn scoped_or_denied_data_access_passes() {
        let inv = used_by_endpoint(vec![
            role(
                "scoped",
                json!([{"Effect": "Allow", "Action": "dynamodb:Query",
                "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/features"}]),
            ),
            role(
                "denied",
                json!([
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]),
            ),
        ]);
        let hits = RULE.hits(&inv, &RuleConfig::default());
        assert!(hits.is_empty(), "{hits:?}");
    }
}
