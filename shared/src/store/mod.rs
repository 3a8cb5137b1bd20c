//! The findings store: what a sweep leaves behind. Four small traits, one per
//! kind of caller ([`Sweeps`], [`Snapshots`], [`FindingWrites`],
//! [`FindingReads`]; [`Store`] is all of them), with a DynamoDB
//! implementation ([`DynamoStore`]) and an in-memory one ([`MemoryStore`])
//! that pass the same contract ([`contract::check`]). The lifecycle
//! decisions are pure (`crate::reconcile::lifecycle`) and a store only
//! applies them with version conditions, so concurrent scanners and
//! redelivered messages neither lose nor double anything.
//!
//! ## Table design (single table, documented in `infra/README.md` too)
//!
//! | pk | sk | item |
//! |---|---|---|
//! | `ACCOUNT#<id>` | `A#<scope>#<arn>` | asset (`body` JSON, `h` hash, `collector`) |
//! | `ACCOUNT#<id>` | `E#<scope>#<hash>` | edge (content-addressed) |
//! | `ACCOUNT#<id>` | `C#<scope>#<hash>` | latest coverage record of the scope (content-addressed) |
//! | `ACCOUNT#<id>` | `F#<finding id>` | finding state: small, top-level attributes, `version` |
//! | `ACCOUNT#<id>` | `D#<finding id>` | finding detail: evidence, remediation, frameworks |
//! | `ACCOUNT#<id>` | `H#<finding id>#<time>#<kind>` | finding history event |
//! | `SWEEPS` | `<sweep id>` | sweep record; `done` counts finished tasks |
//! | `SWEEP#<sweep id>` | `T#<account>#<scope>` | task record (one per message), TTL |
//! | `JOURNAL#<kind>` | `<id>` | audited record's head ([`journal`]: remediation actions) |
//! | `JOURNAL#<kind>#<id>` | `L#<version>` | the log entry that made each version |
//!
//! A scope is `global` (IAM, S3, Organizations) or a region. One Query on the
//! account's partition reads everything a scanner needs. GSI `by_status`
//! (`status`, `rank` = `100 - risk`, account, id) lists findings by status,
//! riskiest first, and projects only attributes that change rarely, so a sweep
//! that only moves `last_seen` writes one item per finding and no index entry.
//! GSI `by_id` (`finding_id`, keys only) finds a finding from its id alone.

pub mod contract;
pub mod dynamo;
pub mod item;
pub mod journal;
pub mod memory;
pub mod state;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::aws::CollectError;
use crate::model::{Asset, Coverage, Edge, FindingStatus};

pub use crate::model::Disposition;
pub use dynamo::{DynamoStore, WriteMeter, ensure_table, table_exists};
pub use journal::{Journal, JournalHead};
pub use memory::MemoryStore;
pub use state::{Change, EventKind, FindingDetail, FindingEvent, FindingState, short_hash};

/// A store operation that failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The AWS call failed.
    #[error(transparent)]
    Aws(#[from] CollectError),
    /// A stored item could not be read back.
    #[error("stored item {key} is unreadable: {message}")]
    Corrupt {
        /// The item's key.
        key: String,
        /// What was wrong.
        message: String,
    },
    /// No such finding.
    #[error("no finding with id `{0}`")]
    NotFound(String),
    /// A write kept losing to concurrent writers.
    #[error("finding {0} kept changing under concurrent writers; giving up after retries")]
    Contended(String),
}

/// A sweep of the organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    /// `sw-<time>-<suffix>`; sorts by start time.
    pub sweep_id: String,
    /// Start time (RFC 3339, UTC, milliseconds): every finding it observes gets
    /// this as `last_seen`, so replays are idempotent.
    pub started_at: String,
    /// Accounts swept.
    pub accounts: Vec<String>,
    /// Regions swept.
    pub regions: Vec<String>,
    /// Messages sent: accounts × (regions + 1 global).
    pub expected_tasks: u64,
    /// Tasks finished (atomic counter; each task counted once).
    #[serde(default)]
    pub done_tasks: u64,
}

impl SweepRecord {
    /// True when every task has reported.
    pub fn is_complete(&self) -> bool {
        self.done_tasks >= self.expected_tasks
    }
}

/// What one scanner task did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// The sweep.
    pub sweep_id: String,
    /// The account.
    pub account_id: String,
    /// `global` or a region.
    pub scope: String,
    /// When it finished (wall time).
    pub finished_at: String,
    /// Assets in the scope.
    pub assets: u64,
    /// Findings observed in the scope.
    pub findings: u64,
    /// Findings opened, reopened or resolved.
    pub changed: u64,
    /// Coverage records that say "not assessed", with their reasons.
    pub not_assessed: Vec<Coverage>,
}

/// One stored part of an account's graph snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Part {
    /// An asset.
    Asset(Asset),
    /// An edge.
    Edge(Edge),
    /// A coverage record.
    Coverage(Coverage),
}

/// A stored part with its key and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotItem {
    /// `global` or a region.
    pub scope: String,
    /// The sort key.
    pub sk: String,
    /// The collector that produced it (coverage: its own collector).
    pub collector: String,
    /// Content hash.
    pub hash: String,
    /// The part.
    pub part: Part,
    /// When what it says was observed (the sweep's start or the event's
    /// time) the last time it changed; `None` for items written before
    /// this was recorded. A write never replaces a later observation.
    pub at: Option<String>,
}

impl SnapshotItem {
    /// Builds the item (key and hash) for a part of `scope`.
    pub fn new(scope: &str, collector: &str, part: Part) -> Self {
        let body = serde_json::to_vec(&part).unwrap_or_default();
        let hash = short_hash(&body);
        let sk = match &part {
            Part::Asset(a) => format!("A#{scope}#{}", a.arn),
            Part::Edge(_) => format!("E#{scope}#{hash}"),
            Part::Coverage(_) => format!("C#{scope}#{hash}"),
        };
        Self {
            scope: scope.to_owned(),
            sk,
            collector: collector.to_owned(),
            hash,
            part,
            at: None,
        }
    }

    /// The same item, observed at `at`.
    pub fn observed(mut self, at: &str) -> Self {
        self.at = Some(at.to_owned());
        self
    }

    /// Whether it records an observation later than `at`.
    pub fn is_newer_than(&self, at: &str) -> bool {
        self.at.as_deref().is_some_and(|mine| mine > at)
    }
}

/// Everything stored for one account.
#[derive(Debug, Clone, Default)]
pub struct AccountSnapshot {
    /// Assets, edges and coverage of every scope.
    pub items: Vec<SnapshotItem>,
    /// Finding states.
    pub findings: Vec<FindingState>,
}

/// The writes that bring one scope's stored snapshot up to date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotDiff {
    /// New or changed items.
    pub put: Vec<SnapshotItem>,
    /// Sort keys of items that are gone.
    pub delete: Vec<String>,
    /// The observation time of the writer: a store skips every put and
    /// delete of an item that holds a later observation (written meanwhile
    /// by an event or a later sweep). `None` writes unconditionally.
    pub at: Option<String>,
}

/// Compares what `scope` holds with a fresh scan of it, observed at `at`.
/// An asset or edge that is no longer there is deleted only when the
/// collector that produced it was assessed this time; coverage is replaced
/// as a whole; an item holding a later observation than `at` is never
/// replaced or deleted.
pub fn diff_scope(
    stored: &AccountSnapshot,
    scope: &str,
    fresh: &[SnapshotItem],
    assessed_collectors: &BTreeSet<String>,
    reread: &BTreeSet<String>,
    at: Option<&str>,
) -> SnapshotDiff {
    let newer = |i: &SnapshotItem| at.is_some_and(|at| i.is_newer_than(at));
    let old: BTreeMap<&str, &SnapshotItem> = stored
        .items
        .iter()
        .filter(|i| i.scope == scope)
        .map(|i| (i.sk.as_str(), i))
        .collect();
    let new: BTreeMap<&str, &SnapshotItem> = fresh.iter().map(|i| (i.sk.as_str(), i)).collect();
    // A resource read again one by one (an event) records its observation
    // time even when nothing changed, so an older view cannot replace it.
    let reread_now = |i: &SnapshotItem, o: &SnapshotItem| {
        let arn = match &i.part {
            Part::Asset(a) => Some(a.arn.as_str()),
            Part::Edge(e) => Some(e.from.as_str()),
            Part::Coverage(_) => None,
        };
        arn.is_some_and(|a| reread.contains(a))
            && at.is_some_and(|at| o.at.as_deref().is_none_or(|t| t < at))
    };
    let put = new
        .iter()
        .filter(|(sk, i)| {
            old.get(*sk)
                .is_none_or(|o| (o.hash != i.hash && !newer(o)) || reread_now(i, o))
        })
        .map(|(_, i)| (*i).clone())
        .collect();
    let delete = old
        .iter()
        .filter(|(sk, i)| !new.contains_key(*sk) && !newer(i))
        .filter(|(_, i)| match &i.part {
            Part::Coverage(_) => true,
            // Read again one by one (an event): what is gone is gone, even
            // while the collector's list cannot be read.
            Part::Asset(a) if reread.contains(&a.arn) => true,
            Part::Edge(e) if reread.contains(&e.from) => true,
            _ => assessed_collectors.contains(&i.collector),
        })
        .map(|(sk, _)| (*sk).to_owned())
        .collect();
    SnapshotDiff {
        put,
        delete,
        at: at.map(str::to_owned),
    }
}

/// Filters for listing findings.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only this status (default: every status).
    pub status: Option<FindingStatus>,
    /// Only this account.
    pub account_id: Option<String>,
    /// Only this rule.
    pub rule_id: Option<String>,
}

/// Whether a conditional write went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Written.
    Done,
    /// The stored version was not the expected one; read again and re-plan.
    Conflict,
}

/// The sweep log: sweeps and the tasks that report on them.
pub trait Sweeps: Send + Sync {
    /// Records a new sweep.
    fn create_sweep(&self, s: &SweepRecord) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One sweep.
    fn sweep(
        &self,
        sweep_id: &str,
    ) -> impl Future<Output = Result<Option<SweepRecord>, StoreError>> + Send;
    /// The most recent sweep.
    fn latest_sweep(&self) -> impl Future<Output = Result<Option<SweepRecord>, StoreError>> + Send;
    /// The task records of a sweep.
    fn tasks(
        &self,
        sweep_id: &str,
    ) -> impl Future<Output = Result<Vec<TaskRecord>, StoreError>> + Send;
    /// The record of one finished task, if it finished.
    fn task(
        &self,
        sweep_id: &str,
        account_id: &str,
        scope: &str,
    ) -> impl Future<Output = Result<Option<TaskRecord>, StoreError>> + Send;
    /// Records a finished task and counts it on its sweep, once: returns false
    /// when this task had already been counted (a redelivered message). A
    /// task of an unknown sweep is [`StoreError::NotFound`].
    fn complete_task(
        &self,
        t: &TaskRecord,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The stored graph of each account: what the reconciler reads and diffs.
pub trait Snapshots: Send + Sync {
    /// Everything stored for one account (strongly consistent): every
    /// scope's parts and the account's finding states.
    fn account(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<AccountSnapshot, StoreError>> + Send;
    /// Applies a snapshot diff for one account.
    fn write_snapshot(
        &self,
        account_id: &str,
        diff: &SnapshotDiff,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Versioned finding writes: what the lifecycle and people's decisions use.
pub trait FindingWrites: Send + Sync {
    /// Applies one finding change if the stored version is the expected one.
    fn apply(&self, c: &Change) -> impl Future<Output = Result<Applied, StoreError>> + Send;
    /// One finding's state read by its key (strongly consistent).
    fn state(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> impl Future<Output = Result<Option<FindingState>, StoreError>> + Send;
}

/// Finding reads for people and exports.
pub trait FindingReads: Send + Sync {
    /// One finding's state, by id alone.
    fn finding(
        &self,
        finding_id: &str,
    ) -> impl Future<Output = Result<Option<FindingState>, StoreError>> + Send;
    /// One finding's detail.
    fn detail(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> impl Future<Output = Result<Option<FindingDetail>, StoreError>> + Send;
    /// One finding's history, oldest first.
    fn history(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> impl Future<Output = Result<Vec<FindingEvent>, StoreError>> + Send;
    /// Findings matching a filter, riskiest first.
    fn list(
        &self,
        filter: &FindingFilter,
    ) -> impl Future<Output = Result<Vec<FindingState>, StoreError>> + Send;
}

/// The store traits at once, for code that calls a bit of each (tests,
/// benchmarks): `use aispm_shared::store::prelude::*;`.
pub mod prelude {
    pub use super::{FindingReads, FindingWrites, Journal, Snapshots, Store, Sweeps};
}

/// The whole findings store: every seam at once, for callers (the Lambda
/// functions, the CLI) that hand one store to everything.
pub trait Store: Sweeps + Snapshots + FindingWrites + FindingReads + Journal {}

impl<T: Sweeps + Snapshots + FindingWrites + FindingReads + Journal> Store for T {}

/// Applies a change, re-reading and re-planning on version conflicts (bounded).
/// `replan` gets the freshly read state and returns the change to try next, or
/// `None` when nothing is left to do.
pub async fn apply_with_retry<S, F>(
    store: &S,
    first: Change,
    mut replan: F,
) -> Result<Option<Change>, StoreError>
where
    S: FindingWrites,
    F: FnMut(Option<&FindingState>) -> Option<Change> + Send,
{
    let mut change = first;
    for _ in 0..8 {
        match store.apply(&change).await? {
            Applied::Done => return Ok(Some(change)),
            Applied::Conflict => {
                let current = store
                    .state(&change.state.account_id, &change.state.finding_id)
                    .await?;
                match replan(current.as_ref()) {
                    Some(c) => change = c,
                    None => return Ok(None),
                }
            }
        }
    }
    Err(StoreError::Contended(change.state.finding_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AssetType;

    fn asset(arn: &str, name: &str) -> Part {
        Part::Asset(Asset::new(
            arn,
            AssetType::S3Bucket,
            name,
            "111111111111",
            "us-east-1",
        ))
    }

    #[test]
    fn diff_writes_only_changes_and_keeps_unassessed_leftovers() {
        let stored = AccountSnapshot {
            items: vec![
                SnapshotItem::new("global", "s3.buckets", asset("arn:aws:s3:::a", "a")),
                SnapshotItem::new("global", "s3.buckets", asset("arn:aws:s3:::b", "b")),
                SnapshotItem::new("global", "iam.x", asset("arn:aws:iam::1:role/r", "r")),
                SnapshotItem::new("us-east-1", "s3.buckets", asset("arn:aws:s3:::z", "z")),
            ],
            findings: vec![],
        };
        let fresh = vec![
            SnapshotItem::new("global", "s3.buckets", asset("arn:aws:s3:::a", "a")),
            SnapshotItem::new("global", "s3.buckets", asset("arn:aws:s3:::c", "c")),
        ];
        let assessed: BTreeSet<String> = ["s3.buckets".to_owned()].into();
        let d = diff_scope(&stored, "global", &fresh, &assessed, &BTreeSet::new(), None);
        // unchanged `a` is not rewritten; new `c` is
        assert_eq!(d.put.len(), 1);
        assert_eq!(d.put[0].sk, "A#global#arn:aws:s3:::c");
        // `b` is gone and its collector looked; the role's collector did not
        // look, so the role stays; other scopes are untouched
        assert_eq!(d.delete, vec!["A#global#arn:aws:s3:::b".to_owned()]);
        // an event that read the role again and found it gone deletes it,
        // though the collector's list could not be read
        let reread: BTreeSet<String> = ["arn:aws:iam::1:role/r".to_owned()].into();
        let d = diff_scope(&stored, "global", &fresh, &BTreeSet::new(), &reread, None);
        assert_eq!(d.delete, vec!["A#global#arn:aws:iam::1:role/r".to_owned()]);
    }
}
