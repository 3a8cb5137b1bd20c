//! Is a resource-based policy public? A statement that allows anyone
//! (`"Principal": "*"`, `{"AWS": "*"}`, or `NotPrincipal`) is public unless a
//! condition pins the caller down to fixed values of a restricting key, or a
//! Deny for anyone does so (the usual "deny unless aws:PrincipalOrgID"
//! guard).
//!
//! Restricting keys follow S3's definition of a non-public policy (S3 User
//! Guide, "Blocking public access", "The meaning of public"): aws:SourceIp
//! with a CIDR set, and fixed values of aws:SourceArn, aws:SourceVpc,
//! aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:userid and
//! s3:x-amz-server-side-encryption-aws-kms-key-id; plus the principal keys
//! aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount and
//! aws:PrincipalArn. A value is fixed when it has no wildcard and no policy
//! variable (`aws:PrincipalOrgPaths` may end in a wildcard below a fixed
//! organization id). The operator must bind the key when present and absent:
//! `...IfExists` and `ForAllValues:` forms do not restrict.
//!
//! Choice: an IPv4 range wider than /8 or an IPv6 range wider than /32 does
//! not restrict (0.0.0.0/1 is half the internet).

use serde::Serialize;

use crate::condition::{Cidr, Condition, OpKind, Qualifier};
use crate::policy::{Effect, Policy, Statement};

/// The keys that, pinned to fixed values, keep a grant to `*` from being
/// public.
pub const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
];

/// What `is_public` found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Anyone on the internet can use at least one statement.
    pub public: bool,
    /// The indexes of the public statements.
    pub public_statements: Vec<usize>,
    /// Statements that allow anyone but are restricted, with the keys that
    /// restrict them (`aws:PrincipalOrgID`...).
    pub restricted: Vec<(usize, Vec<String>)>,
    /// Allow statements (whoever they name) covered by a Deny for anyone
    /// outside fixed organizations, accounts or networks: the outside
    /// principals they name are denied anyway.
    pub guarded: Vec<usize>,
}

fn fixed(value: &str, key: &str) -> bool {
    if value.contains("${") {
        return false;
    }
    if key == "aws:principalorgpaths" {
        return value.starts_with("o-")
            && !value
                .split('/')
                .next()
                .is_some_and(|o| o.contains(['*', '?']));
    }
    !value.contains(['*', '?'])
}

/// Whether the condition restricts the request to fixed values when used in
/// an Allow (`positive`) or in a Deny guard (negated operators).
fn restricts(c: &Condition, in_deny: bool) -> bool {
    let key = c.key_lower();
    if !RESTRICTING_KEYS.contains(&key) || c.operator.if_exists {
        return false;
    }
    if c.operator.qualifier == Some(Qualifier::ForAllValues) {
        return false;
    }
    let k = c.operator.kind;
    // In an Allow the operator must be positive; in a Deny guard it must be
    // negated ("deny when the caller is NOT in my org").
    if k.is_negated() != in_deny {
        return false;
    }
    match k {
        OpKind::IpAddress | OpKind::NotIpAddress => c.values.iter().all(|v| {
            Cidr::parse(v).is_some_and(|n| {
                if n.is_ipv4() {
                    n.prefix() >= 8
                } else {
                    n.prefix() >= 32
                }
            })
        }),
        OpKind::StringEquals
        | OpKind::StringNotEquals
        | OpKind::StringEqualsIgnoreCase
        | OpKind::StringNotEqualsIgnoreCase
        | OpKind::StringLike
        | OpKind::StringNotLike
        | OpKind::ArnEquals
        | OpKind::ArnNotEquals
        | OpKind::ArnLike
        | OpKind::ArnNotLike => c.values.iter().all(|v| fixed(v, key)),
        _ => false,
    }
}

fn anyone(st: &Statement) -> bool {
    match &st.principal {
        Some(p) if st.not_principal => !p.is_anyone(),
        Some(p) => p.is_anyone(),
        None => false,
    }
}

/// Whether deny statement `d` covers every action and resource of `a`
/// (sound, not complete).
fn covers(d: &Statement, a: &Statement) -> bool {
    if d.actions.not || a.actions.not {
        return false;
    }
    let actions = a.actions.patterns.iter().all(|ap| {
        d.actions.patterns.iter().any(|dp| {
            dp.service == "*" || (dp.service == ap.service && ap.name.is_covered_by(&dp.name))
        })
    });
    let resources = match (&d.resources, &a.resources) {
        (None, _) => true,
        (Some(dr), _) if !dr.not && dr.patterns.iter().any(|p| p.is_any()) => true,
        (Some(dr), Some(ar)) if !dr.not && !ar.not => ar
            .patterns
            .iter()
            .all(|p| dr.patterns.iter().any(|q| p.is_covered_by(q))),
        _ => false,
    };
    actions && resources
}

/// Whether a resource-based policy lets anyone in.
pub fn is_public(policy: &Policy) -> Exposure {
    let mut out = Exposure::default();
    let guards: Vec<&Statement> = policy
        .statements
        .iter()
        .filter(|s| {
            s.effect == Effect::Deny
                && anyone(s)
                && !s.conditions.is_empty()
                && s.conditions.iter().all(|c| restricts(c, true))
        })
        .collect();
    for (i, st) in policy.statements.iter().enumerate() {
        if st.effect == Effect::Allow && guards.iter().any(|g| covers(g, st)) {
            out.guarded.push(i);
        }
        if st.effect != Effect::Allow || !anyone(st) {
            continue;
        }
        let mut keys: Vec<String> = st
            .conditions
            .iter()
            .filter(|c| restricts(c, false))
            .map(|c| c.key.clone())
            .collect();
        for g in &guards {
            if covers(g, st) {
                keys.extend(g.conditions.iter().map(|c| c.key.clone()));
            }
        }
        if keys.is_empty() {
            out.public = true;
            out.public_statements.push(i);
        } else {
            keys.sort();
            keys.dedup();
            out.restricted.push((i, keys));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> Exposure {
        is_public(&Policy::parse(text).unwrap())
    }

    #[test]
    fn a_grant_to_anyone_without_conditions_is_public() {
        let e = public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        assert!(e.public);
        assert_eq!(e.public_statements, vec![0]);
        let e = public(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        assert!(e.public);
    }

    #[test]
    fn fixed_restricting_conditions_keep_it_private() {
        for cond in [
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}"#,
            r#"{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#,
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:111111111111:training-job/x"}}"#,
            r#"{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#,
            r#"{"StringLike":{"aws:PrincipalOrgPaths":"o-abc123/r-ab12/ou-ab12-11111111/*"}}"#,
        ] {
            let e = public(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{cond}}}]}}"#
            ));
            assert!(!e.public, "{cond}");
            assert_eq!(e.restricted.len(), 1, "{cond}");
        }
    }

    #[test]
    fn wildcards_if_exists_and_wide_ranges_do_not_restrict() {
        for cond in [
            r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#,
            r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
            r#"{"StringEquals":{"aws:PrincipalAccount":"${aws:username}"}}"#,
        ] {
            let e = public(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{cond}}}]}}"#
            ));
            assert!(e.public, "{cond}");
        }
    }

    #[test]
    fn a_deny_guard_for_outsiders_restricts_the_grants_it_covers() {
        let e = public(
            r#"{"Statement":[
              {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
        );
        assert!(!e.public);
        assert_eq!(e.guarded, vec![0]);
        let partial = public(
            r#"{"Statement":[
              {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
        );
        assert!(partial.public, "the guard does not cover GetObject");
    }

    #[test]
    fn named_principals_are_not_public() {
        let e = public(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        assert!(!e.public && e.restricted.is_empty());
        let not = public(
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        assert!(not.public, "Allow with NotPrincipal grants everyone else");
    }
}
