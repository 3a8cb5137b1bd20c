//! IAM policy documents: parsing with errors that say what and where,
//! validation, and canonical serialization.
//!
//! Accepted: `Version` 2012-10-17 or 2008-10-17 (absent means 2008-10-17, as
//! AWS reads it: policy variables are then literal text); `Statement` as one
//! object or a list; `Action`/`NotAction`, `Resource`/`NotResource`,
//! `Principal`/`NotPrincipal`, `Condition`; every value as a string or a
//! list of strings (condition values may also be booleans or numbers).

mod check;
mod fast;
mod parse;
use parse::*;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::condition::{Condition, Operator};
use crate::err::PolicyError;
use crate::pattern::{Pattern, Syntax};

/// The policy language version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17` (or no Version): `${...}` is literal text.
    V2008_10_17,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, overriding every Allow.
    Deny,
}

/// A statement's action patterns: `service:Action` with wildcards, matched
/// case-insensitively, or `*`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionPattern {
    /// The service prefix, lowercase (`*` for the bare `*`).
    pub service: String,
    /// `service_key(service)`: compared before the text.
    key: u64,
    /// The action-name pattern, lowercase.
    pub name: Pattern,
}

impl ActionPattern {
    /// Parses `s3:Get*` or `*`.
    pub fn parse(text: &str) -> Option<Self> {
        let syntax = Syntax {
            wildcards: true,
            variables: false,
            fold_case: true,
        };
        if text == "*" {
            return Some(Self {
                key: service_key("*"),
                service: "*".to_owned(),
                name: Pattern::new("*", syntax).ok()?,
            });
        }
        let (svc, name) = Self::split(text)?;
        let service = svc.to_ascii_lowercase();
        Some(Self {
            key: service_key(&service),
            service,
            name: Pattern::new(name, syntax).ok()?,
        })
    }

    /// `service:name` of a well-formed pattern other than `*`.
    fn split(text: &str) -> Option<(&str, &str)> {
        let (svc, name) = text.split_once(':')?;
        let ok = !svc.is_empty()
            && !name.is_empty()
            && svc
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !name.contains(':');
        ok.then_some((svc, name))
    }

    /// Whether [`ActionPattern::parse`] accepts `text` (nothing is built).
    pub fn is_valid(text: &str) -> bool {
        text == "*" || Self::split(text).is_some()
    }

    /// Whether `text`, a pattern that may be malformed, can match an action
    /// of the lowercase `service`.
    pub fn may_name(text: &str, service: &str) -> bool {
        text == "*"
            || text
                .split_once(':')
                .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case(service))
    }

    /// Matches a lowercase `service` and `name`.
    pub fn matches(&self, service: &str, name: &str) -> bool {
        self.matches_keyed(service_key(service), service, name)
    }

    /// Matches with the service's key precomputed (`service_key`).
    #[inline]
    pub fn matches_keyed(&self, key: u64, service: &str, name: &str) -> bool {
        (self.key == STAR_KEY || (self.key == key && self.service == service))
            && self.name.matches_plain(name)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> String {
        if self.service == "*" {
            "*".to_owned()
        } else {
            format!("{}:{}", self.service, self.name.as_str())
        }
    }
}

/// A cheap fingerprint of a service prefix (FNV-1a), so that the many
/// statements for other services are skipped with one integer compare.
pub const fn service_key(service: &str) -> u64 {
    let bytes = service.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

const STAR_KEY: u64 = service_key("*");

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub struct Actions {
    /// `NotAction`: the statement applies to every action not listed.
    pub not: bool,
    /// The patterns.
    pub patterns: Vec<ActionPattern>,
    /// As written, for serialization.
    pub written: Vec<String>,
}

impl Actions {
    /// Whether the statement applies to the lowercase `service:name`.
    pub fn applies(&self, service: &str, name: &str) -> bool {
        self.applies_keyed(service_key(service), service, name)
    }

    /// `applies` with the service's key precomputed.
    #[inline]
    pub fn applies_keyed(&self, key: u64, service: &str, name: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| p.matches_keyed(key, service, name))
            != self.not
    }
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resources {
    /// `NotResource`.
    pub not: bool,
    /// The patterns (case-sensitive, with wildcards and variables).
    pub patterns: Vec<Pattern>,
}

/// The principals named by `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Principals {
    /// `"Principal": "*"`.
    pub star: bool,
    /// `AWS`: account ids, account root ARNs, user / role / session ARNs, `*`.
    pub aws: Vec<String>,
    /// `Service`.
    pub service: Vec<String>,
    /// `Federated`.
    pub federated: Vec<String>,
    /// `CanonicalUser`.
    pub canonical_user: Vec<String>,
}

impl Principals {
    /// Whether anyone (`*` or `{"AWS": "*"}`) is named.
    pub fn is_anyone(&self) -> bool {
        self.star || self.aws.iter().any(|a| a == "*")
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<Arc<str>>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal` (with `not_principal`).
    pub principal: Option<Principals>,
    /// The principal block is `NotPrincipal`.
    pub not_principal: bool,
    /// `Action` or `NotAction`.
    pub actions: Actions,
    /// `Resource` or `NotResource`; absent in trust policies.
    pub resources: Option<Resources>,
    /// `Condition`, flattened: every entry must hold.
    pub conditions: Vec<Condition>,
}

/// A parsed policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `Version`, if given.
    pub version: Option<Version>,
    /// `Id`.
    pub id: Option<String>,
    /// The statements (read-only: build a policy with [`Policy::new`] so that
    /// its service index stays true).
    pub statements: Vec<Statement>,
    index: ServiceIndex,
    /// For a policy read for one service ([`Policy::parse_for`]): each
    /// kept statement's number in the document. Empty: every statement is
    /// kept, in order.
    numbers: Vec<usize>,
}

/// Which statements can apply to each service: most statements name one or
/// two services, so a request skips the rest without looking at them.
#[derive(Clone, Debug, Default, PartialEq)]
struct ServiceIndex {
    /// Statements that can apply to any service (`*`, `NotAction`).
    any: Vec<usize>,
    /// Service key → statements naming that service.
    by_service: Vec<(u64, Vec<usize>)>,
}

impl ServiceIndex {
    fn build(statements: &[Statement]) -> Self {
        let mut idx = Self::default();
        for (i, st) in statements.iter().enumerate() {
            if st.actions.not || st.actions.patterns.iter().any(|p| p.key == STAR_KEY) {
                idx.any.push(i);
                continue;
            }
            for p in &st.actions.patterns {
                match idx.by_service.iter_mut().find(|(k, _)| *k == p.key) {
                    Some((_, list)) if list.last() == Some(&i) => {}
                    Some((_, list)) => list.push(i),
                    None => idx.by_service.push((p.key, vec![i])),
                }
            }
        }
        idx
    }
}

/// What a policy is used as, for validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Identity-based policy, permission boundary, session policy, SCP:
    /// no Principal.
    Identity,
    /// Resource-based policy (bucket policy, key policy, RCP...): needs a
    /// Principal.
    Resource,
    /// A role's trust policy: needs a Principal, no Resource required.
    Trust,
}

impl PolicyKind {
    /// What this use requires or forbids of statement `i`, which has a
    /// `Principal` (`Some(false)`), a `NotPrincipal` (`Some(true)`) or
    /// neither, and has a `Resource` / `NotResource` or not.
    fn check(self, i: usize, principal: Option<bool>, resources: bool) -> Result<(), PolicyError> {
        let at = |e: &str| format!("Statement[{i}].{e}");
        match (self, principal) {
            (PolicyKind::Identity, Some(not)) => {
                let e = if not { "NotPrincipal" } else { "Principal" };
                return Err(PolicyError::new(
                    at(e),
                    "is not allowed here: this policy is not resource-based",
                ));
            }
            (PolicyKind::Resource | PolicyKind::Trust, None) => {
                return Err(PolicyError::new(
                    at("Principal"),
                    "is required in a resource-based policy",
                ));
            }
            _ => {}
        }
        if self != PolicyKind::Trust && !resources {
            return Err(PolicyError::new(at("Resource"), "is required"));
        }
        Ok(())
    }
}

/// What [`Policy::parse_for`] reads a policy for.
#[derive(Clone, Copy)]
struct Only<'a> {
    kind: PolicyKind,
    service: &'a str,
}

impl Policy {
    /// Parses policy JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        // The typed reader takes well-shaped documents straight from the
        // text; one it refuses is read again through a `Value`, which says
        // what is wrong and where.
        if let Some(raw) = fast::raw_policy(text) {
            return build(raw);
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            PolicyError::new(
                format!("line {} column {}", e.line(), e.column()),
                format!("not valid JSON: {e}"),
            )
        })?;
        Self::from_value(&value)
    }

    /// Parses and validates for a use (`kind`).
    pub fn parse_as(text: &str, kind: PolicyKind) -> Result<Self, PolicyError> {
        let p = Self::parse(text)?;
        p.validate(kind)?;
        Ok(p)
    }

    /// Reads a policy from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        build(raw_policy(value)?)
    }

    /// A policy from its parts.
    pub fn new(version: Option<Version>, id: Option<String>, statements: Vec<Statement>) -> Self {
        let index = ServiceIndex::build(&statements);
        Self {
            version,
            id,
            statements,
            index,
            numbers: Vec::new(),
        }
    }

    /// Parses and validates for a use (`kind`) like [`Policy::parse_as`],
    /// keeping only the statements that can apply to an action of the
    /// lowercase `service` (`*`, `NotAction`, or an action of that
    /// service). Every statement is still checked: the errors are
    /// `parse_as`'s, and a decision about an action of `service` is the
    /// same as with the whole policy. [`Policy::candidates`] numbers the
    /// statements as the document does. Such a policy is for deciding
    /// requests of that service only (its `statements` are not the
    /// document's).
    pub fn parse_for(text: &str, kind: PolicyKind, service: &str) -> Result<Self, PolicyError> {
        let only = Only { kind, service };
        if let Some(raw) = fast::raw_policy(text) {
            return build_for(raw, Some(only));
        }
        let p = Self::parse(text)?;
        p.validate(kind)?;
        Ok(p)
    }

    /// The statements that can apply to an action of the service whose key
    /// is `key` ([`service_key`]), in document order.
    #[inline]
    pub fn candidates(&self, key: u64) -> impl Iterator<Item = (usize, &Statement)> {
        let named: &[usize] = self
            .index
            .by_service
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(&[], |(_, l)| l.as_slice());
        let any = self.index.any.as_slice();
        let (mut a, mut b) = (0, 0);
        std::iter::from_fn(move || {
            let i = match (any.get(a), named.get(b)) {
                (Some(x), Some(y)) if x < y => {
                    a += 1;
                    *x
                }
                (_, Some(y)) => {
                    b += 1;
                    *y
                }
                (Some(x), None) => {
                    a += 1;
                    *x
                }
                (None, None) => return None,
            };
            let number = self.numbers.get(i).copied().unwrap_or(i);
            self.statements.get(i).map(|s| (number, s))
        })
    }

    /// Checks the elements a use requires or forbids.
    pub fn validate(&self, kind: PolicyKind) -> Result<(), PolicyError> {
        for (i, st) in self.statements.iter().enumerate() {
            let principal = st.principal.as_ref().map(|_| st.not_principal);
            let number = self.numbers.get(i).copied().unwrap_or(i);
            kind.check(number, principal, st.resources.is_some())?;
        }
        Ok(())
    }

    /// Whether `${...}` is substituted.
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }

    /// The canonical JSON form (lists everywhere; parsing it gives an equal
    /// policy).
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        if let Some(v) = self.version {
            let v = match v {
                Version::V2012_10_17 => "2012-10-17",
                Version::V2008_10_17 => "2008-10-17",
            };
            obj.insert("Version".into(), Value::from(v));
        }
        if let Some(id) = &self.id {
            obj.insert("Id".into(), Value::from(id.clone()));
        }
        let sts = self.statements.iter().map(statement_value).collect();
        obj.insert("Statement".into(), Value::Array(sts));
        Value::Object(obj)
    }
}

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::from).collect())
}

fn statement_value(st: &Statement) -> Value {
    let mut o = Map::new();
    if let Some(sid) = &st.sid {
        o.insert("Sid".into(), Value::from(sid.to_string()));
    }
    let effect = match st.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    o.insert("Effect".into(), Value::from(effect));
    if let Some(p) = &st.principal {
        let v = if p.star {
            Value::from("*")
        } else {
            let mut m = Map::new();
            for (k, list) in [
                ("AWS", &p.aws),
                ("Service", &p.service),
                ("Federated", &p.federated),
                ("CanonicalUser", &p.canonical_user),
            ] {
                if !list.is_empty() {
                    m.insert(k.into(), strs(list));
                }
            }
            Value::Object(m)
        };
        let key = if st.not_principal {
            "NotPrincipal"
        } else {
            "Principal"
        };
        o.insert(key.into(), v);
    }
    let key = if st.actions.not {
        "NotAction"
    } else {
        "Action"
    };
    o.insert(key.into(), strs(&st.actions.written));
    if let Some(r) = &st.resources {
        let key = if r.not { "NotResource" } else { "Resource" };
        let list: Vec<String> = r.patterns.iter().map(|p| p.as_str().to_owned()).collect();
        o.insert(key.into(), strs(&list));
    }
    if !st.conditions.is_empty() {
        let mut by_op: Map<String, Value> = Map::new();
        for c in &st.conditions {
            let entry = by_op
                .entry(c.operator.name())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = entry {
                keys.insert(c.key.clone(), strs(&c.values));
            }
        }
        o.insert("Condition".into(), Value::Object(by_op));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Policy::parse(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn single_statement_object_and_string_values() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        );
        assert!(p.is_ok_and(|p| p.statements.len() == 1 && p.variables_enabled()));
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            err(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:x","Resource":"*"},{"Effect":"Permit","Action":"*","Resource":"*"}]}"#
            ),
            "Statement[1].Effect: must be \"Allow\" or \"Deny\", got \"Permit\""
        );
        assert_eq!(
            err(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:x","NotAction":"s3:y","Resource":"*"}]}"#
            ),
            "Statement[0]: has both Action and NotAction; use one"
        );
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":["s3:x", 3],"Resource":"*"}]}"#),
            "Statement[0].Action[1]: must be a string, got 3"
        );
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":"getobject","Resource":"*"}]}"#),
            "Statement[0].Action[0]: `getobject` is not `*` or `service:Action`"
        );
        assert_eq!(
            err(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}]}"#
            ),
            "Statement[0].Condition.StringEqualz: unknown condition operator `StringEqualz`"
        );
        assert_eq!(
            err(r#"{"Version":"2012-10-18","Statement":[]}"#),
            "Version: must be \"2012-10-17\" or \"2008-10-17\", got \"2012-10-18\""
        );
        assert!(err("{\"Statement\": [").starts_with("line 1 column 15: not valid JSON"));
        assert_eq!(
            err(r#"{"Version":"2012-10-17"}"#),
            "policy: has no Statement"
        );
        assert_eq!(
            err(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"User":"x"}}]}"#
            ),
            "Statement[0].Principal.User: unknown principal type; expected AWS, Service, Federated or CanonicalUser"
        );
    }

    #[test]
    fn validation_by_kind() {
        let with_principal = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert!(Policy::parse_as(with_principal, PolicyKind::Resource).is_ok());
        assert_eq!(
            Policy::parse_as(with_principal, PolicyKind::Identity)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("Statement[0].Principal: is not allowed here: this policy is not resource-based")
        );
        let trust = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        assert!(Policy::parse_as(trust, PolicyKind::Trust).is_ok());
        assert!(Policy::parse_as(trust, PolicyKind::Resource).is_err());
    }

    #[test]
    fn canonical_form_round_trips() {
        let text = r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"a","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"NotAction":"s3:Get*","NotResource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}]}"#;
        let p = Policy::parse(text);
        assert!(p.is_ok(), "{p:?}");
        let Ok(p) = p else { return };
        let again = Policy::from_value(&p.to_value());
        assert_eq!(again.as_ref().ok(), Some(&p));
        assert_eq!(p.statements.first().map(|s| s.conditions.len()), Some(2));
    }
}
