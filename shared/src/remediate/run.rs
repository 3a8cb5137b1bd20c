//! One remediation run, as the CLI and the deployed function make it: plan
//! under the policy (keeping stored records that stand), record the plan,
//! apply what `auto` allows, record each result, verify it by a rescan and
//! record that too. Every record that is not skipped is in the audit before
//! anything is changed; the finding's history notes every change.

use std::collections::BTreeMap;

use tracing::{info, warn};

use super::apply::{Target, apply_planned};
use super::audit::{self, Stored};
use super::verify::{Verifier, verify};
use super::{Record, RemediationPolicy, Status, plan_stored};
use crate::model::Timestamp;
use crate::store::{Store, StoreError, apply_with_retry};

/// What one run needs besides the store.
pub struct Run<'a> {
    /// The remediation policy.
    pub policy: &'a RemediationPolicy,
    /// Only this finding.
    pub only: Option<&'a str>,
    /// Where and as whom changes are made.
    pub target: &'a Target,
    /// The rescan after a change (`None`: the next sweep verifies).
    pub verifier: Option<&'a Verifier>,
    /// Who runs it, for the audit.
    pub by: &'a str,
    /// The clock (the edges pass `Timestamp::now`).
    pub clock: fn() -> Timestamp,
}

/// Runs once; returns every record, skipped ones included. A store that
/// cannot record the plan stops the run before anything is changed.
pub async fn run<S: Store>(store: &S, run: &Run<'_>) -> Result<Vec<Record>, StoreError> {
    let stored = audit::list(store).await?;
    let mut records = plan_stored(store, run.policy, run.only, &stored, (run.clock)()).await?;
    let mut versions: BTreeMap<String, Stored> = stored
        .into_iter()
        .map(|s| (s.record.action_id.clone(), s))
        .collect();
    for r in records.iter().filter(|r| r.status != Status::Skipped) {
        let saved =
            audit::save(store, versions.get(&r.action_id), r, run.by, (run.clock)()).await?;
        versions.insert(r.action_id.clone(), saved);
    }
    if !records.iter().any(|r| r.status == Status::Planned) {
        return Ok(records);
    }
    let planned: Vec<bool> = records
        .iter()
        .map(|r| r.status == Status::Planned)
        .collect();
    apply_planned(run.target, &mut records).await;
    for (r, _) in records.iter_mut().zip(&planned).filter(|(_, p)| **p) {
        record(store, run, &mut versions, r).await;
        if r.status == Status::Applied
            && let Some(v) = run.verifier
        {
            verify(v, store, r, (run.clock)()).await;
            record(store, run, &mut versions, r).await;
        }
    }
    Ok(records)
}

/// Why a rollback did not run.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such record.
    #[error("no remediation with id `{0}` (see `aispm remediation list`)")]
    NotFound(String),
    /// The record cannot be rolled back.
    #[error("remediation {id} cannot be rolled back: {why}")]
    Refused {
        /// The record.
        id: String,
        /// Why.
        why: String,
    },
}

/// Rolls one recorded action back: restores the state before, records it
/// and rescans the resource, so its finding reopens where the rules still
/// see it.
pub async fn rollback<S: Store>(
    store: &S,
    run: &Run<'_>,
    action_id: &str,
) -> Result<Record, RollbackError> {
    let stored = audit::load(store, action_id)
        .await?
        .ok_or_else(|| RollbackError::NotFound(action_id.to_owned()))?;
    if let Some(why) = super::apply::cannot_roll_back(&stored.record) {
        return Err(RollbackError::Refused {
            id: action_id.to_owned(),
            why,
        });
    }
    let mut r = stored.record.clone();
    super::apply::roll_back(run.target, &mut r).await;
    if r.status == Status::Failed {
        // The fix itself stands as recorded: keep its state before.
        r.before = stored.record.before.clone();
    }
    let mut versions = BTreeMap::from([(r.action_id.clone(), stored)]);
    record(store, run, &mut versions, &mut r).await;
    if r.status == Status::RolledBack
        && let Some(v) = run.verifier
        && let Err(e) = super::verify::rescan(v, store, &r, (run.clock)()).await
    {
        warn!(action_id = %r.action_id, error = %e, "rescan after the rollback failed; the next sweep reads the resource");
    }
    Ok(r)
}

/// Records a changed record and notes it in the finding's history; a store
/// failure here cannot undo the change, so it is logged and said in the
/// record's reason.
async fn record<S: Store>(
    store: &S,
    run: &Run<'_>,
    versions: &mut BTreeMap<String, Stored>,
    r: &mut Record,
) {
    let at = (run.clock)();
    match audit::save(store, versions.get(&r.action_id), r, run.by, at).await {
        Ok(saved) => {
            let written = versions
                .get(&r.action_id)
                .is_none_or(|old| old.version != saved.version);
            versions.insert(r.action_id.clone(), saved);
            if written && r.status != Status::Planned {
                history(store, run, r, at).await;
            }
            info!(action_id = %r.action_id, action = %r.action, status = r.status.as_str(), "remediation recorded");
        }
        Err(e) => {
            warn!(action_id = %r.action_id, error = %e, "remediation not recorded in the audit");
            let why = format!("not recorded in the audit: {e}");
            r.reason = Some(match r.reason.take() {
                Some(old) => format!("{old}; {why}"),
                None => why,
            });
        }
    }
}

/// Notes a record's new status in its finding's history.
async fn history<S: Store>(store: &S, run: &Run<'_>, r: &Record, at: Timestamp) {
    let note = format!(
        "{} {}: {}{}",
        r.action,
        r.action_id,
        r.status.as_str(),
        r.reason
            .as_deref()
            .map(|why| format!(" ({why})"))
            .unwrap_or_default()
    );
    let result = async {
        let Some(state) = store.state(&r.account_id, &r.finding_id).await? else {
            return Ok(None);
        };
        let at = at.to_string();
        let first =
            crate::reconcile::lifecycle::remediation_event(&state, &at, run.by, note.clone());
        apply_with_retry(store, first, |current| {
            current.map(|s| {
                crate::reconcile::lifecycle::remediation_event(s, &at, run.by, note.clone())
            })
        })
        .await
    }
    .await;
    if let Err(e) = result {
        warn!(action_id = %r.action_id, finding_id = %r.finding_id, error = %e,
              "remediation not noted in the finding's history");
    }
}
