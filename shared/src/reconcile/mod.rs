//! The reconciler: what turns a fresh view of one scope of an account into
//! store changes. A sweep's task hands it what the collectors read; an event
//! hands it the stored view with the one resource it re-read. Either way the
//! reconciler runs the rules over the whole account graph (the scope's fresh
//! parts and the rest from the store), applies the findings' lifecycle at
//! the origin's time ([`lifecycle`]), opens or updates findings the view
//! proves about other scopes ([`foreign`]), records configured
//! [`suppressions`], and writes the scope's snapshot diff.
//!
//! The caller says where the view comes from with an explicit [`Origin`]:
//! a sweep's scope tasks see each other mid-sweep, an event sees the current
//! rest of the account, and the two differ in what they may change outside
//! their own scope.

mod foreign;
pub mod lifecycle;
pub mod suppressions;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Finding, GLOBAL_REGION, Inventory, Timestamp};
use crate::rules::{self, RuleConfig};
use crate::store::{
    AccountSnapshot, FindingState, FindingWrites, Part, SnapshotItem, Snapshots, StoreError,
    apply_with_retry, diff_scope,
};

use lifecycle::Observation;
use suppressions::Suppressions;

/// Where a fresh view comes from, and when it was true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A sweep's task: its collectors read the scope at the sweep's start.
    Sweep {
        /// The sweep id.
        id: String,
        /// The sweep's start time: `last_seen` of everything it observes.
        at: Timestamp,
    },
    /// An event: one resource re-read on top of the stored view.
    Event {
        /// The EventBridge event id.
        id: String,
        /// The time of the change the event reports (a late or repeated
        /// delivery replays an observation already applied).
        at: Timestamp,
    },
}

impl Origin {
    /// The time the view was true.
    pub fn at(&self) -> Timestamp {
        match self {
            Origin::Sweep { at, .. } | Origin::Event { at, .. } => *at,
        }
    }

    /// How findings' history names who observed a change: the sweep id, or
    /// `event:<id>`.
    pub fn label(&self) -> String {
        match self {
            Origin::Sweep { id, .. } => id.clone(),
            Origin::Event { id, .. } => format!("event:{id}"),
        }
    }
}

/// What the reconciler applies besides the rules' findings.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// Tag keys and thresholds the rules read.
    pub rules: &'a RuleConfig,
    /// Configured suppressions.
    pub suppressions: &'a Suppressions,
}

/// One scope's fresh view.
#[derive(Debug, Clone)]
pub struct ScopeUpdate<'a> {
    /// Where it comes from.
    pub origin: &'a Origin,
    /// The account.
    pub account_id: &'a str,
    /// `global` or a region.
    pub scope: &'a str,
    /// The scope's assets, edges and coverage, with their provenance.
    pub fresh: Inventory,
    /// ARNs read again one by one (an event): what of them is gone is gone,
    /// even while their collector's list is not assessed.
    pub reread: BTreeSet<String>,
}

/// What bringing one scope up to date did.
#[derive(Debug)]
pub struct ScopeOutcome {
    /// The scope's view, as stored.
    pub fresh: Inventory,
    /// Findings observed on the scope's resources.
    pub observed: usize,
    /// Findings whose state changed.
    pub changed: u64,
}

/// How many times one view is judged against the account when other scopes
/// keep changing under it (each pass reads the account again).
const MAX_PASSES: usize = 3;

/// Brings the store up to date with a fresh view of one scope (see the
/// module docs); `snapshot` is the account as stored before.
///
/// An account's scope tasks run at once: two of them may both read the
/// account before either wrote, and each would then judge its view without
/// the other's (a regional job reading a global bucket: neither sees both).
/// So after writing, the account is read again; if another scope's parts
/// changed since `snapshot`, the view is judged again on the new read. Of
/// any two tasks, the one that wrote second reads after the other's write,
/// so findings across scopes appear whatever the timing.
pub async fn reconcile<S: Snapshots + FindingWrites>(
    store: &S,
    settings: Settings<'_>,
    snapshot: &AccountSnapshot,
    update: ScopeUpdate<'_>,
) -> Result<ScopeOutcome, StoreError> {
    let (account_id, scope) = (update.account_id, update.scope);
    let mut current = std::borrow::Cow::Borrowed(snapshot);
    let mut changed = 0;
    let mut pass = 1;
    loop {
        let outcome = reconcile_once(store, settings, &current, update.clone()).await?;
        changed += outcome.changed;
        let now = store.account(account_id).await?;
        if pass == MAX_PASSES || others(&now, scope) == others(&current, scope) {
            return Ok(ScopeOutcome { changed, ..outcome });
        }
        current = std::borrow::Cow::Owned(now);
        pass += 1;
    }
}

/// The parts of the account's other scopes, by key and content.
fn others<'a>(snapshot: &'a AccountSnapshot, scope: &str) -> BTreeSet<(&'a str, &'a str)> {
    snapshot
        .items
        .iter()
        .filter(|i| i.scope != scope)
        .map(|i| (i.sk.as_str(), i.hash.as_str()))
        .collect()
}

/// One pass of [`reconcile`] on one read of the account.
async fn reconcile_once<S: Snapshots + FindingWrites>(
    store: &S,
    settings: Settings<'_>,
    snapshot: &AccountSnapshot,
    update: ScopeUpdate<'_>,
) -> Result<ScopeOutcome, StoreError> {
    let ScopeUpdate {
        origin,
        account_id,
        scope,
        mut fresh,
        reread,
    } = update;
    let global = scope == GLOBAL_REGION;
    let at = origin.at().to_string();
    let label = origin.label();
    view::carry_event_facts(&mut fresh, snapshot);
    // Overlapping writers: what the store learned later than this view was
    // true wins (see `view::keep_later_observations`; the store's writes are
    // conditional on it too).
    view::keep_later_observations(&mut fresh, snapshot, scope, &at);

    // The scope's fresh parts, and the rest of the account from the store, so
    // rules see the whole account graph.
    let mut fresh_items: Vec<SnapshotItem> = view::snapshot_items(scope, &fresh)
        .into_iter()
        .map(|i| i.observed(&at))
        .collect();
    let mut merged = fresh.clone();
    for it in snapshot.items.iter().filter(|i| i.scope != scope) {
        match &it.part {
            Part::Asset(a) => merged.assets.push(a.clone()),
            Part::Edge(e) => merged.edges.push(e.clone()),
            Part::Coverage(c) => merged.coverage.push(c.clone()),
        }
    }
    merged.normalise();
    let (findings, rule_coverage) = rules::evaluate(&merged, settings.rules, origin.at());
    // Rule gaps of this scope are kept with its coverage (metrics count them).
    fresh_items.extend(
        rule_coverage.iter().filter(|c| c.region == scope).map(|c| {
            SnapshotItem::new(scope, &c.collector, Part::Coverage(c.clone())).observed(&at)
        }),
    );
    let in_scope: BTreeSet<&str> = fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    let (observed, foreign): (Vec<_>, Vec<_>) = findings
        .into_iter()
        .partition(|f| in_scope.contains(f.resource_arn.as_str()));
    let blocked: BTreeSet<String> = rule_coverage
        .iter()
        .filter(|c| global || c.region == scope || c.region == GLOBAL_REGION)
        .filter_map(|c| c.collector.strip_prefix("rule:").map(str::to_owned))
        .collect();
    let obs = Observation {
        scope,
        at: &at,
        sweep_id: &label,
        observed: &observed,
        blocked_rules: &blocked,
    };
    let by_id: BTreeMap<&str, &Finding> = observed.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut changed = 0u64;
    // A resource an event read and found gone has nothing left to flag,
    // whatever else its rules could not see.
    let live: BTreeSet<&str> = fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    let unblocked = BTreeSet::new();
    let gone_obs = Observation {
        blocked_rules: &unblocked,
        observed: &[],
        ..obs
    };
    let gone: Vec<FindingState> = snapshot
        .findings
        .iter()
        .filter(|s| {
            s.scope == scope
                && reread.contains(&s.resource_arn)
                && !live.contains(s.resource_arn.as_str())
                && blocked.contains(&s.rule_id)
        })
        .cloned()
        .collect();
    for change in lifecycle::plan(&gone, &gone_obs) {
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, None, &gone_obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }
    for change in lifecycle::plan(&snapshot.findings, &obs) {
        let id = change.state.finding_id.clone();
        let seen = by_id.get(id.as_str()).copied();
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, seen, &obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }

    let blocked_anywhere: BTreeSet<String> = rule_coverage
        .iter()
        .filter_map(|c| c.collector.strip_prefix("rule:").map(str::to_owned))
        .collect();
    changed += foreign::observe(
        store,
        foreign::Foreign {
            origin,
            scope,
            at: &at,
            label: &label,
            snapshot,
            findings: &foreign,
            blocked_anywhere: &blocked_anywhere,
        },
    )
    .await?;
    changed +=
        suppressions::record(store, settings.suppressions, account_id, &at, &observed).await?;

    let assessed: BTreeSet<String> = fresh
        .coverage
        .iter()
        .filter(|c| c.is_assessed())
        .map(|c| c.collector.clone())
        .collect();
    let diff = diff_scope(snapshot, scope, &fresh_items, &assessed, &reread, Some(&at));
    store.write_snapshot(account_id, &diff).await?;

    Ok(ScopeOutcome {
        observed: observed.len(),
        changed,
        fresh,
    })
}

#[cfg(test)]
mod tests;
