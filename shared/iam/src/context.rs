//! The request being authorized: who, what, on which resource, and the
//! request context keys conditions read.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::err::RequestError;

/// FNV-1a: condition keys are short strings looked up many times per
/// decision, where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type KeyMap = HashMap<String, Vec<String>, BuildHasherDefault<Fnv>>;

/// The request context: condition keys (case-insensitive) to one or more
/// values.
///
/// A *closed* context (the default, used by `aispm iam simulate`) is the
/// whole truth: a key it lacks is absent from the request. An *open* context
/// (used by who-can / what-can, which reason about requests not yet made)
/// says nothing about keys it lacks: conditions on them evaluate to
/// "unknown" and decisions that depend on them are marked conditional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    values: KeyMap,
    open: bool,
}

impl Context {
    /// An empty closed context.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty closed context with room for `n` keys.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            values: KeyMap::with_capacity_and_hasher(n, BuildHasherDefault::default()),
            open: false,
        }
    }

    /// An empty open context.
    pub fn open() -> Self {
        Self {
            values: KeyMap::default(),
            open: true,
        }
    }

    /// A shared empty closed context.
    pub fn empty() -> &'static Context {
        static EMPTY: OnceLock<Context> = OnceLock::new();
        EMPTY.get_or_init(Context::new)
    }

    /// A closed context from single-valued pairs (tests and examples).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let mut ctx = Self::new();
        for (k, v) in pairs {
            ctx.insert(k, *v);
        }
        ctx
    }

    /// Whether keys not present are unknown rather than absent.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Sets a single-valued key.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets a multi-valued key (an empty list is present but empty).
    pub fn insert_list(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// Sets `key` unless the caller already did.
    pub fn insert_default(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| vec![value.into()]);
    }

    /// The values of a key (lowercase).
    pub fn get(&self, key_lower: &str) -> Option<&[String]> {
        self.values.get(key_lower).map(Vec::as_slice)
    }

    /// Whether the key (lowercase) was given.
    pub fn has(&self, key_lower: &str) -> bool {
        self.values.contains_key(key_lower)
    }

    /// The value of a single-valued key (lowercase); `None` when absent or
    /// multi-valued (policy variables only read single values).
    pub fn single(&self, key_lower: &str) -> Option<&str> {
        match self.values.get(key_lower).map(Vec::as_slice) {
            Some([v]) => Some(v.as_str()),
            _ => None,
        }
    }

    /// The keys given, lowercase.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// What kind of principal makes a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account's root user, `arn:aws:iam::A:root`.
    Root,
    /// An IAM user.
    User {
        /// The user's name.
        name: String,
    },
    /// An IAM role (a request by one of its sessions).
    Role {
        /// The role's name.
        name: String,
        /// The role's path (`/` or `/a/b/`).
        path: String,
    },
    /// An assumed-role session, `arn:aws:sts::A:assumed-role/name/session`.
    AssumedRole {
        /// The role's name.
        role: String,
        /// The session name.
        session: String,
    },
    /// A federated user session, `arn:aws:sts::A:federated-user/name`.
    FederatedUser {
        /// The user name.
        name: String,
    },
    /// An AWS service principal such as `lambda.amazonaws.com`.
    Service(String),
    /// An unauthenticated request.
    Anonymous,
}

/// The principal making a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// As given: an ARN, a service principal, or `*` for anonymous.
    pub arn: String,
    /// The account, when the principal belongs to one.
    pub account: Option<String>,
    /// What kind of principal.
    pub kind: PrincipalKind,
}

impl Principal {
    /// Reads `arn:aws:iam::A:user/..|role/..|root`, `arn:aws:sts::A:assumed-role/..|federated-user/..`,
    /// a service principal (`x.amazonaws.com`), or `*` / `anonymous`.
    pub fn parse(text: &str) -> Result<Self, RequestError> {
        let bad = || RequestError::Principal(text.to_owned());
        if text == "*" || text.eq_ignore_ascii_case("anonymous") {
            return Ok(Self {
                arn: text.to_owned(),
                account: None,
                kind: PrincipalKind::Anonymous,
            });
        }
        if !text.starts_with("arn:") {
            if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                return Ok(Self {
                    arn: text.to_owned(),
                    account: None,
                    kind: PrincipalKind::Service(text.to_ascii_lowercase()),
                });
            }
            return Err(bad());
        }
        let arn = Arn::parse(text).ok_or_else(bad)?;
        if !is_account_id(arn.account) {
            return Err(bad());
        }
        let kind = match (arn.service, arn.resource.split_once('/')) {
            ("iam", None) if arn.resource == "root" => PrincipalKind::Root,
            ("iam", Some(("user", rest))) => PrincipalKind::User {
                name: last(rest).to_owned(),
            },
            ("iam", Some(("role", rest))) => PrincipalKind::Role {
                name: last(rest).to_owned(),
                path: path_of(rest),
            },
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    PrincipalKind::AssumedRole {
                        role: role.to_owned(),
                        session: session.to_owned(),
                    }
                }
                _ => return Err(bad()),
            },
            ("sts", Some(("federated-user", name))) if !name.is_empty() => {
                PrincipalKind::FederatedUser {
                    name: name.to_owned(),
                }
            }
            _ => return Err(bad()),
        };
        if matches!(&kind, PrincipalKind::User { name } | PrincipalKind::Role { name, .. } if name.is_empty())
        {
            return Err(bad());
        }
        Ok(Self {
            arn: text.to_owned(),
            account: Some(arn.account.to_owned()),
            kind,
        })
    }

    /// Whether this is an AWS service principal.
    pub fn is_service(&self) -> bool {
        matches!(self.kind, PrincipalKind::Service(_))
    }

    /// Whether this is an anonymous request.
    pub fn is_anonymous(&self) -> bool {
        matches!(self.kind, PrincipalKind::Anonymous)
    }

    /// Whether this is an IAM identity whose identity-based policies apply.
    pub fn is_iam(&self) -> bool {
        !self.is_service() && !self.is_anonymous()
    }

    /// The role's name for roles and their sessions.
    pub fn role_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::Role { name, .. } => Some(name),
            PrincipalKind::AssumedRole { role, .. } => Some(role),
            _ => None,
        }
    }

    /// Whether this is a service-linked role (or one of its sessions), which
    /// SCPs and RCPs do not restrict. Sessions carry no path, so only the
    /// `AWSServiceRoleFor` name prefix identifies them.
    pub fn is_service_linked_role(&self) -> bool {
        match &self.kind {
            PrincipalKind::Role { path, name } => {
                path.starts_with("/aws-service-role/") || name.starts_with("AWSServiceRoleFor")
            }
            PrincipalKind::AssumedRole { role, .. } => role.starts_with("AWSServiceRoleFor"),
            _ => false,
        }
    }

    /// Fills the global condition keys AWS derives from the principal
    /// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:username`), keeping any the caller set.
    pub fn fill_context(&self, ctx: &mut Context) {
        let Some(account) = &self.account else {
            if let PrincipalKind::Service(s) = &self.kind {
                ctx.insert_default("aws:PrincipalServiceName", s.clone());
            }
            return;
        };
        ctx.insert_default("aws:PrincipalAccount", account.clone());
        let (ptype, principal_arn) = match &self.kind {
            PrincipalKind::Root => ("Account", self.arn.clone()),
            PrincipalKind::User { name } => {
                ctx.insert_default("aws:username", name.clone());
                ("User", self.arn.clone())
            }
            PrincipalKind::Role { .. } => ("AssumedRole", self.arn.clone()),
            PrincipalKind::AssumedRole { role, .. } => {
                // aws:PrincipalArn of a session is its role's ARN; the path is
                // not in the session ARN, so this assumes the root path.
                ("AssumedRole", format!("arn:aws:iam::{account}:role/{role}"))
            }
            PrincipalKind::FederatedUser { .. } => ("FederatedUser", self.arn.clone()),
            PrincipalKind::Service(_) | PrincipalKind::Anonymous => return,
        };
        ctx.insert_default("aws:PrincipalType", ptype);
        ctx.insert_default("aws:PrincipalArn", principal_arn);
    }
}

fn last(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn path_of(rest: &str) -> String {
    match rest.rsplit_once('/') {
        Some((p, _)) => format!("/{p}/"),
        None => "/".to_owned(),
    }
}

/// Whether `s` is a 12-digit account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The six parts of an ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// The service namespace.
    pub service: &'a str,
    /// The region (may be empty).
    pub region: &'a str,
    /// The account (may be empty, as in S3 bucket ARNs).
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `arn:partition:service:region:account:resource`.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Self {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse_by_kind() {
        let p = |s| Principal::parse(s).map(|p| p.kind);
        assert_eq!(p("arn:aws:iam::111111111111:root"), Ok(PrincipalKind::Root));
        assert_eq!(
            p("arn:aws:iam::111111111111:role/ml/app"),
            Ok(PrincipalKind::Role {
                name: "app".into(),
                path: "/ml/".into()
            })
        );
        assert_eq!(
            p("arn:aws:sts::111111111111:assumed-role/app/s1"),
            Ok(PrincipalKind::AssumedRole {
                role: "app".into(),
                session: "s1".into()
            })
        );
        assert_eq!(
            p("lambda.amazonaws.com"),
            Ok(PrincipalKind::Service("lambda.amazonaws.com".into()))
        );
        assert_eq!(p("*"), Ok(PrincipalKind::Anonymous));
        assert!(p("arn:aws:iam::12:role/x").is_err());
        assert!(p("bob").is_err());
        assert!(p("arn:aws:iam::111111111111:role/").is_err());
    }

    #[test]
    fn principal_fills_global_keys_without_overriding() {
        let mut ctx = Context::new();
        ctx.insert("aws:PrincipalType", "Custom");
        let p = Principal::parse("arn:aws:iam::111111111111:user/alice");
        if let Ok(p) = p {
            p.fill_context(&mut ctx);
        }
        assert_eq!(ctx.single("aws:username"), Some("alice"));
        assert_eq!(ctx.single("aws:principalaccount"), Some("111111111111"));
        assert_eq!(ctx.single("aws:principaltype"), Some("Custom"));
    }
}
