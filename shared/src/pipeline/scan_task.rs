//! The scanner's task: scan one account × scope, hand the view to the
//! reconciler, count the task on its sweep.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

use tracing::info;

use super::{PipelineConfig, PipelineError, ScanTask};
use crate::aws::{AwsSettings, RequestCounter};
use crate::model::{GLOBAL_REGION, Timestamp};
use crate::reconcile::{ScopeUpdate, reconcile};
use crate::scan::{self, Parts, ScanRequest, Target};
use crate::store::{Store, TaskRecord};

/// Copies of one task that run in this process at once (a batch holding a
/// redelivered message, `aispm sweep --local`) take turns: the second waits
/// for the first and then finds the task done, instead of scanning twice and
/// racing it on every write. Copies in other processes are kept apart by
/// the store's conditional writes alone.
fn in_flight(key: String) -> Arc<tokio::sync::Mutex<()>> {
    static RUNNING: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let map = RUNNING.get_or_init(|| Mutex::new(HashMap::new()));
    let mut m = match map.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    // Entries nobody holds any more are dropped, so the map stays small.
    m.retain(|_, lock| Arc::strong_count(lock) > 1);
    m.entry(key).or_default().clone()
}

/// Scans one task's scope and brings the store up to date with it, with no
/// time limit (see [`run_task_by`]).
pub async fn run_task<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    task: &ScanTask,
) -> Result<TaskRecord, PipelineError> {
    run_task_by(settings, cfg, store, task, None).await
}

/// A task that has less than this left does not start (its message is
/// redelivered to an invocation with time).
pub const MIN_TASK_TIME: Duration = Duration::from_secs(1);

/// When the collectors of a task that must be done by `deadline` stop: a
/// fifth of the time left (at least half a second, at most a minute) is
/// kept for judging the view and writing it.
pub fn collectors_deadline(now: Instant, deadline: Instant) -> Instant {
    let left = deadline.saturating_duration_since(now);
    let reserve = (left / 5).clamp(Duration::from_millis(500), Duration::from_secs(60));
    now + left.saturating_sub(reserve)
}

/// The instant of a Lambda invocation's deadline (milliseconds since the
/// epoch, as the runtime API gives it).
pub fn deadline_of_invocation(epoch_ms: u64) -> Instant {
    let at = std::time::UNIX_EPOCH + Duration::from_millis(epoch_ms);
    let left = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    Instant::now() + left
}

/// [`run_task`], done by `deadline` (a Lambda invocation's): collectors
/// still running when their share of the time is up are recorded as
/// `timeout` coverage, and what was read is judged and written in the time
/// kept for it.
pub async fn run_task_by<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    task: &ScanTask,
    deadline: Option<Instant>,
) -> Result<TaskRecord, PipelineError> {
    if let Some(d) = deadline {
        let left = d.saturating_duration_since(Instant::now());
        if left < MIN_TASK_TIME {
            return Err(PipelineError::NoTime {
                left_ms: left.as_millis() as u64,
            });
        }
    }
    let external_id = cfg.external_id(task.external_id_ref.as_deref())?;
    let turn = in_flight(format!(
        "{}#{}#{}",
        task.sweep_id, task.account_id, task.scope
    ));
    let _turn = turn.lock().await;
    // A redelivered message whose task already finished changes nothing: a
    // second scan would only restate what the world looked like a moment later
    // (a role's last use moves when the scanner itself assumes it).
    if let Some(done) = store
        .task(&task.sweep_id, &task.account_id, &task.scope)
        .await?
    {
        info!("task already done in this sweep; nothing to do");
        return Ok(done);
    }
    let global = task.scope == GLOBAL_REGION;
    let req = ScanRequest {
        regions: vec![if global {
            task.home_region.clone()
        } else {
            task.scope.clone()
        }],
        target: Target::Accounts(vec![task.account_id.clone()]),
        role_name: task.role_name.clone(),
        external_id,
        account_concurrency: 1,
        collector_concurrency: cfg.collector_concurrency,
        parts: if global {
            Parts::GlobalOnly
        } else {
            Parts::RegionalOnly
        },
        management_account: task.management_account.clone(),
        assume_role_in_own_account: cfg.assume_role_in_own_account,
        fail_fast: false,
        deadline: deadline.map(|d| collectors_deadline(Instant::now(), d)),
    };
    let counter = RequestCounter::default();
    let fresh = scan::scan(settings, &req, &counter).await?;
    let snapshot = store.account(&task.account_id).await?;
    let origin = task.origin()?;
    let outcome = reconcile(
        store,
        cfg.reconcile_settings(),
        &snapshot,
        ScopeUpdate {
            origin: &origin,
            account_id: &task.account_id,
            scope: &task.scope,
            fresh,
            reread: BTreeSet::new(),
        },
    )
    .await?;
    let (fresh, observed_len, changed) = (outcome.fresh, outcome.observed, outcome.changed);

    let record = TaskRecord {
        sweep_id: task.sweep_id.clone(),
        account_id: task.account_id.clone(),
        scope: task.scope.clone(),
        finished_at: Timestamp::now().to_string(),
        assets: fresh.assets.len() as u64,
        findings: observed_len as u64,
        changed,
        // Details stay on the account's coverage items; the task keeps the
        // reasons (and the detail of an account it could not enter) so that it
        // fits one write unit.
        not_assessed: fresh
            .coverage
            .iter()
            .filter(|c| !c.is_assessed())
            .map(|c| {
                let mut c = c.clone();
                if c.collector != "account" {
                    c.detail = None;
                }
                c
            })
            .collect(),
    };
    let first = store.complete_task(&record).await?;
    info!(
        assets = record.assets,
        findings = record.findings,
        changed,
        not_assessed = record.not_assessed.len(),
        requests = counter.snapshot().total,
        first_delivery = first,
        "task done"
    );
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collectors_keep_a_fifth_of_the_time_for_writing_within_bounds() {
        let now = Instant::now();
        let s = Duration::from_secs;
        // 15 minutes: a minute is kept
        assert_eq!(collectors_deadline(now, now + s(900)), now + s(840));
        // 10 s: 2 s are kept
        assert_eq!(collectors_deadline(now, now + s(10)), now + s(8));
        // 1 s: at least half a second is kept
        assert_eq!(
            collectors_deadline(now, now + s(1)),
            now + Duration::from_millis(500)
        );
        // past: no time for collectors at all
        assert_eq!(collectors_deadline(now, now), now);
    }
}
