//! Questions over one account's IAM snapshot: what can this principal do,
//! who can do this to that resource, who can assume this role.
//!
//! The snapshot is what `iam:GetAccountAuthorizationDetails` returns (users
//! with their groups, roles with trust policies, every policy version), plus
//! the account's resource-based policies and the organization's SCPs and
//! RCPs. Queries use an *open* context: a condition on a key the query
//! cannot know makes the answer `conditional`, never silently true or false.

mod snapshot;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::authorize::{Decision, Outcome, PolicySet, Request, authorize};
use crate::catalog::{AccessLevel, Catalog, CatalogError};
use crate::context::{Arn, Context, Principal, PrincipalKind, is_account_id};
use crate::exposure::is_public;
use crate::matcher::conditions_hold;
use crate::policy::{Effect, Policy, PolicyKind};

/// Errors of the queries.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The principal is not in the snapshot.
    #[error("`{0}` is not a user or role of this account snapshot")]
    UnknownPrincipal(String),
    /// The role is not in the snapshot.
    #[error("`{0}` is not a role of this account snapshot")]
    UnknownRole(String),
    /// The request is invalid.
    #[error(transparent)]
    Request(#[from] crate::err::RequestError),
    /// The action catalog is unreadable.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// User or role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// One IAM user or role with everything that shapes its permissions.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Its ARN.
    pub arn: String,
    /// User or role.
    pub kind: IdentityKind,
    /// Inline, attached managed and (users) group policies, with names.
    pub policies: Vec<(String, Arc<Policy>)>,
    /// Its permission boundary.
    pub boundary: Option<(String, Arc<Policy>)>,
    /// Roles: the trust policy.
    pub trust: Option<Arc<Policy>>,
    /// Its tags (for `aws:PrincipalTag/...`).
    pub tags: BTreeMap<String, String>,
}

/// The organization around the account.
#[derive(Clone, Debug, Default)]
pub struct Organization {
    /// `o-...`.
    pub id: Option<String>,
    /// The management account (SCPs and RCPs do not apply to it).
    pub management_account: Option<String>,
    /// SCPs per level, root first, down to this account.
    pub scps: Vec<Vec<Arc<Policy>>>,
    /// RCPs per level, root first, down to this account.
    pub rcps: Vec<Vec<Arc<Policy>>>,
}

/// One account's IAM state.
#[derive(Clone, Debug, Default)]
pub struct AccountSnapshot {
    /// The account id.
    pub account: String,
    /// Users and roles.
    pub identities: Vec<Identity>,
    /// Resource-based policies by resource ARN (bucket, key, secret...).
    pub resource_policies: BTreeMap<String, Arc<Policy>>,
    /// The organization, if the account is in one.
    pub organization: Option<Organization>,
    /// Policies that could not be read (skipped), with the reason.
    pub errors: Vec<String>,
}

/// One action a principal can take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capability<'a> {
    /// The service prefix (`s3`).
    pub service: &'static str,
    /// The action name (`GetObject`).
    pub name: &'static str,
    /// On which resources (patterns from the allowing statements;
    /// `NOT <pattern>` for NotResource).
    pub resources: Vec<Cow<'a, str>>,
    /// Only when conditions hold, or partly denied / limited.
    pub conditional: bool,
}

impl Capability<'_> {
    /// `service:Action`.
    pub fn action(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }
}

impl Serialize for Capability<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Capability", 3)?;
        st.serialize_field("action", &self.action())?;
        st.serialize_field("resources", &self.resources)?;
        st.serialize_field("conditional", &self.conditional)?;
        st.end()
    }
}

/// Everything a principal can do, by service and access level.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Capabilities<'a> {
    /// The principal.
    pub principal: String,
    /// service prefix → access level → actions.
    pub services: BTreeMap<&'static str, BTreeMap<AccessLevel, Vec<Capability<'a>>>>,
    /// How many actions in all.
    pub actions: usize,
}

impl Capabilities<'_> {
    /// Whether any action of `level` is granted.
    pub fn has_level(&self, level: AccessLevel) -> bool {
        self.services.values().any(|l| l.contains_key(&level))
    }

    /// The capability for one action (`s3:GetObject`, case-insensitive).
    pub fn action(&self, action: &str) -> Option<&Capability<'_>> {
        let (svc, name) = action.split_once(':')?;
        self.services
            .get(svc.to_ascii_lowercase().as_str())?
            .values()
            .flatten()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

type St = crate::policy::Statement;

fn unconditional_everywhere(st: &St) -> bool {
    st.conditions.is_empty()
        && st
            .resources
            .as_ref()
            .is_none_or(|r| !r.not && r.patterns.iter().any(|p| p.is_any()))
}

/// Whether a statement can apply to some action of service `svc`.
fn touches(st: &St, svc: &str) -> bool {
    st.actions.not
        || st
            .actions
            .patterns
            .iter()
            .any(|ap| ap.service == "*" || ap.service == svc)
}

/// What `principal` (a user or role of the snapshot) can do: every catalog
/// action its identity-based policies allow, within its permission boundary
/// and the SCPs, with the resources the allowing statements name. Actions
/// denied on every resource without conditions are left out; partial or
/// conditional denies, and allows that depend on conditions, mark the action
/// `conditional`.
pub fn what_can<'a>(
    snap: &'a AccountSnapshot,
    principal: &str,
) -> Result<Capabilities<'a>, QueryError> {
    let id = snap
        .identity(principal)
        .ok_or_else(|| QueryError::UnknownPrincipal(principal.to_owned()))?;
    let catalog = Catalog::global()?;
    let ctx = snap.context_for(id);
    let set = snap.policy_set(Some(id), None);
    let p = Principal::parse(&id.arn)?;
    let scps_apply = !set.scps.is_empty()
        && !p.is_service_linked_role()
        && p.account.as_deref() != set.management_account;
    let mut out = Capabilities {
        principal: principal.to_owned(),
        ..Capabilities::default()
    };
    let all: Vec<&St> = set
        .identity
        .iter()
        .flat_map(|p| p.statements.iter())
        .collect();
    // Guards: the boundary, then each SCP level; each must allow.
    let mut guard_levels: Vec<Vec<&St>> = Vec::new();
    if let Some(b) = set.boundary {
        guard_levels.push(b.statements.iter().collect());
    }
    if scps_apply {
        for level in &set.scps {
            guard_levels.push(level.iter().flat_map(|p| p.statements.iter()).collect());
        }
    }
    for service in catalog.services() {
        let svc = service.prefix.as_str();
        let mut by_level: BTreeMap<AccessLevel, Vec<Capability<'a>>> = BTreeMap::new();
        let allows: Vec<&St> = all
            .iter()
            .copied()
            .filter(|st| st.effect == Effect::Allow && touches(st, svc))
            .collect();
        if allows.is_empty() {
            continue;
        }
        let denies: Vec<&St> = all
            .iter()
            .copied()
            .filter(|st| st.effect == Effect::Deny && touches(st, svc))
            .collect();
        let guards: Vec<Vec<&St>> = guard_levels
            .iter()
            .map(|l| l.iter().copied().filter(|st| touches(st, svc)).collect())
            .collect();
        for action in &service.actions {
            let name = action.lower.as_str();
            let applies = |st: &&&St| st.actions.applies(svc, name);
            let mut conditional = true;
            let mut granted = false;
            for st in allows.iter().filter(applies) {
                granted = true;
                if conditions_hold(st, &ctx) == crate::condition::Tri::True {
                    conditional = false;
                }
            }
            if !granted {
                continue;
            }
            let mut excluded = false;
            for d in denies.iter().filter(applies) {
                if unconditional_everywhere(d) {
                    excluded = true;
                    break;
                }
                conditional = true;
            }
            for level in &guards {
                if excluded {
                    break;
                }
                let mut allowed = false;
                let mut everywhere = false;
                for st in level.iter().filter(applies) {
                    match st.effect {
                        Effect::Allow => {
                            allowed = true;
                            everywhere |= unconditional_everywhere(st);
                        }
                        Effect::Deny if unconditional_everywhere(st) => excluded = true,
                        Effect::Deny => conditional = true,
                    }
                }
                excluded |= !allowed;
                conditional |= !everywhere;
            }
            if excluded {
                continue;
            }
            let mut resources: Vec<Cow<'a, str>> = Vec::new();
            for st in allows.iter().filter(applies) {
                match &st.resources {
                    Some(r) if !r.not && r.patterns.iter().any(|p| p.is_any()) => {
                        resources = vec![Cow::Borrowed("*")];
                        break;
                    }
                    Some(r) => {
                        for p in &r.patterns {
                            let s: Cow<'a, str> = if r.not {
                                Cow::Owned(format!("NOT {}", p.as_str()))
                            } else {
                                Cow::Borrowed(p.as_str())
                            };
                            if !resources.contains(&s) {
                                resources.push(s);
                            }
                        }
                    }
                    None => {
                        resources = vec![Cow::Borrowed("*")];
                        break;
                    }
                }
            }
            out.actions += 1;
            by_level.entry(action.level).or_default().push(Capability {
                service: svc,
                name: action.name.as_str(),
                resources,
                conditional,
            });
        }
        if !by_level.is_empty() {
            out.services.insert(svc, by_level);
        }
    }
    Ok(out)
}

/// Who a grant reaches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Grantee {
    /// A user or role of this account.
    Principal(String),
    /// A principal of another account, named by ARN.
    ExternalPrincipal(String),
    /// Another account as a whole (its identity policies decide who).
    Account(String),
    /// Anyone in the organization (or organization paths) named.
    Organization(String),
    /// Anyone, further restricted by conditions (keys listed).
    AnyoneRestricted(String),
    /// Anyone on the internet, no restriction.
    Anonymous,
    /// An AWS service principal.
    Service(String),
    /// A federated identity provider (web identity, SAML).
    Federated(String),
}

/// One principal (or class of principals) that can make the request.
#[derive(Clone, Debug, Serialize)]
pub struct Access {
    /// Who.
    pub who: Grantee,
    /// Depends on conditions or identity policies the snapshot cannot
    /// see (other accounts).
    pub conditional: bool,
    /// The decision behind it, for principals of this account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// Who can call `action` on `resource`: the account's users and roles
/// (full evaluation), and whoever the resource-based policy lets in from
/// outside: other accounts and their principals, the organization, services,
/// anyone.
pub fn who_can(
    snap: &AccountSnapshot,
    action: &str,
    resource: &str,
) -> Result<Vec<Access>, QueryError> {
    let rp = snap.resource_policy(resource).map(Arc::as_ref);
    who_can_with(snap, action, resource, rp)
}

/// Who can assume `role` (sts:AssumeRole, AssumeRoleWithWebIdentity,
/// AssumeRoleWithSAML) under its trust policy.
pub fn who_can_assume(snap: &AccountSnapshot, role: &str) -> Result<Vec<Access>, QueryError> {
    let r = snap
        .identity(role)
        .filter(|i| i.kind == IdentityKind::Role)
        .ok_or_else(|| QueryError::UnknownRole(role.to_owned()))?;
    let Some(trust) = r.trust.as_deref() else {
        return Ok(Vec::new());
    };
    let mut out = who_can_with(snap, "sts:AssumeRole", role, Some(trust))?;
    for st in trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && !s.not_principal)
    {
        let Some(p) = &st.principal else { continue };
        for f in &p.federated {
            let web = ["sts:assumerolewithwebidentity", "sts:assumerolewithsaml"]
                .iter()
                .any(|a| {
                    a.split_once(':')
                        .is_some_and(|(s, n)| st.actions.applies(s, n))
                });
            if web {
                out.push(Access {
                    who: Grantee::Federated(f.clone()),
                    conditional: !st.conditions.is_empty(),
                    decision: None,
                });
            }
        }
    }
    out.sort_by(|a, b| a.who.cmp(&b.who));
    out.dedup_by(|a, b| a.who == b.who);
    Ok(out)
}

fn who_can_with(
    snap: &AccountSnapshot,
    action: &str,
    resource: &str,
    rp: Option<&Policy>,
) -> Result<Vec<Access>, QueryError> {
    let mut out = Vec::new();
    for id in &snap.identities {
        let req = Request::new(
            &id.arn,
            action,
            resource,
            Some(&snap.account),
            snap.context_for(id),
        )?;
        let set = snap.policy_set(Some(id), rp);
        let d = authorize(&req, &set);
        if d.decision == Outcome::Allowed {
            out.push(Access {
                who: Grantee::Principal(id.arn.clone()),
                conditional: d.conditional,
                decision: Some(d),
            });
        }
    }
    let Some(rp) = rp else { return Ok(out) };
    let exposure = is_public(rp);
    let allow_all = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .map_err(crate::err::RequestError::from)?;
    // Outside principals: the resource side decides; their own identity
    // policies are unknown (taken as allowing, so the answer is an upper bound).
    let mut outside =
        |principal: &str, who: Grantee, conditional_hint: bool| -> Result<(), QueryError> {
            let req = Request::new(
                principal,
                action,
                resource,
                Some(&snap.account),
                Context::open(),
            )?;
            let mut set = snap.policy_set(None, Some(rp));
            set.identity = vec![&allow_all];
            set.scps = Vec::new();
            let d = authorize(&req, &set);
            if d.decision == Outcome::Allowed {
                out.push(Access {
                    who,
                    conditional: d.conditional || conditional_hint,
                    decision: None,
                });
            }
            Ok(())
        };
    for (i, st) in rp.statements.iter().enumerate() {
        if st.effect != Effect::Allow {
            continue;
        }
        let Some(block) = &st.principal else { continue };
        let restricted = exposure
            .restricted
            .iter()
            .find(|(s, _)| *s == i)
            .map(|(_, k)| k.clone());
        let anyone = if st.not_principal {
            !block.is_anyone()
        } else {
            block.is_anyone()
        };
        if anyone {
            let org = st.conditions.iter().find(|c| {
                c.key_lower() == "aws:principalorgid" || c.key_lower() == "aws:principalorgpaths"
            });
            let who = match (&restricted, org) {
                (None, _) => Grantee::Anonymous,
                (Some(_), Some(c)) => Grantee::Organization(c.values.join(",")),
                (Some(keys), None) => Grantee::AnyoneRestricted(keys.join(",")),
            };
            let principal = if who == Grantee::Anonymous {
                "*"
            } else {
                "arn:aws:iam::000000000000:root"
            };
            outside(principal, who, restricted.is_some())?;
            continue;
        }
        if st.not_principal {
            continue;
        }
        for entry in &block.aws {
            let (principal, who) = if is_account_id(entry) {
                (
                    format!("arn:aws:iam::{entry}:root"),
                    Grantee::Account(entry.clone()),
                )
            } else {
                match Principal::parse(entry) {
                    Ok(p) if p.account.as_deref() == Some(snap.account.as_str()) => continue,
                    Ok(p) if p.kind == PrincipalKind::Root => {
                        let acct = p.account.clone().unwrap_or_default();
                        (entry.clone(), Grantee::Account(acct))
                    }
                    Ok(_) => (entry.clone(), Grantee::ExternalPrincipal(entry.clone())),
                    Err(_) => continue,
                }
            };
            if who == Grantee::Account(snap.account.clone()) {
                continue;
            }
            outside(&principal, who, true)?;
        }
        for s in &block.service {
            outside(s, Grantee::Service(s.clone()), !st.conditions.is_empty())?;
        }
    }
    out.sort_by(|a, b| a.who.cmp(&b.who));
    out.dedup_by(|a, b| a.who == b.who);
    Ok(out)
}
