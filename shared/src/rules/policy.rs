//! Resource-policy reading for rules, on top of the IAM engine
//! (`aispm_shared::iam`): parsing with the engine's grammar, action matching
//! that honours wildcards and `NotAction`, and the engine's definition of a
//! public statement (fixed values of restricting keys, no `...IfExists`, Deny
//! guards for outsiders).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::iam::policy::Statement;
use crate::iam::{Effect, Exposure, Policy, is_public};
use crate::model::{AssetType, Inventory};

/// A resource policy as the engine reads it. A document AWS accepted but the
/// engine cannot read yields no hit here; the rule's gap records it
/// (`rules::gaps`, for rules whose `needs` lists `policy`), so it is never a
/// silent pass.
pub fn parse(doc: &Value, resource: &str) -> Option<Policy> {
    match Policy::from_value(doc) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::debug!(resource, error = %e, "resource policy not understood");
            None
        }
    }
}

/// Whether an Allow statement grants any of `actions` (`service:Action`).
pub fn allows_any(st: &Statement, actions: &[&str]) -> bool {
    st.effect == Effect::Allow
        && actions.iter().any(|a| {
            a.split_once(':').is_some_and(|(s, n)| {
                st.actions
                    .applies(&s.to_ascii_lowercase(), &n.to_ascii_lowercase())
            })
        })
}

/// The statements of `policy` that let anyone perform one of `actions`
/// (indexes), per the engine's [`is_public`] (`exposure`).
pub fn public_statements(policy: &Policy, exposure: &Exposure, actions: &[&str]) -> Vec<usize> {
    exposure
        .public_statements
        .iter()
        .copied()
        .filter(|i| {
            policy
                .statements
                .get(*i)
                .is_some_and(|st| allows_any(st, actions))
        })
        .collect()
}

/// Whether statement `i` is restricted by its conditions, or by a Deny guard
/// covering it, to fixed organizations, accounts, networks or callers.
pub fn is_restricted(exposure: &Exposure, i: usize) -> bool {
    exposure.restricted.iter().any(|(s, _)| *s == i) || exposure.guarded.contains(&i)
}

/// The account a principal belongs to: a 12-digit id or an ARN's account field.
pub fn principal_account(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let acct = p.strip_prefix("arn:")?.split(':').nth(3)?;
    (acct.len() == 12).then_some(acct)
}

/// Accounts that count as inside: every account the scan saw, plus the
/// organization's account list when the management account was read.
pub fn inside_accounts(inv: &Inventory) -> BTreeSet<&str> {
    let mut out: BTreeSet<&str> = inv.coverage.iter().map(|c| c.account_id.as_str()).collect();
    out.extend(inv.assets.iter().map(|a| a.account_id.as_str()));
    out.extend(
        super::of_type(inv, AssetType::OrganizationsAccount)
            .filter_map(|a| a.str_attr("account_id")),
    );
    out
}

/// The statements of `policy` that grant one of `actions` to principals
/// outside `inside`, with those principals: named accounts that are not
/// inside (unless the grant is restricted by conditions or a Deny guard), and
/// `*` for a public statement unless `public_blocked` (S3 Block Public Access).
pub fn outside_grants(
    policy: &Policy,
    actions: &[&str],
    inside: &BTreeSet<&str>,
    public_blocked: bool,
) -> Vec<(usize, Vec<String>)> {
    let exposure = is_public(policy);
    let public = if public_blocked {
        Vec::new()
    } else {
        public_statements(policy, &exposure, actions)
    };
    let mut out = Vec::new();
    for (i, st) in policy.statements.iter().enumerate() {
        let mut outsiders: Vec<String> =
            if allows_any(st, actions) && !st.not_principal && !is_restricted(&exposure, i) {
                st.principal
                    .iter()
                    .flat_map(|p| p.aws.iter())
                    .filter(|p| principal_account(p).is_some_and(|a| !inside.contains(a)))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
        if public.contains(&i) {
            outsiders.push("*".to_owned());
        }
        if !outsiders.is_empty() {
            out.push((i, outsiders));
        }
    }
    out
}

/// A statement as it was written, for evidence.
pub fn statement_json(st: &Statement) -> Value {
    let policy = Policy::new(None, None, vec![st.clone()]);
    policy
        .to_value()
        .get("Statement")
        .and_then(|s| s.get(0))
        .cloned()
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::is_public;
    use crate::iam::pattern::wildcard_match;
    use serde_json::json;

    fn policy(v: Value) -> Policy {
        Policy::from_value(&v).unwrap()
    }

    #[test]
    fn glob_wildcards_are_case_sensitive() {
        assert!(wildcard_match("collection/rag-*", "collection/rag-prod"));
        assert!(!wildcard_match("collection/RAG-*", "collection/rag-prod"));
        assert!(wildcard_match("*", "anything"));
    }

    #[test]
    fn actions_match_with_wildcards_and_not_action() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "S3:get*", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "NotAction": "s3:Delete*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}));
        assert!(allows_any(&p.statements[0], &["s3:GetObject"]));
        assert!(allows_any(&p.statements[1], &["s3:PutObject"]));
        assert!(!allows_any(&p.statements[1], &["s3:DeleteObject"]));
        assert!(
            !allows_any(&p.statements[2], &["s3:GetObject"]),
            "a Deny grants nothing"
        );
    }

    #[test]
    fn public_statements_follow_the_engine() {
        let p = policy(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}));
        let e = is_public(&p);
        assert_eq!(public_statements(&p, &e, &["s3:GetObject"]), vec![0, 2]);
        assert!(is_restricted(&e, 1));
        assert!(public_statements(&p, &e, &["s3:PutObject"]).is_empty());
    }

    #[test]
    fn principal_accounts() {
        assert_eq!(
            principal_account("arn:aws:iam::999988887777:root"),
            Some("999988887777")
        );
        assert_eq!(principal_account("123456789012"), Some("123456789012"));
        assert_eq!(principal_account("*"), None);
    }
}
