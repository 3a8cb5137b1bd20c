//! The deployed remediate function's logic (its crate only parses the event
//! and calls this): its settings from the environment, and one stream
//! batch handled as one run over the findings it triggers.
//!
//! Environment, besides the pipeline's (`AISPM_TABLE`, the ExternalId,
//! `AISPM_ROLE_NAME` for the scanner role that verifies):
//!
//! | variable | meaning |
//! |---|---|
//! | `AISPM_REMEDIATION_POLICY` | the remediation policy's JSON (`docs/remediation.md`); absent: every action a dry run |
//! | `AISPM_REMEDIATOR_ROLE_NAME` | the role changes are made with in member accounts (default `aispm-remediator`) |
//! | `AISPM_APPROVAL_SECRET` | the secret signed approval callbacks are checked with (`super::callback`); absent: callbacks are refused |
//!
//! The same function serves the signed approval callbacks of its function
//! URL ([`Function::callback`]).

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::lambda_function_urls::{
    LambdaFunctionUrlRequest, LambdaFunctionUrlResponse,
};
use serde::Serialize;
use serde_json::json;

use super::apply::Target;
use super::callback::{CallbackError, Decision, Verdict, verify};
use super::run::{DecisionError, Run, approve, deny, run};
use super::stream::triggers;
use super::verify::Verifier;
use super::{Record, RemediationPolicy, Status};
use crate::aws::{RequestCounter, caller_identity};
use crate::model::Timestamp;
use crate::pipeline::{Deps, PipelineError};
use crate::store::Store;

/// The function's settings, read once at start.
#[derive(Debug)]
pub struct Function {
    policy: RemediationPolicy,
    target: Target,
    verifier: Verifier,
    by: String,
    approval_secret: Option<String>,
}

/// What invoked the function.
#[derive(Debug)]
pub enum Invocation {
    /// A batch of the findings table's stream.
    Stream(Box<Event>),
    /// A request to its function URL: a signed approval callback.
    Callback(Box<LambdaFunctionUrlRequest>),
}

impl Invocation {
    /// Tells the two apart (a function URL request has an HTTP
    /// `requestContext`) and parses the event; a broken one is an error
    /// saying what it is not.
    pub fn parse(payload: serde_json::Value) -> Result<Self, PipelineError> {
        if payload["requestContext"]["http"].is_object() {
            serde_json::from_value(payload)
                .map(|r| Self::Callback(Box::new(r)))
                .map_err(|e| PipelineError::Event(format!("not a function URL request: {e}")))
        } else {
            serde_json::from_value(payload)
                .map(|e| Self::Stream(Box::new(e)))
                .map_err(|e| PipelineError::Event(format!("not a DynamoDB stream batch: {e}")))
        }
    }
}

/// What one invocation did.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Findings the batch triggered.
    pub findings: usize,
    /// Records by status.
    pub statuses: std::collections::BTreeMap<&'static str, usize>,
    /// Every record that is not skipped.
    pub records: Vec<Record>,
}

impl Function {
    /// Reads the settings through `get`; an invalid policy or role name is
    /// an error naming it, and the caller's account is asked once.
    pub async fn from_env(
        deps: &Deps,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, PipelineError> {
        let policy = match get("AISPM_REMEDIATION_POLICY").filter(|p| !p.trim().is_empty()) {
            Some(text) => RemediationPolicy::parse(&text)
                .map_err(|e| PipelineError::Config(format!("AISPM_REMEDIATION_POLICY: {e}")))?,
            None => RemediationPolicy::default(),
        };
        let role_name = get("AISPM_REMEDIATOR_ROLE_NAME")
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "aispm-remediator".to_owned());
        if role_name == deps.cfg.role_name {
            return Err(PipelineError::Config(format!(
                "AISPM_REMEDIATOR_ROLE_NAME is the scanner's role `{role_name}`: changes are never made with the scanner role"
            )));
        }
        let counter = RequestCounter::default();
        let (caller_account, caller_arn) = caller_identity(&deps.sdk, &counter).await?;
        let external_id = deps
            .cfg
            .external_id_ref
            .as_ref()
            .and_then(|r| deps.cfg.external_ids.get(r))
            .or_else(|| deps.cfg.external_ids.values().next())
            .cloned();
        Ok(Self {
            policy,
            target: Target {
                base: deps.sdk.clone(),
                caller_account,
                role_name,
                external_id,
                counter,
            },
            verifier: Verifier {
                settings: deps.settings.clone(),
                cfg: deps.cfg.clone(),
            },
            by: format!("aispm-remediate ({caller_arn})"),
            approval_secret: get("AISPM_APPROVAL_SECRET").filter(|s| !s.is_empty()),
        })
    }

    /// Plans, applies what the policy allows, and verifies, for the
    /// findings the stream batch triggers; a batch that triggers nothing
    /// reads nothing.
    pub async fn handle<S: Store>(
        &self,
        store: &S,
        event: &Event,
    ) -> Result<Summary, PipelineError> {
        let ids = triggers(event);
        if ids.is_empty() {
            return Ok(Summary::default());
        }
        // A finding deleted since its stream record is no reason to fail
        // the batch: plan for the ones still stored.
        let mut present = Vec::new();
        for id in ids {
            if store.finding(&id).await?.is_some() {
                present.push(id);
            }
        }
        let records = run(
            store,
            &Run {
                policy: &self.policy,
                only: Some(&present),
                target: &self.target,
                verifier: Some(&self.verifier),
                by: &self.by,
                clock: Timestamp::now,
            },
        )
        .await?;
        let mut summary = Summary {
            findings: present.len(),
            ..Summary::default()
        };
        for r in records {
            *summary.statuses.entry(r.status.as_str()).or_default() += 1;
            if r.status != Status::Skipped {
                summary.records.push(r);
            }
        }
        Ok(summary)
    }

    /// One signed approval callback (a function URL request): the decision
    /// is made only for a `POST` whose signature holds; the answer is the
    /// record as it now stands, or an error naming what was wrong.
    pub async fn callback<S: Store>(
        &self,
        store: &S,
        req: &LambdaFunctionUrlRequest,
    ) -> LambdaFunctionUrlResponse {
        let answer = |status: i64, body: serde_json::Value| {
            let mut r = LambdaFunctionUrlResponse::default();
            r.status_code = status;
            r.body = Some(body.to_string());
            r
        };
        let error = |status: i64, message: String| answer(status, json!({"error": message}));
        if req.request_context.http.method.as_deref() != Some("POST") {
            return error(405, "approval callbacks are POST requests".into());
        }
        let Some(secret) = &self.approval_secret else {
            return error(
                503,
                "approval callbacks are not configured (AISPM_APPROVAL_SECRET)".into(),
            );
        };
        let raw = req.body.clone().unwrap_or_default();
        let body = if req.is_base64_encoded {
            match aws_smithy_types::base64::decode(&raw) {
                Ok(b) => b,
                Err(e) => return error(400, format!("the body is not base64: {e}")),
            }
        } else {
            raw.into_bytes()
        };
        let header = req
            .headers
            .get("x-aispm-signature")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let now = Timestamp::now();
        let checked = verify(secret.as_bytes(), header, &body, now.unix_secs())
            .and_then(|()| Decision::parse(&body));
        let d = match checked {
            Ok(d) => d,
            Err(e @ CallbackError::Body(_)) => return error(400, e.to_string()),
            Err(e) => return error(401, e.to_string()),
        };
        let by = format!("{} (signed approval callback)", d.by);
        let decided = match d.decision {
            Verdict::Approve => {
                let run = Run {
                    policy: &self.policy,
                    only: None,
                    target: &self.target,
                    verifier: Some(&self.verifier),
                    by: &by,
                    clock: Timestamp::now,
                };
                approve(store, &run, &d.action_id, d.note.as_deref()).await
            }
            Verdict::Deny => {
                deny(
                    store,
                    &d.action_id,
                    d.reason.as_deref().unwrap_or_default(),
                    &by,
                    now,
                )
                .await
            }
        };
        match decided {
            Ok(r) => answer(200, json!(r)),
            Err(e @ DecisionError::NotFound(_)) => error(404, e.to_string()),
            Err(e @ DecisionError::Refused { .. }) => error(409, e.to_string()),
            Err(e) => error(500, e.to_string()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    fn sample(path: &str) -> serde_json::Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../events")
            .join(path);
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn stream_batches_and_callbacks_are_told_apart() {
        match Invocation::parse(sample("dynamodb/findings-stream-batch.json")).unwrap() {
            Invocation::Stream(b) => assert!(!b.records.is_empty()),
            other => panic!("{other:?}"),
        }
        match Invocation::parse(sample("lambda-url/approval-callback.json")).unwrap() {
            Invocation::Callback(r) => {
                assert_eq!(r.request_context.http.method.as_deref(), Some("POST"));
                assert!(r.headers.get("x-aispm-signature").is_some());
                let d =
                    super::super::callback::Decision::parse(r.body.unwrap().as_bytes()).unwrap();
                assert_eq!(d.decision, Verdict::Approve);
            }
            other => panic!("{other:?}"),
        }
        let e = Invocation::parse(serde_json::json!({"Records": 3})).unwrap_err();
        assert!(e.to_string().contains("not a DynamoDB stream batch"), "{e}");
        let e = Invocation::parse(
            serde_json::json!({"requestContext": {"http": {}}, "isBase64Encoded": "no"}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a function URL request"), "{e}");
    }
}
