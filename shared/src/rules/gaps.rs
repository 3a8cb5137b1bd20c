//! A rule's gaps: the `rule:<id>` coverage records that say where it could
//! not judge. Three causes, each a record per account and region:
//! - an input collector (or the whole account) was not assessed there;
//! - an asset it reads lacks an attribute the API did not report
//!   (`not_reported`);
//! - a policy document it reads is one the IAM engine cannot parse
//!   (`policy_not_understood`): a bucket or secret policy for the rules that
//!   read one (`needs` lists `policy`), any identity or resource document of
//!   the account for the rules that ask the engine. Dropping such a document
//!   would turn "cannot tell" into a pass.
//!
//! [`records`] turns them into the elements the findings array carries.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::Access;
use crate::iam::Policy;
use crate::model::{Coverage, Inventory, NotAssessed, NotAssessedReason, NotAssessedStatus};

use super::{Evaluate, RULES, Rule, RuleMeta};

/// Every gap of `rule` over `inv`; the IAM snapshots are built only when an
/// engine rule needs them.
pub(super) fn of_rule(inv: &Inventory, rule: &Rule, shared: &super::Shared) -> Vec<Coverage> {
    let m = &rule.meta;
    let mut gaps = inputs(inv, m);
    gaps.extend(unreported(inv, m));
    gaps.extend(unreadable_policies(inv, m));
    // A document the engine could not read leaves its answers incomplete.
    // Resource policies count only for engine rules that do not read them
    // themselves (those have reported them above); the data scope asks about
    // identities' permissions only.
    let resource_policies = match rule.evaluate {
        Evaluate::Inventory(_) => None,
        Evaluate::Iam(_) | Evaluate::IamAcross { .. } => Some(!m.needs.contains(&"policy")),
        Evaluate::DataScope(_) => Some(false),
    };
    if let Some(resource_policies) = resource_policies {
        gaps.extend(engine_unreadable(m, shared.access(inv), |what| {
            resource_policies || !what.ends_with(" policy")
        }));
    }
    // Another account's IAM that the view lacks.
    if let Evaluate::IamAcross { unseen, .. } = rule.evaluate {
        gaps.extend(unseen(inv, shared.access(inv)));
    }
    gaps
}

/// One record per account and region where an input collector of the rule
/// (or the account itself) was not assessed.
fn inputs(inv: &Inventory, m: &RuleMeta) -> Vec<Coverage> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in inv.coverage.iter().filter(|c| !c.is_assessed()) {
        let input = m.collectors.iter().find(|id| {
            c.collector == **id
                || c.collector == "account"
                || c.collector.starts_with(&format!("{id}."))
        });
        if let Some(input) = input
            && seen.insert((c.account_id.clone(), c.region.clone()))
        {
            let input = if c.collector == "account" {
                "account"
            } else {
                input
            };
            out.push(Coverage::rule_gap(
                &c.account_id,
                &c.region,
                m.id,
                input,
                c.reason.unwrap_or(NotAssessedReason::Error),
                format!(
                    "input `{input}` not assessed: {}",
                    c.detail.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
    out
}

/// The collector a rule's asset-level gap is charged to.
fn first_input(m: &RuleMeta) -> &'static str {
    m.collectors.first().copied().unwrap_or("inventory")
}

/// One `not_reported` record per account and region where an asset the rule
/// reads lacks an attribute the rule needs.
fn unreported(inv: &Inventory, m: &RuleMeta) -> Vec<Coverage> {
    let mut gaps: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for a in inv
        .assets
        .iter()
        .filter(|a| m.resource_types.contains(&a.asset_type))
    {
        for key in m.needs {
            if a.is_unreported(key) {
                gaps.entry((&a.account_id, &a.region))
                    .or_default()
                    .push(format!("{} `{}`", a.arn, key));
            }
        }
    }
    gaps.into_iter()
        .map(|((account, region), missing)| {
            Coverage::rule_gap(
                account,
                region,
                m.id,
                first_input(m),
                NotAssessedReason::NotReported,
                format!("not reported by the API: {}", missing.join(", ")),
            )
        })
        .collect()
}

/// One `policy_not_understood` record per account and region where a
/// resource policy the rule reads (`needs` holds `policy`) does not parse.
fn unreadable_policies(inv: &Inventory, m: &RuleMeta) -> Vec<Coverage> {
    if !m.needs.contains(&"policy") {
        return Vec::new();
    }
    let mut gaps: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for a in inv
        .assets
        .iter()
        .filter(|a| m.resource_types.contains(&a.asset_type))
    {
        let Some(doc) = a.attributes.get("policy").filter(|d| !d.is_null()) else {
            continue;
        };
        if let Err(e) = Policy::from_value(doc) {
            gaps.entry((&a.account_id, &a.region))
                .or_default()
                .push(format!("{}: {e}", a.arn));
        }
    }
    policy_gaps(m, gaps)
}

/// One record per account and region holding a document the engine could
/// not read (an engine rule's answers there are incomplete).
fn engine_unreadable(
    m: &RuleMeta,
    access: &Access,
    counts: impl Fn(&str) -> bool,
) -> Vec<Coverage> {
    let mut gaps: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for u in access.unreadable().iter().filter(|u| counts(&u.what)) {
        gaps.entry((&u.account_id, &u.region))
            .or_default()
            .push(format!("{}: {}", u.what, u.error));
    }
    policy_gaps(m, gaps)
}

fn policy_gaps(m: &RuleMeta, gaps: BTreeMap<(&str, &str), Vec<String>>) -> Vec<Coverage> {
    gaps.into_iter()
        .map(|((account, region), docs)| {
            Coverage::rule_gap(
                account,
                region,
                m.id,
                "policy",
                NotAssessedReason::PolicyNotUnderstood,
                format!(
                    "policy not understood by the IAM engine: {}",
                    docs.join("; ")
                ),
            )
        })
        .collect()
}

/// The findings-array elements for the rule gaps among `coverage` (other
/// records are left out), sorted by account, region and rule.
pub fn records<'a>(coverage: impl IntoIterator<Item = &'a Coverage>) -> Vec<NotAssessed> {
    let mut out: Vec<NotAssessed> = coverage
        .into_iter()
        .filter(|c| !c.is_assessed())
        .filter_map(|c| {
            let rule_id = c.rule_id()?;
            let title = RULES
                .iter()
                .find(|r| r.meta.id == rule_id)
                .map(|r| r.meta.title)
                .unwrap_or_default();
            Some(NotAssessed {
                status: NotAssessedStatus::NotAssessed,
                rule_id: rule_id.to_owned(),
                title: title.to_owned(),
                account_id: c.account_id.clone(),
                region: c.region.clone(),
                collector: c.input.clone().unwrap_or_else(|| "unknown".to_owned()),
                reason: c.reason.unwrap_or(NotAssessedReason::Error),
                detail: c.detail.clone().unwrap_or_default(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.account_id, &a.region, &a.rule_id, &a.collector).cmp(&(
            &b.account_id,
            &b.region,
            &b.rule_id,
            &b.collector,
        ))
    });
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::AssetType;
    use crate::rules::testkit::{asset, inv};
    use crate::rules::{RuleConfig, evaluate};

    /// A document AWS would store but the engine rejects (`Effect` must be
    /// Allow or Deny).
    fn broken() -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})
    }

    fn gaps_of(i: &Inventory, rule: &str) -> Vec<NotAssessed> {
        let (_, cov) = evaluate(i, &RuleConfig::default(), crate::model::Timestamp::now());
        records(&cov)
            .into_iter()
            .filter(|r| r.rule_id == rule)
            .collect()
    }

    #[test]
    fn an_unparseable_bucket_policy_is_a_gap_of_the_rules_that_read_it() {
        let b = asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::training-data",
            json!({"policy": broken()}),
        );
        let i = inv(vec![b]);
        for rule in [
            "s3_bucket_public_read",
            "s3_bucket_public_write",
            "s3_bucket_writable_outside_org",
        ] {
            let g = gaps_of(&i, rule);
            assert_eq!(g.len(), 1, "{rule}: {g:?}");
            assert_eq!(g[0].reason, NotAssessedReason::PolicyNotUnderstood);
            assert_eq!(g[0].collector, "policy");
            assert_eq!(g[0].status, NotAssessedStatus::NotAssessed);
            assert!(!g[0].title.is_empty());
            assert!(
                g[0].detail.contains("arn:aws:s3:::training-data"),
                "{}",
                g[0].detail
            );
        }
        // Rules that never read the policy are not blocked by it.
        assert!(gaps_of(&i, "s3_ai_bucket_versioning_disabled").is_empty());
    }

    #[test]
    fn a_readable_bucket_policy_is_no_gap() {
        let b = asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::training-data",
            json!({"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}}),
        );
        let i = inv(vec![b]);
        assert!(gaps_of(&i, "s3_bucket_public_read").is_empty());
        let (findings, _) = evaluate(&i, &RuleConfig::default(), crate::model::Timestamp::now());
        assert!(
            findings
                .iter()
                .any(|f| f.rule_id == "s3_bucket_public_read")
        );
    }

    #[test]
    fn an_unparseable_secret_policy_is_a_gap() {
        let s = asset(
            AssetType::SecretsmanagerSecret,
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:openai-key-AbCdEf",
            json!({"policy": broken()}),
        );
        let g = gaps_of(&inv(vec![s]), "secretsmanager_secret_readable_outside_org");
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].region, "us-east-1");
        assert_eq!(g[0].reason, NotAssessedReason::PolicyNotUnderstood);
    }

    #[test]
    fn an_unparseable_identity_document_is_a_gap_of_the_engine_rules() {
        let role = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/notebook",
            json!({"trust_policy": broken(), "inline_policies": [], "attached_policies": []}),
        );
        let mut role = role;
        role.region = "global".into();
        let i = inv(vec![role]);
        let g = gaps_of(&i, "identity_role_trust_any_principal");
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].region, "global");
        assert!(g[0].detail.contains("trust policy"), "{}", g[0].detail);
        // With a readable trust policy there is nothing to report.
        let ok = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/notebook",
            json!({"trust_policy": {"Version": "2012-10-17", "Statement": []}, "inline_policies": [], "attached_policies": []}),
        );
        assert!(gaps_of(&inv(vec![ok]), "identity_role_trust_any_principal").is_empty());
    }

    #[test]
    fn records_name_the_input_collector_of_an_unassessed_scope() {
        let mut i = inv(vec![]);
        i.coverage.push(Coverage::not_assessed(
            "111111111111",
            "us-east-1",
            "s3.buckets",
            NotAssessedReason::Throttled,
            "SlowDown",
        ));
        let g = gaps_of(&i, "s3_bucket_public_read");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].collector, "s3.buckets");
        assert_eq!(g[0].reason, NotAssessedReason::Throttled);
        let v = serde_json::to_value(&g[0]).unwrap();
        assert_eq!(v["status"], "not_assessed");
        assert_eq!(v["reason"], "throttled");
    }
}
