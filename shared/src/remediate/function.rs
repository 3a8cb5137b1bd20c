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

use aws_lambda_events::dynamodb::Event;
use serde::Serialize;

use super::apply::Target;
use super::run::{Run, run};
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
}
