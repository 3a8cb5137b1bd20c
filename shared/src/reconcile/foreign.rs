//! Findings a view proves about resources of the account's other scopes (an
//! AI workload's role, global, flagged because of a notebook in this
//! region).
//!
//! A sweep's task only opens those the store does not hold yet: everything
//! else about them (last seen, resolution, reopening) stays with the owning
//! scope, whose view of its own resources is fresh, while this task may be
//! reading them from the previous sweep. Whichever of an account's tasks
//! writes last sees the freshest parts of both scopes (the reconciler reads
//! the account again after writing and judges again if another scope
//! changed), so such findings appear in the first sweep whatever order and
//! overlap Lambda runs the tasks in.
//!
//! An event changes one resource against the stored rest of the account, so
//! its view of other scopes is current: findings there it changes (a path
//! over a global bucket that a regional job joins or leaves) are brought up
//! to date, and those it ends are resolved.

use std::collections::{BTreeMap, BTreeSet};

use super::Origin;
use super::lifecycle::{self, Observation};
use crate::model::{Finding, FindingStatus};
use crate::store::{
    AccountSnapshot, FindingDetail, FindingState, FindingWrites, Part, StoreError, apply_with_retry,
};

/// What [`observe`] works from.
pub(super) struct Foreign<'a> {
    pub origin: &'a Origin,
    /// The scope the view is of.
    pub scope: &'a str,
    /// The observation time, as stored.
    pub at: &'a str,
    /// Who observed, as history records it.
    pub label: &'a str,
    pub snapshot: &'a AccountSnapshot,
    /// Findings on resources outside `scope`.
    pub findings: &'a [Finding],
    /// Rules that could not look somewhere in the account.
    pub blocked_anywhere: &'a BTreeSet<String>,
}

/// Applies the foreign findings (see the module docs); returns how many
/// findings changed.
pub(super) async fn observe<S: FindingWrites>(
    store: &S,
    f: Foreign<'_>,
) -> Result<u64, StoreError> {
    let Foreign {
        origin,
        scope: own,
        at,
        label,
        snapshot,
        findings: foreign,
        blocked_anywhere,
    } = f;
    let owner: BTreeMap<&str, &str> = snapshot
        .items
        .iter()
        .filter_map(|i| match &i.part {
            Part::Asset(a) => Some((a.arn.as_str(), i.scope.as_str())),
            _ => None,
        })
        .collect();
    let event = matches!(origin, Origin::Event { .. });
    let none = BTreeSet::new();
    let mut changed = 0;
    let mut plans: Vec<(&str, Option<&FindingState>, Option<&Finding>)> = Vec::new();
    for f in foreign {
        let Some(scope) = owner.get(f.resource_arn.as_str()).copied() else {
            continue;
        };
        let stored = snapshot.findings.iter().find(|s| s.finding_id == f.id);
        if scope == own || (stored.is_some() && !event) {
            continue;
        }
        // Only what the event changed: an open finding with the same detail
        // and risk is left as its own scope last saw it.
        if stored.is_some_and(|s| {
            s.status != FindingStatus::Resolved
                && s.severity == f.severity
                && s.risk_score == f.risk_score
                && s.detail_hash == FindingDetail::of(f).hash()
        }) {
            continue;
        }
        plans.push((scope, stored, Some(f)));
    }
    if event {
        for s in snapshot.findings.iter().filter(|s| {
            s.scope != own
                && s.status != FindingStatus::Resolved
                && !blocked_anywhere.contains(&s.rule_id)
                && owner.contains_key(s.resource_arn.as_str())
                && !foreign.iter().any(|f| f.id == s.finding_id)
        }) {
            plans.push((s.scope.as_str(), Some(s), None));
        }
    }
    for (scope, stored, f) in plans {
        let obs = Observation {
            scope,
            at,
            sweep_id: label,
            observed: f.map(std::slice::from_ref).unwrap_or_default(),
            blocked_rules: &none,
        };
        let Some(change) = lifecycle::plan_one(stored, f, &obs) else {
            continue;
        };
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, f, &obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }
    Ok(changed)
}
