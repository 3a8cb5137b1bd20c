//! One remediation run, as the CLI and the deployed function make it: plan
//! under the policy (keeping stored records that stand), record the plan,
//! apply what `auto` allows, record each result, verify it by a rescan and
//! record that too. Every record that is not skipped is in the audit before
//! anything is changed; the finding's history notes every change.

use std::collections::{BTreeMap, BTreeSet};

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
    /// Only these findings (`None`: every open one).
    pub only: Option<&'a [String]>,
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
    let now = (run.clock)();
    let mut stored = audit::list(store).await?;
    for s in stored.iter_mut().filter(|s| audit::expired(s, now)) {
        let mut r = s.record.clone();
        r.status = Status::Skipped;
        r.reason = Some(format!(
            "the approval request expired at {}; the next run asks again",
            s.expires_at.as_deref().unwrap_or("?")
        ));
        *s = audit::save(store, Some(s), &r, run.by, now).await?;
        info!(action_id = %r.action_id, "approval request expired");
    }
    let place = async |accounts: &BTreeSet<&str>| {
        super::placement::ou_paths(&run.target.base, &run.target.counter, accounts).await
    };
    let mut records = plan_stored(store, run.policy, run.only, &stored, now, place).await?;
    let mut versions: BTreeMap<String, Stored> = stored
        .into_iter()
        .map(|s| (s.record.action_id.clone(), s))
        .collect();
    let expires = Timestamp::from_millis(
        now.unix_millis() + i64::from(run.policy.approval_ttl_hours) * 3_600_000,
    );
    for r in records.iter().filter(|r| r.status != Status::Skipped) {
        let old = versions.get(&r.action_id);
        let asks = r.status == Status::AwaitingApproval
            && old.is_none_or(|o| o.record.status != Status::AwaitingApproval);
        let meta = audit::Meta {
            expires_at: asks.then_some(expires),
            decided_by: None,
        };
        let saved = audit::save_with(store, old, r, run.by, (run.clock)(), meta).await?;
        if asks {
            info!(action_id = %r.action_id, action = %r.action, finding_id = %r.finding_id,
                  resource = %r.resource_arn, expires_at = %expires,
                  "remediation awaits approval: aispm remediation approve|deny ID");
        }
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

/// Why a rollback, approval or denial did not run.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such record.
    #[error("no remediation with id `{0}` (see `aispm remediation list`)")]
    NotFound(String),
    /// The record cannot be rolled back, approved or denied.
    #[error("remediation {id}: {why}")]
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
) -> Result<Record, DecisionError> {
    let stored = audit::load(store, action_id)
        .await?
        .ok_or_else(|| DecisionError::NotFound(action_id.to_owned()))?;
    if let Some(why) = super::apply::cannot_roll_back(&stored.record) {
        return Err(DecisionError::Refused {
            id: action_id.to_owned(),
            why: format!("cannot be rolled back: {why}"),
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

/// Approves a record awaiting approval and applies it at once (then
/// verifies it), as the person `by`; a request that expired, or whose
/// finding is no longer open, is refused and recorded as skipped.
pub async fn approve<S: Store>(
    store: &S,
    run: &Run<'_>,
    action_id: &str,
    note: Option<&str>,
) -> Result<Record, DecisionError> {
    let stored = awaiting(store, action_id).await?;
    let now = (run.clock)();
    let refuse = async |why: String| -> Result<Record, DecisionError> {
        let mut r = stored.record.clone();
        r.status = Status::Skipped;
        r.reason = Some(why.clone());
        audit::save(store, Some(&stored), &r, run.by, now).await?;
        Err(DecisionError::Refused {
            id: action_id.to_owned(),
            why,
        })
    };
    if audit::expired(&stored, now) {
        return refuse(format!(
            "the approval request expired at {}; the next run asks again",
            stored.expires_at.as_deref().unwrap_or("?")
        ))
        .await;
    }
    match store.finding(&stored.record.finding_id).await? {
        Some(f) if f.status == crate::model::FindingStatus::Open => {}
        Some(f) => {
            return refuse(format!(
                "the finding is {} now: nothing to approve",
                f.status.as_str()
            ))
            .await;
        }
        None => return refuse("the finding is no longer stored".into()).await,
    }
    let mut r = stored.record.clone();
    r.status = Status::Planned;
    r.reason = Some(match note {
        Some(n) => format!("approved by {}: {n}", run.by),
        None => format!("approved by {}", run.by),
    });
    let meta = audit::Meta {
        expires_at: None,
        decided_by: Some(run.by.to_owned()),
    };
    let saved = audit::save_with(store, Some(&stored), &r, run.by, now, meta).await?;
    let mut versions = BTreeMap::from([(r.action_id.clone(), saved)]);
    apply_planned(run.target, std::slice::from_mut(&mut r)).await;
    record(store, run, &mut versions, &mut r).await;
    if r.status == Status::Applied
        && let Some(v) = run.verifier
    {
        verify(v, store, &mut r, (run.clock)()).await;
        record(store, run, &mut versions, &mut r).await;
    }
    Ok(r)
}

/// Denies a record awaiting approval, with the person's reason: it stays
/// skipped, and later runs do not ask again for this occurrence of the
/// finding.
pub async fn deny<S: Store>(
    store: &S,
    action_id: &str,
    reason: &str,
    by: &str,
    at: Timestamp,
) -> Result<Record, DecisionError> {
    let stored = awaiting(store, action_id).await?;
    let mut r = stored.record.clone();
    r.status = Status::Skipped;
    r.reason = Some(format!("denied by {by}: {reason}"));
    let meta = audit::Meta {
        expires_at: None,
        decided_by: Some(by.to_owned()),
    };
    audit::save_with(store, Some(&stored), &r, by, at, meta).await?;
    history(store, by, &r, at).await;
    Ok(r)
}

/// The stored record `action_id`, which must await approval.
async fn awaiting<S: Store>(store: &S, action_id: &str) -> Result<Stored, DecisionError> {
    let stored = audit::load(store, action_id)
        .await?
        .ok_or_else(|| DecisionError::NotFound(action_id.to_owned()))?;
    if stored.record.status != Status::AwaitingApproval {
        return Err(DecisionError::Refused {
            id: action_id.to_owned(),
            why: format!(
                "it is {}, not awaiting approval",
                stored.record.status.as_str()
            ),
        });
    }
    Ok(stored)
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
                history(store, run.by, r, at).await;
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
async fn history<S: Store>(store: &S, by: &str, r: &Record, at: Timestamp) {
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
        let first = crate::reconcile::lifecycle::remediation_event(&state, &at, by, note.clone());
        apply_with_retry(store, first, |current| {
            current
                .map(|s| crate::reconcile::lifecycle::remediation_event(s, &at, by, note.clone()))
        })
        .await
    }
    .await;
    if let Err(e) = result {
        warn!(action_id = %r.action_id, finding_id = %r.finding_id, error = %e,
              "remediation not noted in the finding's history");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::{Mode, catalog::ActionKind};
    use crate::store::MemoryStore;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn later() -> Timestamp {
        t("2026-12-05T00:00:00Z")
    }

    fn awaiting() -> Record {
        Record {
            action_id: "rem-00000000000000ff".into(),
            action: ActionKind::S3BlockPublicAccess,
            finding_id: "f1".into(),
            rule_id: "s3_bucket_public_read".into(),
            resource_arn: "arn:aws:s3:::b".into(),
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            mode: Mode::Approval,
            status: Status::AwaitingApproval,
            reason: None,
            calls: Vec::new(),
            before: None,
            after: None,
        }
    }

    fn target() -> Target {
        Target {
            base: aws_types::SdkConfig::builder().build(),
            caller_account: "111111111111".into(),
            role_name: "aispm-remediator".into(),
            external_id: None,
            counter: Default::default(),
        }
    }

    async fn asked(store: &MemoryStore, expires: &str) {
        audit::save_with(
            store,
            None,
            &awaiting(),
            "aispm remediate",
            t("2026-12-01T00:00:00Z"),
            audit::Meta {
                expires_at: Some(t(expires)),
                decided_by: None,
            },
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn an_expired_request_cannot_be_approved_and_is_asked_again() {
        let store = MemoryStore::new();
        asked(&store, "2026-12-04T00:00:00Z").await;
        let policy = RemediationPolicy::default();
        let target = target();
        let run = Run {
            policy: &policy,
            only: None,
            target: &target,
            verifier: None,
            by: "alice",
            clock: later,
        };
        let err = approve(&store, &run, "rem-00000000000000ff", None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("expired at 2026-12-04"), "{err}");
        let stored = audit::load(&store, "rem-00000000000000ff")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.record.status, Status::Skipped);
        // Expired is not a decision: planning asks again.
        assert!(!audit::stands(&stored));
    }

    #[tokio::test]
    async fn a_run_expires_old_requests_and_a_denial_stands() {
        let store = MemoryStore::new();
        asked(&store, "2026-12-04T00:00:00Z").await;
        let policy = RemediationPolicy::default();
        let target = target();
        let run = Run {
            policy: &policy,
            only: None,
            target: &target,
            verifier: None,
            by: "aispm remediate",
            clock: later,
        };
        super::run(&store, &run).await.unwrap();
        let log = audit::log(&store, "rem-00000000000000ff").await.unwrap();
        assert_eq!(
            log.iter().map(|e| e.status).collect::<Vec<_>>(),
            [Status::AwaitingApproval, Status::Skipped]
        );
        assert!(log[1].reason.as_deref().unwrap().contains("expired"));

        // A fresh request, denied: it stands, and only a pending one can be.
        let other = MemoryStore::new();
        asked(&other, "2026-12-09T00:00:00Z").await;
        let r = deny(
            &other,
            "rem-00000000000000ff",
            "change freeze",
            "bob",
            later(),
        )
        .await
        .unwrap();
        assert_eq!(r.status, Status::Skipped);
        assert_eq!(r.reason.as_deref(), Some("denied by bob: change freeze"));
        let stored = audit::load(&other, "rem-00000000000000ff")
            .await
            .unwrap()
            .unwrap();
        assert!(audit::stands(&stored));
        assert_eq!(stored.decided_by.as_deref(), Some("bob"));
        let again = deny(&other, "rem-00000000000000ff", "x", "bob", later())
            .await
            .unwrap_err();
        assert!(
            again.to_string().contains("not awaiting approval"),
            "{again}"
        );
        let missing = deny(&other, "rem-0000000000000000", "x", "bob", later())
            .await
            .unwrap_err();
        assert!(matches!(missing, DecisionError::NotFound(_)));
    }
}
