//! Does one statement apply to a request: action, resource, principal and
//! conditions. Combining statements into a decision is `authorize`'s job.

use crate::condition::Tri;
use crate::context::{Arn, Context, Principal, PrincipalKind, is_account_id};
use crate::policy::{Principals, Statement};

/// How a resource-based statement's principal block names the requester.
/// Ordered from weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Not named.
    No,
    /// Its account is named (`111111111111` or `arn:aws:iam::111111111111:root`):
    /// the account delegates to its identity-based policies.
    Account,
    /// Its role is named and the requester is one of its sessions: still
    /// limited by the session's permission boundary and session policies.
    Role,
    /// Named directly (user, session, service, federated ARN) or by `*`:
    /// grants without an identity-based policy in the same account.
    Direct,
}

/// Whether `text` is an ARN of account `account`'s role `name` (any path).
fn is_role_arn(text: &str, account: &str, name: &str) -> bool {
    Arn::parse(text).is_some_and(|a| {
        a.service == "iam"
            && a.account == account
            && a.resource.starts_with("role/")
            && a.resource.rsplit('/').next() == Some(name)
    })
}

/// Whether `text` names account `account` (id or root ARN).
fn is_account(text: &str, account: &str) -> bool {
    if is_account_id(text) {
        return text == account;
    }
    Arn::parse(text)
        .is_some_and(|a| a.service == "iam" && a.resource == "root" && a.account == account)
}

/// How `block` names `p` (ignoring NotPrincipal).
pub fn principal_match(block: &Principals, p: &Principal) -> PrincipalMatch {
    if block.is_anyone() {
        return PrincipalMatch::Direct;
    }
    let mut best = PrincipalMatch::No;
    match &p.kind {
        PrincipalKind::Service(s) => {
            if block.service.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                return PrincipalMatch::Direct;
            }
        }
        PrincipalKind::Anonymous => {}
        kind => {
            let account = p.account.as_deref().unwrap_or_default();
            for entry in &block.aws {
                let m = if entry == &p.arn {
                    match kind {
                        PrincipalKind::Root => PrincipalMatch::Account,
                        PrincipalKind::Role { .. } => PrincipalMatch::Role,
                        _ => PrincipalMatch::Direct,
                    }
                } else if is_account(entry, account) {
                    PrincipalMatch::Account
                } else if p
                    .role_name()
                    .is_some_and(|name| is_role_arn(entry, account, name))
                {
                    PrincipalMatch::Role
                } else {
                    PrincipalMatch::No
                };
                best = best.max(m);
            }
            if block.federated.iter().any(|f| f == &p.arn) {
                best = PrincipalMatch::Direct;
            }
        }
    }
    best
}

/// Whether a `NotPrincipal` block excludes `p`. AWS evaluates a request
/// against each of the requester's identities (its account, its role, its
/// session or user), so a requester is excluded only when every one of them
/// is listed: a Deny with `NotPrincipal` naming only a role still denies its
/// sessions unless the account and the session are listed too (IAM User
/// Guide, "NotPrincipal").
pub fn not_principal_excludes(block: &Principals, p: &Principal) -> bool {
    if block.is_anyone() {
        return true;
    }
    let account = p.account.as_deref().unwrap_or_default();
    let named_account = || block.aws.iter().any(|e| is_account(e, account));
    let named = |arn: &str| block.aws.iter().any(|e| e == arn);
    match &p.kind {
        PrincipalKind::Service(s) => block.service.iter().any(|x| x.eq_ignore_ascii_case(s)),
        PrincipalKind::Anonymous => false,
        PrincipalKind::Root => named_account(),
        PrincipalKind::User { .. } | PrincipalKind::FederatedUser { .. } => {
            named_account() && named(&p.arn)
        }
        PrincipalKind::Role { name, .. } => {
            named_account() && block.aws.iter().any(|e| is_role_arn(e, account, name))
        }
        PrincipalKind::AssumedRole { role, .. } => {
            named_account()
                && block.aws.iter().any(|e| is_role_arn(e, account, role))
                && named(&p.arn)
        }
    }
}

/// Whether the statement's Resource / NotResource covers `resource`.
pub fn resource_applies(st: &Statement, resource: &str, ctx: &Context) -> Tri {
    let Some(r) = &st.resources else {
        // Trust policies name no resource: they apply to their role.
        return Tri::True;
    };
    let mut unknown = false;
    let mut hit = false;
    for p in &r.patterns {
        match p.matches(resource, ctx) {
            Some(true) => {
                hit = true;
                break;
            }
            Some(false) => {}
            None => unknown = true,
        }
    }
    match (hit, unknown, r.not) {
        (true, _, not) => tri(!not),
        (false, true, _) => Tri::Unknown,
        (false, false, not) => tri(not),
    }
}

fn tri(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// Whether all conditions hold.
pub fn conditions_hold(st: &Statement, ctx: &Context) -> Tri {
    let mut acc = Tri::True;
    for c in &st.conditions {
        acc = acc.and(c.eval(ctx));
        if acc == Tri::False {
            break;
        }
    }
    acc
}

/// Whether the statement applies to the lowercase `service:name` on
/// `resource` (principal not checked).
pub fn statement_applies(
    st: &Statement,
    service: &str,
    name: &str,
    resource: &str,
    ctx: &Context,
) -> Tri {
    if !st.actions.applies(service, name) {
        return Tri::False;
    }
    let r = resource_applies(st, resource, ctx);
    if r == Tri::False {
        return Tri::False;
    }
    r.and(conditions_hold(st, ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Principal {
        Principal::parse(s).unwrap_or(Principal {
            arn: String::new(),
            account: None,
            kind: PrincipalKind::Anonymous,
        })
    }

    fn aws(list: &[&str]) -> Principals {
        Principals {
            aws: list.iter().map(|s| (*s).to_owned()).collect(),
            ..Principals::default()
        }
    }

    #[test]
    fn principal_blocks_name_accounts_roles_and_sessions() {
        let session = p("arn:aws:sts::111111111111:assumed-role/app/s");
        assert_eq!(
            principal_match(&aws(&["111111111111"]), &session),
            PrincipalMatch::Account
        );
        assert_eq!(
            principal_match(&aws(&["arn:aws:iam::111111111111:role/team/app"]), &session),
            PrincipalMatch::Role
        );
        assert_eq!(
            principal_match(
                &aws(&["arn:aws:sts::111111111111:assumed-role/app/s"]),
                &session
            ),
            PrincipalMatch::Direct
        );
        assert_eq!(
            principal_match(&aws(&["arn:aws:iam::222222222222:root"]), &session),
            PrincipalMatch::No
        );
        assert_eq!(
            principal_match(&aws(&["*"]), &p("*")),
            PrincipalMatch::Direct
        );
        assert_eq!(
            principal_match(&aws(&["111111111111"]), &p("*")),
            PrincipalMatch::No,
            "anonymous requests belong to no account"
        );
    }

    #[test]
    fn not_principal_needs_every_identity_listed() {
        let session = p("arn:aws:sts::111111111111:assumed-role/app/s");
        assert!(!not_principal_excludes(
            &aws(&["arn:aws:iam::111111111111:role/app"]),
            &session
        ));
        assert!(not_principal_excludes(
            &aws(&[
                "arn:aws:iam::111111111111:role/app",
                "arn:aws:sts::111111111111:assumed-role/app/s",
                "111111111111"
            ]),
            &session
        ));
        let user = p("arn:aws:iam::111111111111:user/bob");
        assert!(!not_principal_excludes(
            &aws(&["arn:aws:iam::111111111111:user/bob"]),
            &user
        ));
        assert!(not_principal_excludes(
            &aws(&[
                "arn:aws:iam::111111111111:user/bob",
                "arn:aws:iam::111111111111:root"
            ]),
            &user
        ));
    }
}
