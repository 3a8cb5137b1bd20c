//! Views of one scope: the stored parts of a scope as an inventory (what an
//! event re-reads on top of), a fresh view as snapshot items, and the facts
//! only events know carried over to a fresh view.

use std::collections::BTreeMap;

use crate::model::{Asset, Inventory};
use crate::store::{AccountSnapshot, Part, SnapshotItem};

/// Facts only events know (AWS Health reported an access key exposed) are
/// kept on the fresh view of the same asset: collectors cannot see them.
pub fn carry_event_facts(fresh: &mut Inventory, snapshot: &AccountSnapshot) {
    const EVENT_FACTS: &[&str] = &["exposure_reported", "exposure_reported_at"];
    let stored: BTreeMap<&str, &Asset> = snapshot
        .items
        .iter()
        .filter_map(|i| match &i.part {
            Part::Asset(a) => Some((a.arn.as_str(), a)),
            _ => None,
        })
        .collect();
    for a in &mut fresh.assets {
        if let Some(old) = stored.get(a.arn.as_str()) {
            for key in EVENT_FACTS {
                if let Some(v) = old.attributes.get(*key)
                    && !a.attributes.contains_key(*key)
                {
                    a.attributes.insert((*key).to_owned(), v.clone());
                }
            }
        }
    }
}

/// Keeps what the store holds from later observations than `at` (an event
/// that re-read a resource after this sweep's collectors read it, or a
/// later sweep): each such asset replaces the fresh one of the same ARN,
/// with its stored edges instead of the fresh ones from it. The rules then
/// judge the later truth, and the snapshot diff leaves those items alone.
pub fn keep_later_observations(
    fresh: &mut Inventory,
    snapshot: &AccountSnapshot,
    scope: &str,
    at: &str,
) {
    let in_scope = || snapshot.items.iter().filter(|i| i.scope == scope);
    let later: Vec<(&Asset, &str)> = in_scope()
        .filter(|i| i.is_newer_than(at))
        .filter_map(|i| match &i.part {
            Part::Asset(a) => Some((a, i.collector.as_str())),
            _ => None,
        })
        .collect();
    if later.is_empty() {
        return;
    }
    let arns: std::collections::BTreeSet<&str> =
        later.iter().map(|(a, _)| a.arn.as_str()).collect();
    fresh.assets.retain(|a| !arns.contains(a.arn.as_str()));
    fresh.edges.retain(|e| !arns.contains(e.from.as_str()));
    for (a, collector) in later {
        fresh
            .provenance
            .insert(Inventory::asset_key(a), collector.to_owned());
        fresh.assets.push(a.clone());
    }
    for it in in_scope() {
        if let Part::Edge(e) = &it.part
            && arns.contains(e.from.as_str())
        {
            fresh
                .provenance
                .insert(Inventory::edge_key(e), it.collector.clone());
            fresh.edges.push(e.clone());
        }
    }
}

/// A view of `scope` as the items the store keeps, each with its provenance.
pub fn snapshot_items(scope: &str, inv: &Inventory) -> Vec<SnapshotItem> {
    let source = |key: String| {
        inv.provenance
            .get(&key)
            .cloned()
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let mut out = Vec::new();
    for a in &inv.assets {
        out.push(SnapshotItem::new(
            scope,
            &source(Inventory::asset_key(a)),
            Part::Asset(a.clone()),
        ));
    }
    for e in &inv.edges {
        out.push(SnapshotItem::new(
            scope,
            &source(Inventory::edge_key(e)),
            Part::Edge(e.clone()),
        ));
    }
    for c in &inv.coverage {
        out.push(SnapshotItem::new(
            scope,
            &c.collector,
            Part::Coverage(c.clone()),
        ));
    }
    out
}

/// The stored view of one scope, as an inventory with the collectors that
/// produced each part (rule gaps are left out: the evaluation recomputes them).
pub fn stored_scope(snapshot: &AccountSnapshot, scope: &str) -> Inventory {
    let mut inv = Inventory::default();
    for it in snapshot.items.iter().filter(|i| i.scope == scope) {
        match &it.part {
            Part::Asset(a) => {
                inv.provenance
                    .insert(Inventory::asset_key(a), it.collector.clone());
                inv.assets.push(a.clone());
            }
            Part::Edge(e) => {
                inv.provenance
                    .insert(Inventory::edge_key(e), it.collector.clone());
                inv.edges.push(e.clone());
            }
            Part::Coverage(c) if !c.collector.starts_with("rule:") => inv.coverage.push(c.clone()),
            Part::Coverage(_) => {}
        }
    }
    inv
}

/// The rule gaps stored for `accounts` (each scope keeps its own with its
/// coverage), as findings-array elements, optionally of one rule: what
/// `findings list` shows next to the findings so a reader of the store sees
/// what the last scan of each scope could not judge.
pub async fn stored_gaps<S: crate::store::Snapshots>(
    store: &S,
    accounts: &[String],
    rule: Option<&str>,
) -> Result<Vec<crate::model::NotAssessed>, crate::store::StoreError> {
    let mut coverage = Vec::new();
    for account in accounts {
        let snap = store.account(account).await?;
        coverage.extend(snap.items.into_iter().filter_map(|i| match i.part {
            Part::Coverage(c) if c.rule_id().is_some_and(|r| rule.is_none_or(|w| w == r)) => {
                Some(c)
            }
            _ => None,
        }));
    }
    Ok(crate::rules::gaps::records(&coverage))
}
