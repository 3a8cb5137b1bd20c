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

#[derive(Default, Deserialize)]
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

impl<'a> Input<'a> {
    fn doc(self) -> Doc<'a> {
        let texts = |v: Vec<&'a RawValue>| v.into_iter().map(RawValue::get).collect::<Vec<_>>();
        Doc {
            request: self.request,
            identity_policies: texts(self.identity_policies),
            resource_policy: self.resource_policy.map(RawValue::get),
            permission_boundary: self.permission_boundary.map(RawValue::get),
            session_policies: texts(self.session_policies),
            scps: self.scps.into_iter().map(texts).collect(),
            rcps: self.rcps.into_iter().map(texts).collect(),
            management_account: self.management_account,
        }
    }
}

/// A request document read: the request, and each policy's text.
#[derive(Default)]
struct Doc<'a> {
    request: RequestInput<'a>,
    identity_policies: Vec<&'a str>,
    resource_policy: Option<&'a str>,
    permission_boundary: Option<&'a str>,
    session_policies: Vec<&'a str>,
    scps: Vec<Vec<&'a str>>,
    rcps: Vec<Vec<&'a str>>,
    management_account: Option<String>,
}

/// The document read through [`crate::skim`] (no JSON parser over the whole
/// line), when it has the plain shape and its request (unless the caller
/// has parsed it already: `with_request` false) and account parse.
fn skimmed(text: &str, with_request: bool) -> Option<Doc<'_>> {
    let sp = crate::skim::skim(text)?;
    let request = match sp.request? {
        r if with_request => serde_json::from_str::<RequestInput>(r).ok()?,
        _ => RequestInput::default(),
    };
    let management_account = match sp.management_account {
        None => None,
        Some(m) => serde_json::from_str::<Option<String>>(m).ok()?,
    };
    Some(Doc {
        request,
        identity_policies: sp.identity_policies,
        resource_policy: sp.resource_policy.filter(|t| *t != "null"),
        permission_boundary: sp.permission_boundary.filter(|t| *t != "null"),
        session_policies: sp.session_policies,
        scps: sp.scps,
        rcps: sp.rcps,
        management_account,
    })
}

/// Prepared policies by their text, one map per use (identity, resource,
/// trust): a batch repeats the same few policies across lines, and each is
/// parsed and validated once. A text is kept from its second sighting on, so
/// that a stream of ever-new policies costs no copies.
///
/// Whole sets are kept too: the text of a line after its `request` (every
/// policy of the line) maps to the set prepared from it, so a line asking
/// about the same policies as an earlier one is answered without reading
/// them again. Such text followed a request that parsed, in a line that
/// parsed whole, so it needs no second check.
#[derive(Debug, Default)]
pub struct Policies {
    prepared: [HashMap<Box<str>, Arc<Policy>, Hasher>; 3],
    /// By the text after the request; one map for requests of `sts:`
    /// actions (whose resource policy is a trust policy), one for others.
    sets: [HashMap<Box<str>, Arc<Prepared>, Hasher>; 2],
    /// Hashes of the texts seen once.
    seen: HashSet<u64, Hasher>,
}

type Hasher = foldhash::fast::RandomState;

/// Distinct policies kept per use and cache (and sets, per map), and texts
/// remembered as seen.
const MAX_PREPARED: usize = 4_096;
const MAX_SETS: usize = 1_024;
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

    /// The policy `raw` prepared for `kind`, and whether it holds only the
    /// statements for `service` (a policy seen once is read for its
    /// request's service only; one seen again is prepared whole and kept).
    fn get(
        &mut self,
        text: &str,
        at: impl Fn() -> String,
        kind: PolicyKind,
        service: &str,
    ) -> Result<(Arc<Policy>, bool), PolicyError> {
        if let Some(p) = self.prepared[kind as usize].get(text) {
            return Ok((Arc::clone(p), false));
        }
        if !self.second_sighting(kind as usize, text) {
            let p = policy(text, kind, Some(service)).map_err(|e| e.within(&at()))?;
            return Ok((Arc::new(p), true));
        }
        let p = Arc::new(policy(text, kind, None).map_err(|e| e.within(&at()))?);
        // Bounded: a batch of ever-new policies does not grow memory.
        let map = &mut self.prepared[kind as usize];
        if map.len() >= MAX_PREPARED {
            map.clear();
        }
        map.insert(text.into(), Arc::clone(&p));
        Ok((p, false))
    }

    /// Whether `text` (of the use `tag`) was seen before; remembers it.
    fn second_sighting(&mut self, tag: usize, text: &str) -> bool {
        let h = self.seen.hasher().hash_one((tag, text));
        if self.seen.insert(h) {
            if self.seen.len() >= MAX_SEEN {
                self.seen.clear();
            }
            return false;
        }
        true
    }

    fn set(&self, trust: bool, rest: &str) -> Option<Arc<Prepared>> {
        self.sets[usize::from(trust)].get(rest).map(Arc::clone)
    }

    fn keep_set(&mut self, trust: bool, rest: &str, set: &Arc<Prepared>) {
        // A set read for one service is not kept for the next request.
        if set.pruned || !self.second_sighting(3 + usize::from(trust), rest) {
            return;
        }
        let map = &mut self.sets[usize::from(trust)];
        if map.len() >= MAX_SETS {
            map.clear();
        }
        map.insert(rest.into(), Arc::clone(set));
    }
}

/// The policies of one request document, prepared.
#[derive(Debug, Default)]
struct Prepared {
    identity: Vec<Arc<Policy>>,
    resource: Option<Arc<Policy>>,
    boundary: Option<Arc<Policy>>,
    session: Vec<Arc<Policy>>,
    scps: Vec<Vec<Arc<Policy>>>,
    rcps: Vec<Vec<Arc<Policy>>>,
    management_account: Option<String>,
    /// Some policy holds only the statements for the request's service.
    pruned: bool,
}

/// A parsed simulation: the request and its policies.
#[derive(Debug)]
pub struct Simulation {
    /// The request.
    pub request: Request,
    set: Arc<Prepared>,
}

/// A policy from its JSON text: an object, or a string holding one.
/// Read whole, or only for requests of `service` ([`Policy::parse_for`]).
fn policy(text: &str, kind: PolicyKind, service: Option<&str>) -> Result<Policy, PolicyError> {
    let inner: String;
    let text = if text.starts_with('"') {
        inner = serde_json::from_str(text).map_err(|e| PolicyError::new("", e.to_string()))?;
        &inner
    } else {
        text
    };
    match service {
        Some(service) => Policy::parse_for(text, kind, service),
        None => Policy::parse_as(text, kind),
    }
}

impl Simulation {
    /// Parses one request document.
    pub fn parse(text: &str) -> Result<Self, RequestError> {
        Self::parse_with(text, &mut Policies::new())
    }

    /// Parses one request document, preparing each policy once per distinct
    /// text through `cache` (a batch's lines share it).
    pub fn parse_with(text: &str, cache: &mut Policies) -> Result<Self, RequestError> {
        // A line asking about the same policies as an earlier one: only its
        // request is read.
        let split = crate::skim::split_request(text).and_then(|(req, rest)| {
            let input = serde_json::from_str::<RequestInput>(req).ok()?;
            let request = request_of(input).ok()?;
            Some((rest, request))
        });
        if let Some((rest, request)) = split {
            let trust = request.service() == "sts";
            if let Some(set) = cache.set(trust, rest) {
                return Ok(Self { request, set });
            }
            // The request is built already; the rest of the line is read
            // whole (its request again, only to check the line).
            let set = Arc::new(prepare_text(text, request.service(), cache)?);
            cache.keep_set(trust, rest, &set);
            return Ok(Self { request, set });
        }
        let (mut input, skim) = read(text, true)?;
        let request = match request_of(std::mem::take(&mut input.request)) {
            Ok(r) => r,
            Err(e) => {
                // A line that is not JSON says so first, as the strict
                // reading does.
                if skim {
                    strict(text)?;
                }
                return Err(e);
            }
        };
        let set = match prepare(input, request.service(), cache) {
            Err(_) if skim => prepare(strict(text)?.doc(), request.service(), cache)?,
            r => r?,
        };
        Ok(Self {
            request,
            set: Arc::new(set),
        })
    }

    /// The policies in play, by reference.
    pub fn policy_set(&self) -> PolicySet<'_> {
        let set = &*self.set;
        PolicySet {
            identity: set.identity.iter().map(|p| &**p).collect(),
            resource: set.resource.as_deref(),
            boundary: set.boundary.as_deref(),
            session: set.session.iter().map(|p| &**p).collect(),
            scps: set
                .scps
                .iter()
                .map(|l| l.iter().map(|p| &**p).collect())
                .collect(),
            rcps: set
                .rcps
                .iter()
                .map(|l| l.iter().map(|p| &**p).collect())
                .collect(),
            management_account: set.management_account.as_deref(),
        }
    }

    /// Evaluates the request.
    pub fn decide(&self) -> Decision {
        authorize(&self.request, &self.policy_set())
    }
}

/// The request document: skimmed when it has the plain shape, else read
/// strictly (whether it was skimmed).
fn read(text: &str, with_request: bool) -> Result<(Doc<'_>, bool), RequestError> {
    match skimmed(text, with_request) {
        Some(doc) => Ok((doc, true)),
        None => Ok((strict(text)?.doc(), false)),
    }
}

/// The document's policies prepared ([`read`], [`prepare`]); a skimmed
/// document whose policies fail is read and prepared again strictly, so the
/// error is the JSON parser's when the line is not JSON, and the located
/// one of its part when it is.
fn prepare_text(text: &str, service: &str, cache: &mut Policies) -> Result<Prepared, RequestError> {
    // The caller parsed the request (the same text the skim finds).
    let (doc, skim) = read(text, false)?;
    match prepare(doc, service, cache) {
        Err(_) if skim => prepare(strict(text)?.doc(), service, cache),
        r => r,
    }
}

/// The request document, with the error located when it is malformed.
fn strict(text: &str) -> Result<Input<'_>, RequestError> {
    // The fast path; a document that fails is read again with its path
    // tracked, so the error says where.
    if let Ok(input) = serde_json::from_str::<Input>(text) {
        return Ok(input);
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let input = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." || path.is_empty() {
            format!("line {} column {}", inner.line(), inner.column())
        } else {
            path
        };
        RequestError::Malformed(format!("{at}: {inner}"))
    })?;
    // Nothing may follow the document.
    de.end().map_err(|e| {
        RequestError::Malformed(format!("line {} column {}: {e}", e.line(), e.column()))
    })?;
    Ok(input)
}

/// The document's policies, prepared through `cache` for a request of the
/// lowercase `service` (for `sts`, its resource policy is a trust policy).
fn prepare(input: Doc<'_>, service: &str, cache: &mut Policies) -> Result<Prepared, RequestError> {
    let trust = service == "sts";
    let mut pruned = false;
    let rp_kind = if trust {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    };
    // Places are named only for an error.
    let mut list = |name: &dyn Fn() -> String, pols: &[&str], kind: PolicyKind| {
        pols.iter()
            .enumerate()
            .map(|(i, p)| {
                let (p, part) = cache.get(p, || format!("{}[{i}]", name()), kind, service)?;
                pruned |= part;
                Ok(p)
            })
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
    let mut levels = |name: &str, levels: &[Vec<&str>], kind: PolicyKind| {
        levels
            .iter()
            .enumerate()
            .map(|(l, pols)| list(&|| format!("{name}[{l}]"), pols, kind))
            .collect::<Result<Vec<_>, PolicyError>>()
    };
    let scps = levels("scps", &input.scps, PolicyKind::Identity)?;
    // RCPs name `"Principal": "*"`; they are validated as resource-based.
    let rcps = levels("rcps", &input.rcps, PolicyKind::Resource)?;
    let mut one = |raw: Option<&str>, at: &str, kind: PolicyKind| match raw {
        None => Ok::<_, PolicyError>(None),
        Some("null") => Ok(None),
        Some(p) => {
            let (p, part) = cache.get(p, || at.to_owned(), kind, service)?;
            pruned |= part;
            Ok(Some(p))
        }
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
    Ok(Prepared {
        identity,
        resource,
        boundary,
        session,
        scps,
        rcps,
        management_account: input.management_account,
        pruned,
    })
}

/// The request of a document, with its context.
fn request_of(input: RequestInput<'_>) -> Result<Request, RequestError> {
    // The caller's keys and the principal's (up to five).
    let mut ctx = Context::with_capacity(input.context.len() + 6);
    for (k, v) in input.context {
        if v.list {
            ctx.insert_list(&k, v.values);
        } else {
            ctx.insert(&k, v.values.into_iter().next().unwrap_or_default());
        }
    }
    Request::new(
        &input.principal,
        &input.action,
        &input.resource,
        input.resource_account.as_deref(),
        ctx,
    )
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

    /// The answer for one document, as text (decision or error).
    fn answer(text: &str, cache: &mut Policies) -> String {
        match Simulation::parse_with(text, cache) {
            Ok(sim) => format!("{:?}", sim.decide().decision),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_shared_cache_answers_every_line_as_a_fresh_one_would() {
        let requests = [
            r#"{"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#,
            r#"{"principal": "arn:aws:iam::111111111111:role/app", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111111111111:role/x"}"#,
            r#"{"principal": "arn:aws:iam::222222222222:role/\"}{[", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#,
            r#"{"principal": "not an arn", "action": "s3:GetObject", "resource": "*"}"#,
        ];
        let allow = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "sts:AssumeRole"], "Resource": "*"}]}"#;
        // Valid as a trust policy (no Resource), not as a bucket policy.
        let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*"}]}"#;
        let rests = [
            format!(r#", "identity_policies": [{allow}]}}"#),
            format!(r#", "identity_policies": [{allow}], "resource_policy": {trust}}}"#),
            format!(
                r#", "identity_policies": [{allow}], "scps": [[{allow}]], "management_account": "x"}}"#
            ),
            format!(r#", "identity_policies": [{allow}], "identity_policy": {allow}}}"#),
            format!(r#", "identity_policies": [{allow}]}} trailing"#),
            format!(r#", "identity_policies": [{allow}], "request": {{}}}}"#),
        ];
        let mut lines = Vec::new();
        for round in 0..3 {
            for (r, rest) in rests.iter().enumerate() {
                for (q, req) in requests.iter().enumerate() {
                    // Both orders of requests over the same policies.
                    let req = if round == 1 {
                        requests[(q + r) % requests.len()]
                    } else {
                        req
                    };
                    lines.push(format!(r#"{{"request": {req}{rest}"#));
                }
            }
        }
        let mut shared = Policies::new();
        let mut hits = 0;
        for line in &lines {
            let fresh = answer(line, &mut Policies::new());
            let sets_before: usize = shared.sets.iter().map(HashMap::len).sum();
            assert_eq!(answer(line, &mut shared), fresh, "{line}");
            hits += usize::from(sets_before > 0);
        }
        assert!(hits > 0);
        assert!(
            shared.sets.iter().map(HashMap::len).sum::<usize>() >= 3,
            "the valid sets are kept"
        );
        assert_eq!(answer(&lines[1], &mut shared), "Allowed");
        assert!(
            answer(
                &format!(r#"{{"request": {}{}"#, requests[0], rests[1]),
                &mut shared
            )
            .contains("Resource")
        );
    }

    #[test]
    fn the_request_is_found_whatever_its_strings_hold() {
        let text = r#" { "request" : {"a": "}\"{[", "b": [1, {"c": "\\"}]} , "x": 1}"#;
        assert_eq!(
            crate::skim::split_request(text),
            Some((r#"{"a": "}\"{[", "b": [1, {"c": "\\"}]}"#, r#" , "x": 1}"#))
        );
        assert_eq!(
            crate::skim::split_request(r#"{"x": 1, "request": {}}"#),
            None
        );
        assert_eq!(
            crate::skim::split_request(r#"{"request": {"a": "unclosed}"#),
            None
        );
        assert_eq!(crate::skim::split_request(r#"{"request": "text"}"#), None);
        // Nothing may follow the document.
        let trailing = r#"{"request": {"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject", "resource": "arn:aws:s3:::d/x"}} x"#;
        let e = Simulation::parse(trailing)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("trailing characters"), "{e}");
    }

    /// The answer as the strict reading alone gives it (the way before the
    /// skim): the document read by the JSON parser, then prepared.
    fn strictly(text: &str) -> Result<Decision, String> {
        let mut doc = strict(text).map_err(|e| e.to_string())?.doc();
        let request = request_of(std::mem::take(&mut doc.request)).map_err(|e| e.to_string())?;
        let set =
            prepare(doc, request.service(), &mut Policies::new()).map_err(|e| e.to_string())?;
        Ok(Simulation {
            request,
            set: Arc::new(set),
        }
        .decide())
    }

    fn part() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let allow = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "a\"}{[b", "Effect": "Allow", "Action": ["s3:Get*", "sts:*"], "Resource": "*"}]}"#;
        let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}]}"#;
        prop::sample::select(vec![
            format!(r#""identity_policies": [{allow}]"#),
            format!(r#""identity_policies":[{allow} , {allow}]"#),
            r#""identity_policies": []"#.to_owned(),
            r#""identity_policies": [7, null]"#.to_owned(),
            r#""identity_policies": null"#.to_owned(),
            r#""identity_policies": [{"Statement": [}]"#.to_owned(),
            format!(r#""identity_policies": [{}]"#, serde_json::to_string(allow).unwrap_or_default()),
            format!(r#""resource_policy": {trust}"#),
            r#""resource_policy": null"#.to_owned(),
            format!(r#""permission_boundary": {allow}"#),
            format!(r#""scps": [[{allow}], [{allow}]]"#),
            r#""scps": [[]]"#.to_owned(),
            r#""scps": [{}]"#.to_owned(),
            format!(r#""rcps": [[{trust}]]"#),
            format!(r#""session_policies": [{allow}]"#),
            r#""management_account": "111111111111""#.to_owned(),
            r#""management_account": 7"#.to_owned(),
            r#""management_account": null"#.to_owned(),
            r#""unknown": 1"#.to_owned(),
            r#""identity\u005fpolicies": []"#.to_owned(),
            r#""request": {"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject", "resource": "arn:aws:s3:::d/x"}"#.to_owned(),
            r#""request": {"principal": "arn:aws:iam::111111111111:role/app", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111111111111:role/app"}"#.to_owned(),
            r#""request": {"principal": "bad", "action": "s3:GetObject", "resource": "*"}"#.to_owned(),
            r#""request": {"principal": "x", "action": "s3:GetObject"}"#.to_owned(),
        ])
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3_000))]
        /// Whatever the line (parts in any order, repeated, unknown, broken
        /// JSON inside or around them, odd spacing, a byte cut off), reading
        /// it through the skim gives the answer or the error the strict
        /// reading gives.
        #[test]
        fn the_skim_reads_every_line_as_the_json_parser_does(
            parts in proptest::collection::vec(part(), 0..6),
            spacing in proptest::sample::select(vec!["", " ", "\n\t ", "\r\n"]),
            tail in proptest::sample::select(vec!["", " ", "x", ",", "}"]),
            cut in proptest::option::of(0usize..400),
        ) {
            let mut text = format!("{{{spacing}{}{spacing}}}{tail}", parts.join(&format!("{spacing},{spacing}")));
            if let Some(c) = cut {
                let at = c % text.len().max(1);
                if text.is_char_boundary(at) {
                    text.remove(at);
                }
            }
            let got = Simulation::parse(&text).map(|s| s.decide()).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(got, strictly(&text), "{}", text);
        }
    }
}
