//! Combines every policy in play into one decision, in the order of AWS's
//! documented policy evaluation logic (IAM User Guide, "Policy evaluation
//! logic", "Cross-account policy evaluation logic", "Permissions boundaries
//! for IAM entities", "Service control policies", "Resource control
//! policies"):
//!
//! 1. An explicit Deny in any applicable policy wins.
//! 2. SCPs (principal's account): every level from the root down must have an
//!    Allow that matches. RCPs (resource's account) only deny: AWS attaches
//!    `RCPFullAWSAccess` to every root, OU and account and it cannot be
//!    detached, so a level never needs an Allow of its own; only its Deny
//!    statements (step 1) count. Neither applies to the management account,
//!    to service-linked roles, or to service principals; RCPs also not to
//!    services that do not support them.
//! 3. Same account: an Allow in an identity-based policy (within the
//!    permission boundary and session policies, when present) or in the
//!    resource-based policy is enough. A resource policy that names the
//!    account only delegates to identity-based policies; one that names a
//!    role is still limited by its sessions' boundary and session policies;
//!    one that names the user or session directly (or `*`) is not.
//! 4. Cross account: both the identity side and the resource-based policy
//!    must allow.
//! 5. KMS keys and role trust policies (when given) must allow the request
//!    even in the same account: their resource policy is not optional. A
//!    KMS key without a key policy admits no one: the key policy is the root
//!    of a key's access, and identity policies count only when it allows
//!    the account.
//! 6. Anything else is an implicit deny.
//!
//! Choices where the documentation is silent (each is tested): a `*`
//! principal in a same-account resource policy counts as naming the
//! requester directly (not limited by a boundary), which errs towards
//! reporting more access; a `null` resource policy means none is in play
//! (except on a KMS key, step 5).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::catalog;
use crate::condition::Tri;
use crate::context::{Arn, Context, Principal, is_account_id};
use crate::err::RequestError;
use crate::matcher::{
    PrincipalMatch, conditions_hold, not_principal_excludes, principal_match, resource_applies,
};
use crate::policy::{Effect, Policy, Statement};

/// A request to authorize.
#[derive(Clone, Debug)]
pub struct Request {
    /// Who.
    pub principal: Principal,
    /// The action as given (`s3:GetObject`).
    pub action: String,
    service: String,
    service_key: u64,
    name: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// The account owning the resource.
    pub resource_account: Option<String>,
    /// The request context, with the principal's global keys filled in.
    pub context: Context,
}

impl Request {
    /// Builds a request. `resource_account` defaults to the ARN's account,
    /// else the principal's.
    pub fn new(
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        mut context: Context,
    ) -> Result<Self, RequestError> {
        let principal = Principal::parse(principal)?;
        let (service, name) = action
            .split_once(':')
            .filter(|(s, n)| !s.is_empty() && !n.is_empty() && !n.contains(['*', '?', ':']))
            .ok_or_else(|| RequestError::Action(action.to_owned()))?;
        if resource.is_empty() {
            return Err(RequestError::Resource(resource.to_owned()));
        }
        let resource_account = match resource_account {
            Some(a) if is_account_id(a) => Some(a.to_owned()),
            Some(a) => return Err(RequestError::ResourceAccount(a.to_owned())),
            None => Arn::parse(resource)
                .map(|a| a.account)
                .filter(|a| is_account_id(a))
                .map(str::to_owned)
                .or_else(|| principal.account.clone()),
        };
        principal.fill_context(&mut context);
        if let Some(a) = &resource_account {
            context.insert_default("aws:ResourceAccount", a.clone());
        }
        let service = service.to_ascii_lowercase();
        Ok(Self {
            service_key: crate::policy::service_key(&service),
            service,
            name: name.to_ascii_lowercase(),
            action: action.to_owned(),
            principal,
            resource: resource.to_owned(),
            resource_account,
            context,
        })
    }

    /// The service prefix, lowercase.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The action name, lowercase.
    pub fn action_name(&self) -> &str {
        &self.name
    }

    /// Whether principal and resource are in the same account.
    pub fn same_account(&self) -> bool {
        self.principal.account.is_some() && self.principal.account == self.resource_account
    }
}

/// The policies in play for one request.
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    /// The principal's identity-based policies (inline, managed, groups').
    pub identity: Vec<&'a Policy>,
    /// The resource-based policy, if any.
    pub resource: Option<&'a Policy>,
    /// The principal's permission boundary.
    pub boundary: Option<&'a Policy>,
    /// Session policies passed when the session was created.
    pub session: Vec<&'a Policy>,
    /// SCPs, one list per level from the organization root to the
    /// principal's account.
    pub scps: Vec<Vec<&'a Policy>>,
    /// RCPs, one list per level from the root to the resource's account.
    pub rcps: Vec<Vec<&'a Policy>>,
    /// The organization's management account (SCPs and RCPs do not apply
    /// there).
    pub management_account: Option<&'a str>,
}

/// The three outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Allowed.
    Allowed,
    /// An explicit Deny matched.
    ExplicitlyDenied,
    /// Nothing allowed it.
    ImplicitlyDenied,
}

/// Which policy a statement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// `identity_policies[i]`.
    Identity(usize),
    /// `resource_policy`.
    Resource,
    /// `permission_boundary`.
    Boundary,
    /// `session_policies[i]`.
    Session(usize),
    /// `scps[level][i]`.
    Scp(usize, usize),
    /// `rcps[level][i]`.
    Rcp(usize, usize),
}

impl std::fmt::Display for PolicySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicySource::Identity(i) => write!(f, "identity_policies[{i}]"),
            PolicySource::Resource => f.write_str("resource_policy"),
            PolicySource::Boundary => f.write_str("permission_boundary"),
            PolicySource::Session(i) => write!(f, "session_policies[{i}]"),
            PolicySource::Scp(l, i) => write!(f, "scps[{l}][{i}]"),
            PolicySource::Rcp(l, i) => write!(f, "rcps[{l}][{i}]"),
        }
    }
}

impl Serialize for PolicySource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A statement that decided (or contributed to) the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// Which policy.
    pub policy: PolicySource,
    /// The statement's index in that policy.
    pub statement: usize,
    /// Its Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    /// Its effect.
    pub effect: Effect,
}

/// The decision and the statements behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Allowed, explicitly or implicitly denied.
    pub decision: Outcome,
    /// For Allowed: every Allow that was needed (identity, boundary,
    /// session, each SCP / RCP level, resource policy); for an explicit
    /// deny: every matching Deny; empty for an implicit deny.
    pub statements: Vec<Deciding>,
    /// Open contexts only: the outcome depends on condition keys not known
    /// (an Allow whose conditions may hold, or a Deny that may apply).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub conditional: bool,
    /// Why, in words.
    #[serde(skip)]
    pub reason: Cow<'static, str>,
}

/// What one policy says about a request.
#[derive(Default)]
struct Scan<'a> {
    allow: Vec<Hit<'a>>,
    allow_maybe: bool,
    /// The strongest principal match among allowing statements (resource
    /// policies).
    allow_match: Option<PrincipalMatch>,
    allow_maybe_match: Option<PrincipalMatch>,
    deny: Vec<Hit<'a>>,
    deny_maybe: bool,
}

/// A matching statement, turned into a [`Deciding`] only if it is reported.
#[derive(Clone, Copy)]
struct Hit<'a> {
    source: PolicySource,
    index: usize,
    statement: &'a Statement,
}

impl Hit<'_> {
    fn deciding(&self) -> Deciding {
        Deciding {
            policy: self.source,
            statement: self.index,
            sid: self.statement.sid.clone(),
            effect: self.statement.effect,
        }
    }
}

impl<'a> Scan<'a> {
    fn allows(&self) -> Tri {
        if !self.allow.is_empty() {
            Tri::True
        } else if self.allow_maybe {
            Tri::Unknown
        } else {
            Tri::False
        }
    }

    fn add(
        &mut self,
        policy: &'a Policy,
        source: PolicySource,
        req: &Request,
        resource_based: bool,
    ) {
        for (i, st) in policy.candidates(req.service_key) {
            if !st
                .actions
                .applies_keyed(req.service_key, &req.service, &req.name)
            {
                continue;
            }
            let mut pm = PrincipalMatch::Direct;
            if resource_based {
                match &st.principal {
                    Some(block) if st.not_principal => {
                        if not_principal_excludes(block, &req.principal) {
                            continue;
                        }
                    }
                    Some(block) => {
                        pm = principal_match(block, &req.principal);
                        if pm == PrincipalMatch::No {
                            continue;
                        }
                    }
                    None => continue,
                }
            }
            let r = resource_applies(st, &req.resource, &req.context);
            let t = if r == Tri::False {
                Tri::False
            } else {
                r.and(conditions_hold(st, &req.context))
            };
            let d = || Hit {
                source,
                index: i,
                statement: st,
            };
            match (st.effect, t) {
                (_, Tri::False) => {}
                (Effect::Deny, Tri::True) => self.deny.push(d()),
                (Effect::Deny, Tri::Unknown) => self.deny_maybe = true,
                (Effect::Allow, Tri::True) => {
                    self.allow.push(d());
                    self.allow_match = self.allow_match.max(Some(pm));
                }
                (Effect::Allow, Tri::Unknown) => {
                    self.allow_maybe = true;
                    self.allow_maybe_match = self.allow_maybe_match.max(Some(pm));
                }
            }
        }
    }
}

fn or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::True, _) | (_, Tri::True) => Tri::True,
        (Tri::False, Tri::False) => Tri::False,
        _ => Tri::Unknown,
    }
}

/// Whether the resource-based policy must allow even in the same account:
/// KMS key policies and role trust policies.
fn resource_policy_mandatory(req: &Request) -> bool {
    req.service == "kms"
        || (req.service == "sts"
            && matches!(
                req.name.as_str(),
                "assumerole" | "assumerolewithsaml" | "assumerolewithwebidentity"
            ))
}

/// Whether `req` is a KMS action on a key (not an alias, not `*`).
fn on_kms_key(req: &Request) -> bool {
    req.service == "kms" && req.resource.contains(":key/")
}

/// Authorizes `req` against `set`.
pub fn authorize<'a>(req: &Request, set: &'a PolicySet<'a>) -> Decision {
    let p = &req.principal;
    let iam = p.is_iam();
    let exempt_slr = p.is_service_linked_role();
    let in_management =
        |account: Option<&str>| account.is_some() && account == set.management_account;
    let scps_apply =
        iam && !exempt_slr && !set.scps.is_empty() && !in_management(p.account.as_deref());
    let rcps_apply = !p.is_service()
        && !exempt_slr
        && !set.rcps.is_empty()
        && !in_management(req.resource_account.as_deref())
        && catalog::rcp_supported(&req.service);

    let mut identity = Scan::default();
    let mut boundary = Scan::default();
    let mut session = Scan::default();
    let mut resource = Scan::default();
    if iam {
        for (i, pol) in set.identity.iter().enumerate() {
            identity.add(pol, PolicySource::Identity(i), req, false);
        }
        if let Some(b) = set.boundary {
            boundary.add(b, PolicySource::Boundary, req, false);
        }
        for (i, pol) in set.session.iter().enumerate() {
            session.add(pol, PolicySource::Session(i), req, false);
        }
    }
    if let Some(rp) = set.resource {
        resource.add(rp, PolicySource::Resource, req, true);
    }
    let level_scans = |levels: &'a [Vec<&'a Policy>], scp: bool| -> Vec<Scan<'a>> {
        levels
            .iter()
            .enumerate()
            .map(|(l, pols)| {
                let mut s = Scan::default();
                for (i, pol) in pols.iter().enumerate() {
                    let src = if scp {
                        PolicySource::Scp(l, i)
                    } else {
                        PolicySource::Rcp(l, i)
                    };
                    s.add(pol, src, req, false);
                }
                s
            })
            .collect()
    };
    let scps = if scps_apply {
        level_scans(&set.scps, true)
    } else {
        Vec::new()
    };
    let rcps = if rcps_apply {
        level_scans(&set.rcps, false)
    } else {
        Vec::new()
    };

    // 1. Explicit deny anywhere.
    let all = [&identity, &boundary, &session, &resource]
        .into_iter()
        .chain(scps.iter())
        .chain(rcps.iter());
    let mut denies = Vec::new();
    let mut deny_maybe = false;
    for s in all.clone() {
        denies.extend(s.deny.iter().map(Hit::deciding));
        deny_maybe |= s.deny_maybe;
    }
    if !denies.is_empty() {
        return Decision {
            decision: Outcome::ExplicitlyDenied,
            statements: denies,
            conditional: false,
            reason: Cow::Borrowed("an explicit Deny matched"),
        };
    }
    let implicit = |reason: Cow<'static, str>| Decision {
        decision: Outcome::ImplicitlyDenied,
        statements: Vec::new(),
        conditional: false,
        reason,
    };

    // 2. SCP levels (RCP levels only deny: step 1).
    let mut guard = Tri::True;
    for (level, s) in scps.iter().enumerate() {
        match s.allows() {
            Tri::False => {
                return implicit(Cow::Owned(format!(
                    "no SCP at level {level} allows the request"
                )));
            }
            t => guard = guard.and(t),
        }
    }
    // 5, first half: a KMS key's access starts at its key policy.
    if set.resource.is_none() && on_kms_key(req) {
        return implicit(Cow::Borrowed(
            "a KMS key without a key policy admits no one (identity policies count only when the key policy allows the account)",
        ));
    }

    // 3-5. Identity side and resource side.
    let id_side = if iam {
        let mut t = identity.allows();
        if set.boundary.is_some() {
            t = t.and(boundary.allows());
        }
        if !set.session.is_empty() {
            t = t.and(session.allows());
        }
        t
    } else {
        Tri::False
    };
    let limits = {
        let mut t = Tri::True;
        if set.boundary.is_some() {
            t = t.and(boundary.allows());
        }
        if !set.session.is_empty() {
            t = t.and(session.allows());
        }
        t
    };
    let rp_match =
        |m: Option<PrincipalMatch>, at_least: PrincipalMatch| m.is_some_and(|m| m >= at_least);
    // The resource policy allows with a match of at least `min`.
    let rp_allows = |min: PrincipalMatch| -> Tri {
        if rp_match(resource.allow_match, min) {
            Tri::True
        } else if rp_match(resource.allow_maybe_match, min) {
            Tri::Unknown
        } else {
            Tri::False
        }
    };
    let direct = rp_allows(PrincipalMatch::Direct);
    let via_role = rp_allows(PrincipalMatch::Role).and(limits);
    let any_rp = rp_allows(PrincipalMatch::Account);
    let mandatory = set.resource.is_some() && resource_policy_mandatory(req);

    let (allowed, why_not) = if p.is_anonymous() || p.is_service() {
        (
            direct,
            "the resource-based policy does not grant this principal",
        )
    } else if req.same_account() {
        let t = if mandatory {
            or(direct, via_role).or_else(id_side.and(any_rp))
        } else {
            or(or(direct, via_role), id_side)
        };
        (
            t,
            if mandatory {
                "the key policy or trust policy does not allow it"
            } else {
                "no identity-based or resource-based policy allows it (within the boundary and session policies)"
            },
        )
    } else {
        (
            id_side.and(any_rp),
            "cross-account access needs an Allow in both the identity side and the resource-based policy",
        )
    };
    let allowed = allowed.and(guard);
    if allowed == Tri::False {
        return implicit(Cow::Borrowed(why_not));
    }
    let total = [&identity, &boundary, &session, &resource]
        .into_iter()
        .chain(scps.iter())
        .chain(rcps.iter())
        .map(|s| s.allow.len())
        .sum();
    let mut statements = Vec::with_capacity(total);
    for s in [&identity, &boundary, &session, &resource]
        .into_iter()
        .chain(scps.iter())
        .chain(rcps.iter())
    {
        statements.extend(s.allow.iter().map(Hit::deciding));
    }
    Decision {
        decision: Outcome::Allowed,
        statements,
        conditional: allowed == Tri::Unknown || deny_maybe,
        reason: Cow::Borrowed("allowed"),
    }
}

trait OrElse {
    fn or_else(self, other: Tri) -> Tri;
}

impl OrElse for Tri {
    fn or_else(self, other: Tri) -> Tri {
        or(self, other)
    }
}
