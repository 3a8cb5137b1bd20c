//! ## What it does
//! Finds buckets that training, tuning or processing jobs, pipelines or
//! Bedrock customization jobs read, and that a user or role of **another
//! account of the organization** can write or read: the IAM engine decides
//! each request on both sides, as AWS does across accounts (that account's
//! identity policies, boundary and SCPs, this bucket's policy and this
//! account's RCPs). Reports the chain (principal → bucket → job → model →
//! endpoint) as one finding on the bucket, naming who can write and who can
//! read.
//!
//! Where a bucket policy lets in an account of the organization (or, with
//! no view of the organization, any other account) whose IAM this view does
//! not hold (a scan of one account, the deployed sweep's per-account
//! reconcile), the rule records a gap for the bucket's account and region
//! rather than a pass: `aispm scan --organization` decides it.
//!
//! Outside the organization is `path_poisonable_training_data`'s; this is
//! the inside of it, which no outside-access check sees: every account of
//! the organization is "trusted", so the training data is only as safe as
//! the weakest of them.
//!
//! ## Why is this bad?
//! A sandbox or development account is easier to get into than the
//! production ML account. When one of its roles can write the training data,
//! compromising it is enough to plant examples the next model learns; when
//! it can read it, enough to take the data (often personal data) out.
//!
//! ## Example
//! A bucket policy granting `arn:aws:iam::DEV_ACCOUNT:root` `s3:GetObject`
//! and `s3:PutObject` on `training-data/*`, where the development account's
//! engineers hold `s3:*`; use instead a grant to one named role, read-only
//! and on the prefix it needs, and a separate drop bucket for anything the
//! other account delivers, validated and copied by your own job.
//!
//! ## Remediation
//! Narrow the bucket policy's cross-account statements to named roles and
//! the actions and prefixes they need (read-only where possible), send
//! deliveries through a validated drop bucket, and fence the bucket with an
//! RCP or a bucket policy condition on `aws:PrincipalAccount`.
//!
//! ## References
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>
//! - <https://atlas.mitre.org/techniques/AML.T0020>

use serde_json::{Value, json};

use super::PathBuilder;
use crate::access::Access;
use crate::iam::{Grantee, Outcome, who_can};
use crate::model::{
    AssetType, Coverage, EdgeKind, Inventory, NistAiRmf, NotAssessedReason, Severity,
};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_cross_account_training_data",
        title: "A role in another account of the organization can reach a model's training data",
        severity: Severity::High,
        rationale: "Training data is only as safe as the weakest account that can reach it: compromising a role there is enough to plant examples the next model learns, or to take the data out.",
        resource_types: &[AssetType::S3Bucket],
        collectors: &[
            "s3.buckets",
            "iam.authorization_details",
            "sagemaker.training_jobs",
            "sagemaker.tuning_jobs",
            "sagemaker.processing_jobs",
            "sagemaker.pipelines",
            "bedrock.customization_jobs",
        ],
        remediation: "Narrow the bucket policy's cross-account statements to named roles and the actions and prefixes they need (read-only where possible), send deliveries through a validated drop bucket, and fence the bucket with an RCP or an `aws:PrincipalAccount` condition.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM04", "LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0020", "AML.T0036"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["policy"],
        covers: &[],
    },
    evaluate: Evaluate::IamAcross {
        hits: evaluate,
        unseen,
    },
};

/// The kinds whose reads are training (or training preparation).
const TRAINERS: &[AssetType] = &[
    AssetType::SagemakerTrainingJob,
    AssetType::SagemakerTuningJob,
    AssetType::SagemakerProcessingJob,
    AssetType::SagemakerPipeline,
    AssetType::BedrockCustomizationJob,
];

/// Principals listed per bucket in the evidence (the count says how many).
const LISTED: usize = 20;

/// The object ARNs to ask about: the whole bucket, and each prefix its
/// policy names (a grant on `labels/*` only is found there).
fn objects(bucket: &crate::model::Asset) -> Vec<String> {
    let mut out = vec![format!("{}/*", bucket.arn)];
    let statements = bucket
        .attributes
        .get("policy")
        .and_then(|p| p.get("Statement"))
        .map(|s| match s {
            Value::Array(v) => v.iter().collect(),
            one => vec![one],
        })
        .unwrap_or_default();
    let prefix = format!("{}/", bucket.arn);
    for st in statements {
        let resources = match st.get("Resource") {
            Some(Value::String(r)) => vec![r.as_str()],
            Some(Value::Array(v)) => v.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for r in resources {
            if r.starts_with(&prefix) && !out.iter().any(|o| o == r) {
                out.push(r.to_owned());
            }
        }
    }
    out
}

/// The buckets training jobs read that have a policy, with their readers.
fn training_buckets(inv: &Inventory) -> Vec<(&crate::model::Asset, Vec<&crate::model::Edge>)> {
    of_type(inv, AssetType::S3Bucket)
        .filter(|b| b.attributes.contains_key("policy"))
        .filter_map(|b| {
            let readers: Vec<_> = inv
                .edges_to(&b.arn)
                .filter(|e| e.kind == EdgeKind::ReadsData)
                .filter(|e| {
                    inv.asset(&e.from)
                        .is_some_and(|a| TRAINERS.contains(&a.asset_type))
                })
                .collect();
            (!readers.is_empty()).then_some((b, readers))
        })
        .collect()
}

/// Who the bucket policy lets in from outside its account for `action` on
/// any of `objects`: other accounts, their principals, the organization, or
/// anyone under conditions (whose identities the engine must then ask about).
fn foreign_grants(
    owner: &crate::iam::AccountSnapshot,
    objects: &[String],
    action: &str,
) -> Vec<Grantee> {
    objects
        .iter()
        .flat_map(|o| who_can(owner, action, o).unwrap_or_default())
        .map(|g| g.who)
        .filter(|g| {
            matches!(
                g,
                Grantee::Account(_)
                    | Grantee::ExternalPrincipal(_)
                    | Grantee::Organization(_)
                    | Grantee::AnyoneRestricted(_)
            )
        })
        .collect()
}

/// The account a grantee names, when it names one.
fn grantee_account(g: &Grantee) -> Option<&str> {
    match g {
        Grantee::Account(a) => Some(a.as_str()),
        Grantee::ExternalPrincipal(arn) => arn.split(':').nth(4),
        _ => None,
    }
}

/// The rule's gaps: training buckets whose policy lets in another account
/// of the organization (or, with no view of the organization's accounts,
/// any other account, or the organization itself) whose IAM is not in this
/// view, so who there can reach the data cannot be decided.
pub(crate) fn unseen(inv: &Inventory, access: &Access) -> Vec<Coverage> {
    let org: std::collections::BTreeSet<&str> = of_type(inv, AssetType::OrganizationsAccount)
        .filter_map(|a| a.str_attr("account_id"))
        .collect();
    let mut out: Vec<Coverage> = Vec::new();
    for (bucket, _) in training_buckets(inv) {
        let Some(owner) = access.account(&bucket.account_id) else {
            continue;
        };
        let objects = objects(bucket);
        let mut missing = std::collections::BTreeSet::new();
        for action in ["s3:PutObject", "s3:GetObject"] {
            for g in foreign_grants(owner, &objects, action) {
                let unseen = match (&g, grantee_account(&g)) {
                    (_, Some(a)) => {
                        a != owner.account
                            && access.account(a).is_none()
                            && (org.is_empty() || org.contains(a))
                    }
                    (Grantee::Organization(_), None) => {
                        access.accounts().count() < 2
                            || org.iter().any(|a| access.account(a).is_none())
                    }
                    _ => false,
                };
                if unseen {
                    missing.insert(grantee_account(&g).unwrap_or("the organization").to_owned());
                }
            }
        }
        if !missing.is_empty() {
            out.push(Coverage::rule_gap(
                &bucket.account_id,
                &bucket.region,
                RULE.meta.id,
                "iam.authorization_details",
                NotAssessedReason::NotReported,
                format!(
                    "{} lets {} in, whose IAM is not in this view: `aispm scan --organization` decides who there can reach it",
                    bucket.name,
                    missing.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    out
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (bucket, readers) in training_buckets(inv) {
        let Some(owner) = access.account(&bucket.account_id) else {
            continue;
        };
        if owner.resource_policy(&bucket.arn).is_none() {
            continue;
        }
        let objects = objects(bucket);
        let mut reach: Vec<Value> = Vec::new();
        for (action, access_kind) in [("s3:PutObject", "write"), ("s3:GetObject", "read")] {
            // Only where the bucket policy lets another account in at all.
            let opens = !foreign_grants(owner, &objects, action).is_empty();
            if !opens {
                continue;
            }
            for other in access.accounts().filter(|a| a.account != owner.account) {
                for id in &other.identities {
                    let allowed = objects.iter().any(|o| {
                        other
                            .decide_across(owner, &id.arn, action, o)
                            .is_ok_and(|d| d.decision == Outcome::Allowed && !d.conditional)
                    });
                    if allowed {
                        reach.push(json!({
                            "principal": id.arn, "account": other.account, "access": access_kind,
                        }));
                    }
                }
            }
        }
        if reach.is_empty() {
            continue;
        }
        let writers = reach.iter().filter(|r| r["access"] == "write").count();
        let mut path = PathBuilder::new(&bucket.arn);
        for r in reach.iter().take(LISTED) {
            if let Some(p) = r["principal"].as_str() {
                let relation = if r["access"] == "write" {
                    "can_write"
                } else {
                    "can_read"
                };
                path.step(
                    p,
                    relation,
                    json!(bucket.arn),
                    "aispm:iam-engine",
                    "decide_across",
                );
            }
        }
        let (models, endpoints) = super::follow_to_endpoints(inv, &mut path, &readers);
        let read_by: Vec<&str> = readers.iter().map(|e| e.from.as_str()).collect();
        let total = reach.len();
        reach.truncate(LISTED);
        hits.push(Hit {
            resource_arn: bucket.arn.clone(),
            evidence: path.evidence(vec![
                ev(
                    "aispm:iam-engine",
                    "other_accounts_principals",
                    json!(reach),
                ),
                ev(
                    "aispm:iam-engine",
                    "principals_total",
                    json!({"total": total, "can_write": writers}),
                ),
                ev("aispm:graph", "read_by", json!(read_by)),
                ev("aispm:graph", "models", json!(models)),
                ev("aispm:graph", "endpoints", json!(endpoints)),
            ]),
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Evidence};
    use crate::rules::testkit::{asset, inv};

    const PROD: &str = "111111111111";
    const DEV: &str = "222222222222";

    fn role(account: &str, name: &str, statements: Value) -> crate::model::Asset {
        let mut r = asset(
            AssetType::IamRole,
            &format!("arn:aws:iam::{account}:role/{name}"),
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}],
                "attached_policies": [],
            }),
        );
        r.account_id = account.into();
        r.region = "global".into();
        r
    }

    fn estate(grant: Value) -> Inventory {
        let mut bucket = asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::prod-training",
            json!({"policy": {"Version": "2012-10-17", "Statement": grant}}),
        );
        bucket.account_id = PROD.into();
        let mut job = asset(
            AssetType::SagemakerTrainingJob,
            &format!("arn:aws:sagemaker:us-east-1:{PROD}:training-job/weekly"),
            json!({}),
        );
        job.account_id = PROD.into();
        let mut i = inv(vec![
            bucket,
            job,
            role(
                DEV,
                "dev-engineer",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            ),
            role(
                DEV,
                "dev-readonly",
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
            ),
            role(
                DEV,
                "dev-ec2",
                json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]),
            ),
        ]);
        i.edges = vec![Edge::new(
            format!("arn:aws:sagemaker:us-east-1:{PROD}:training-job/weekly"),
            "arn:aws:s3:::prod-training",
            EdgeKind::ReadsData,
            Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        )];
        i
    }

    fn reach(hits: &[Hit]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "other_accounts_principals")
            .and_then(|e| e.value.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|r| {
                (
                    r["principal"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                    r["access"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn another_accounts_roles_that_can_write_or_read_training_data_are_a_path() {
        let grant = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{DEV}:root")},
            "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::prod-training/labels/*"}]);
        let hits = RULE.hits(&estate(grant), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, "arn:aws:s3:::prod-training");
        assert_eq!(
            reach(&hits),
            [
                ("dev-engineer".to_owned(), "read".to_owned()),
                ("dev-engineer".to_owned(), "write".to_owned()),
                ("dev-readonly".to_owned(), "read".to_owned()),
            ],
            "a grant on one prefix is found; the EC2-only role reaches nothing"
        );
    }

    #[test]
    fn a_granted_account_whose_iam_is_not_in_view_is_a_gap_not_a_pass() {
        let grant = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{DEV}:root")},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::prod-training/*"}]);
        let mut one_account = estate(grant.clone());
        one_account.assets.retain(|a| a.account_id != DEV);
        assert!(RULE.hits(&one_account, &RuleConfig::default()).is_empty());
        let access = Access::from_inventory(&one_account);
        let gaps = unseen(&one_account, &access);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].rule_id(), Some(RULE.meta.id));
        assert!(gaps[0].detail.as_deref().unwrap_or("").contains(DEV));
        // In view: decided, no gap.
        let full = estate(grant.clone());
        assert!(unseen(&full, &Access::from_inventory(&full)).is_empty());
        // An account the organization's list does not hold is outside it:
        // not this rule's (path_poisonable_training_data judges outsiders).
        let mut org = one_account.clone();
        let mut member = asset(
            AssetType::OrganizationsAccount,
            &format!("arn:aws:organizations::{PROD}:account/o-1/{PROD}"),
            json!({"account_id": PROD}),
        );
        member.region = "global".into();
        org.assets.push(member);
        assert!(unseen(&org, &Access::from_inventory(&org)).is_empty());
    }

    #[test]
    fn no_cross_account_grant_or_no_trainer_is_no_path() {
        let own = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{PROD}:root")},
            "Action": "s3:*", "Resource": "arn:aws:s3:::prod-training/*"}]);
        assert!(RULE.hits(&estate(own), &RuleConfig::default()).is_empty());
        let grant = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{DEV}:root")},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-training/*"}]);
        let mut no_trainer = estate(grant);
        no_trainer.edges.clear();
        assert!(RULE.hits(&no_trainer, &RuleConfig::default()).is_empty());
    }
}
