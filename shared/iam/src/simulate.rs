//! The `aispm iam simulate` request format:
//!
//! ```json
//! {"request": {"principal": "arn:aws:iam::111111111111:role/app",
//!              "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key",
//!              "resource_account": "222222222222",
//!              "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]}},
//!  "identity_policies": [POLICY, ...], "resource_policy": POLICY or null,
//!  "permission_boundary": POLICY or null,
//!  "scps": [[POLICY, ...], ...], "rcps": [[POLICY, ...], ...]}
//! ```
//!
//! A POLICY is a JSON object or a string holding one. Two optional
//! extensions: `session_policies` (a list) and `management_account` (SCPs
//! and RCPs do not apply to that account). Unknown fields are errors, so a
//! misspelt `identity_policy` cannot silently drop a policy.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::authorize::{Decision, PolicySet, Request, authorize};
use crate::context::Context;
use crate::err::{PolicyError, RequestError};
use crate::policy::{Policy, PolicyKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "request")]
struct RequestInput<'a> {
    #[serde(borrow)]
    principal: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    resource: Cow<'a, str>,
    #[serde(default, borrow)]
    resource_account: Option<Cow<'a, str>>,
    #[serde(default)]
    context: BTreeMap<String, ContextValue>,
}

/// A context value: a string, number or boolean (as text), or a list of
/// them (`list`).
struct ContextValue {
    values: Vec<String>,
    list: bool,
}

impl<'de> Deserialize<'de> for ContextValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ContextVisitor { in_list: false })
    }
}

/// Reads a context value; inside a list, only scalars.
struct ContextVisitor {
    in_list: bool,
}

impl ContextVisitor {
    fn one<E>(self, v: String) -> Result<ContextValue, E> {
        Ok(ContextValue {
            values: vec![v],
            list: false,
        })
    }
}

impl<'de> serde::de::Visitor<'de> for ContextVisitor {
    type Value = ContextValue;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.in_list {
            f.write_str("a string, number or boolean")
        } else {
            f.write_str("a string, number or boolean, or a list of them")
        }
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.one(v.to_owned())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.one(v)
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.one(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.one(v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.one(v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.one(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.in_list {
            return Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Seq,
                &self,
            ));
        }
        let mut values = Vec::new();
        while let Some(v) = seq.next_element_seed(ContextScalar)? {
            values.push(v);
        }
        Ok(ContextValue { values, list: true })
    }
}

/// One scalar of a context list.
struct ContextScalar;

impl<'de> serde::de::DeserializeSeed<'de> for ContextScalar {
    type Value = String;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        let v = d.deserialize_any(ContextVisitor { in_list: true })?;
        Ok(v.values.into_iter().next().unwrap_or_default())
    }
}

/// The request document; policies stay raw text (borrowed from the line)
/// until [`Policies`] prepares them, once per distinct text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "simulation request")]
struct Input<'a> {
    #[serde(borrow)]
    request: RequestInput<'a>,
    #[serde(default, borrow)]
    identity_policies: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    resource_policy: Option<&'a RawValue>,
    #[serde(default, borrow)]
    permission_boundary: Option<&'a RawValue>,
    #[serde(default, borrow)]
    session_policies: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    scps: Vec<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    rcps: Vec<Vec<&'a RawValue>>,
    #[serde(default)]
    management_account: Option<String>,
}

/// Prepared policies by their text, one map per use (identity, resource,
/// trust): a batch repeats the same few policies across lines, and each is
/// parsed and validated once. A text is kept from its second sighting on, so
/// that a stream of ever-new policies costs no copies.
#[derive(Debug, Default)]
pub struct Policies {
    prepared: [HashMap<Box<str>, Arc<Policy>, Hasher>; 3],
    /// Hashes of the texts seen once.
    seen: HashSet<u64, Hasher>,
}

type Hasher = foldhash::fast::RandomState;

/// Distinct policies kept per use and cache, and texts remembered as seen.
const MAX_PREPARED: usize = 4_096;
const MAX_SEEN: usize = 65_536;

impl Policies {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Distinct policies prepared and kept so far.
    pub fn len(&self) -> usize {
        self.prepared.iter().map(HashMap::len).sum()
    }

    /// Whether nothing is kept yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(
        &mut self,
        raw: &RawValue,
        at: impl Fn() -> String,
        kind: PolicyKind,
    ) -> Result<Arc<Policy>, PolicyError> {
        let text = raw.get();
        let map = &mut self.prepared[kind as usize];
        if let Some(p) = map.get(text) {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(policy(text, kind).map_err(|e| e.within(&at()))?);
        let h = self.seen.hasher().hash_one((kind as usize, text));
        if self.seen.insert(h) {
            if self.seen.len() >= MAX_SEEN {
                self.seen.clear();
            }
            return Ok(p);
        }
        // Bounded: a batch of ever-new policies does not grow memory.
        if map.len() >= MAX_PREPARED {
            map.clear();
        }
        map.insert(text.into(), Arc::clone(&p));
        Ok(p)
    }
}

/// A parsed simulation: the request and its policies.
#[derive(Debug)]
pub struct Simulation {
    /// The request.
    pub request: Request,
    identity: Vec<Arc<Policy>>,
    resource: Option<Arc<Policy>>,
    boundary: Option<Arc<Policy>>,
    session: Vec<Arc<Policy>>,
    scps: Vec<Vec<Arc<Policy>>>,
    rcps: Vec<Vec<Arc<Policy>>>,
    management_account: Option<String>,
}

/// A policy from its JSON text: an object, or a string holding one.
fn policy(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let p = if text.starts_with('"') {
        let inner: String =
            serde_json::from_str(text).map_err(|e| PolicyError::new("", e.to_string()))?;
        Policy::parse(&inner)
    } else {
        Policy::parse(text)
    }?;
    p.validate(kind)?;
    Ok(p)
}

impl Simulation {
    /// Parses one request document.
    pub fn parse(text: &str) -> Result<Self, RequestError> {
        Self::parse_with(text, &mut Policies::new())
    }

    /// Parses one request document, preparing each policy once per distinct
    /// text through `cache` (a batch's lines share it).
    pub fn parse_with(text: &str, cache: &mut Policies) -> Result<Self, RequestError> {
        // The fast path; a document that fails is read again with its path
        // tracked, so the error says where.
        if let Ok(input) = serde_json::from_str::<Input>(text) {
            return Self::from_input(input, cache);
        }
        let de = &mut serde_json::Deserializer::from_str(text);
        let input: Input = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let at = if path == "." || path.is_empty() {
                format!("line {} column {}", inner.line(), inner.column())
            } else {
                path
            };
            RequestError::Malformed(format!("{at}: {inner}"))
        })?;
        Self::from_input(input, cache)
    }

    fn from_input(input: Input<'_>, cache: &mut Policies) -> Result<Self, RequestError> {
        let mut ctx = Context::new();
        for (k, v) in input.request.context {
            if v.list {
                ctx.insert_list(&k, v.values);
            } else {
                ctx.insert(&k, v.values.into_iter().next().unwrap_or_default());
            }
        }
        let request = Request::new(
            &input.request.principal,
            &input.request.action,
            &input.request.resource,
            input.request.resource_account.as_deref(),
            ctx,
        )?;
        let rp_kind = if request.service() == "sts" {
            PolicyKind::Trust
        } else {
            PolicyKind::Resource
        };
        // Places are named only for an error.
        let mut list = |name: &dyn Fn() -> String, pols: &[&RawValue], kind: PolicyKind| {
            pols.iter()
                .enumerate()
                .map(|(i, p)| cache.get(p, || format!("{}[{i}]", name()), kind))
                .collect::<Result<Vec<_>, PolicyError>>()
        };
        let identity = list(
            &|| "identity_policies".to_owned(),
            &input.identity_policies,
            PolicyKind::Identity,
        )?;
        let session = list(
            &|| "session_policies".to_owned(),
            &input.session_policies,
            PolicyKind::Identity,
        )?;
        let mut levels = |name: &str, levels: &[Vec<&RawValue>], kind: PolicyKind| {
            levels
                .iter()
                .enumerate()
                .map(|(l, pols)| list(&|| format!("{name}[{l}]"), pols, kind))
                .collect::<Result<Vec<_>, PolicyError>>()
        };
        let scps = levels("scps", &input.scps, PolicyKind::Identity)?;
        // RCPs name `"Principal": "*"`; they are validated as resource-based.
        let rcps = levels("rcps", &input.rcps, PolicyKind::Resource)?;
        let mut one = |raw: Option<&RawValue>, at: &str, kind: PolicyKind| match raw {
            None => Ok(None),
            Some(p) if p.get() == "null" => Ok(None),
            Some(p) => cache.get(p, || at.to_owned(), kind).map(Some),
        };
        let resource = one(input.resource_policy, "resource_policy", rp_kind)?;
        let boundary = one(
            input.permission_boundary,
            "permission_boundary",
            PolicyKind::Identity,
        )?;
        if let Some(m) = input
            .management_account
            .as_deref()
            .filter(|m| !crate::context::is_account_id(m))
        {
            return Err(RequestError::Malformed(format!(
                "management_account: `{m}` is not a 12-digit account id"
            )));
        }
        Ok(Self {
            request,
            identity,
            resource,
            boundary,
            session,
            scps,
            rcps,
            management_account: input.management_account,
        })
    }

    /// The policies in play, by reference.
    pub fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self.identity.iter().map(|p| &**p).collect(),
            resource: self.resource.as_deref(),
            boundary: self.boundary.as_deref(),
            session: self.session.iter().map(|p| &**p).collect(),
            scps: self
                .scps
                .iter()
                .map(|l| l.iter().map(|p| &**p).collect())
                .collect(),
            rcps: self
                .rcps
                .iter()
                .map(|l| l.iter().map(|p| &**p).collect())
                .collect(),
            management_account: self.management_account.as_deref(),
        }
    }

    /// Evaluates the request.
    pub fn decide(&self) -> Decision {
        authorize(&self.request, &self.policy_set())
    }
}

/// Parses and evaluates one request document.
pub fn simulate(text: &str) -> Result<Decision, RequestError> {
    Ok(Simulation::parse(text)?.decide())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(context: &str) -> String {
        format!(
            r#"{{"request": {{"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject",
                "resource": "arn:aws:s3:::b/k", "context": {context}}},
              "identity_policies": [{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "*", "Condition": {{
                  "ForAllValues:StringEquals": {{"aws:TagKeys": ["a", "b"]}},
                  "NumericLessThan": {{"s3:max-keys": 10}}, "Bool": {{"aws:SecureTransport": true}},
                  "NumericEquals": {{"x:ratio": 1.5}}}}}}]}}]}}"#
        )
    }

    #[test]
    fn context_values_are_strings_numbers_booleans_or_lists_of_them() {
        let allowed = simulate(&request(
            r#"{"aws:TagKeys": ["a"], "s3:max-keys": 3, "aws:SecureTransport": true, "x:ratio": 1.5}"#,
        ));
        assert_eq!(allowed.map(|d| d.decision), Ok(crate::Outcome::Allowed));
        let denied = simulate(&request(
            r#"{"aws:TagKeys": ["a", "c"], "s3:max-keys": 3, "aws:SecureTransport": true, "x:ratio": 1.5}"#,
        ));
        assert_eq!(
            denied.map(|d| d.decision),
            Ok(crate::Outcome::ImplicitlyDenied)
        );
        let nested = simulate(&request(r#"{"aws:TagKeys": [["a"]]}"#));
        let message = nested.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("request.context") && message.contains("a string, number or boolean"),
            "{message}"
        );
    }
}
