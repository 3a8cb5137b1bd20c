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

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::authorize::{Decision, PolicySet, Request, authorize};
use crate::context::Context;
use crate::err::{PolicyError, RequestError};
use crate::policy::{Policy, PolicyKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "request")]
struct RequestInput {
    principal: String,
    action: String,
    resource: String,
    #[serde(default)]
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, ContextValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ContextValue {
    One(Scalar),
    Many(Vec<Scalar>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    S(String),
    B(bool),
    N(serde_json::Number),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::S(s) => s,
            Scalar::B(b) => b.to_string(),
            Scalar::N(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "simulation request")]
struct Input {
    request: RequestInput,
    #[serde(default)]
    identity_policies: Vec<Value>,
    #[serde(default)]
    resource_policy: Option<Value>,
    #[serde(default)]
    permission_boundary: Option<Value>,
    #[serde(default)]
    session_policies: Vec<Value>,
    #[serde(default)]
    scps: Vec<Vec<Value>>,
    #[serde(default)]
    rcps: Vec<Vec<Value>>,
    #[serde(default)]
    management_account: Option<String>,
}

/// A parsed simulation: the request and its policies.
#[derive(Debug)]
pub struct Simulation {
    /// The request.
    pub request: Request,
    identity: Vec<Policy>,
    resource: Option<Policy>,
    boundary: Option<Policy>,
    session: Vec<Policy>,
    scps: Vec<Vec<Policy>>,
    rcps: Vec<Vec<Policy>>,
    management_account: Option<String>,
}

fn policy(v: &Value, at: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let p = match v {
        Value::String(s) => Policy::parse(s),
        other => Policy::from_value(other),
    }
    .map_err(|e| e.within(at))?;
    p.validate(kind).map_err(|e| e.within(at))?;
    Ok(p)
}

impl Simulation {
    /// Parses one request document.
    pub fn parse(text: &str) -> Result<Self, RequestError> {
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
        Self::from_input(input)
    }

    fn from_input(input: Input) -> Result<Self, RequestError> {
        let mut ctx = Context::new();
        for (k, v) in input.request.context {
            match v {
                ContextValue::One(s) => ctx.insert(&k, s.text()),
                ContextValue::Many(list) => {
                    ctx.insert_list(&k, list.into_iter().map(Scalar::text).collect())
                }
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
        let identity = input
            .identity_policies
            .iter()
            .enumerate()
            .map(|(i, p)| policy(p, &format!("identity_policies[{i}]"), PolicyKind::Identity))
            .collect::<Result<_, _>>()?;
        let resource = match &input.resource_policy {
            None | Some(Value::Null) => None,
            Some(p) => Some(policy(p, "resource_policy", rp_kind)?),
        };
        let boundary = match &input.permission_boundary {
            None | Some(Value::Null) => None,
            Some(p) => Some(policy(p, "permission_boundary", PolicyKind::Identity)?),
        };
        let session = input
            .session_policies
            .iter()
            .enumerate()
            .map(|(i, p)| policy(p, &format!("session_policies[{i}]"), PolicyKind::Identity))
            .collect::<Result<_, _>>()?;
        let levels = |name: &str,
                      levels: &[Vec<Value>],
                      kind: PolicyKind|
         -> Result<Vec<Vec<Policy>>, PolicyError> {
            levels
                .iter()
                .enumerate()
                .map(|(l, pols)| {
                    pols.iter()
                        .enumerate()
                        .map(|(i, p)| policy(p, &format!("{name}[{l}][{i}]"), kind))
                        .collect()
                })
                .collect()
        };
        let scps = levels("scps", &input.scps, PolicyKind::Identity)?;
        // RCPs name `"Principal": "*"`; they are validated as resource-based.
        let rcps = levels("rcps", &input.rcps, PolicyKind::Resource)?;
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
            identity: self.identity.iter().collect(),
            resource: self.resource.as_ref(),
            boundary: self.boundary.as_ref(),
            session: self.session.iter().collect(),
            scps: self.scps.iter().map(|l| l.iter().collect()).collect(),
            rcps: self.rcps.iter().map(|l| l.iter().collect()).collect(),
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
