//! Re-reading a resource of a spec's kind into the stored view of its scope:
//! the whole resource with the spec's reader, its own configuration with the
//! spec's `refresh`, or one part with the call's part reader. A resource
//! found gone is dropped.

use tracing::info;

use crate::collect::spec::{ResourceSpec, of_type};
use crate::collect::{Batch, Ctx, EventCalls, SPECS};
use crate::model::Inventory;
use crate::pipeline::PipelineError;

/// Re-reads what `calls` changed on the resource `id` names; returns its
/// ARN.
pub(super) async fn resource(
    ctx: &Ctx,
    fresh: &mut Inventory,
    spec: &ResourceSpec,
    calls: &EventCalls,
    id: &str,
) -> Result<Option<String>, PipelineError> {
    let Some(read) = spec.read else {
        info!(
            collector = spec.id,
            "kind has no single-resource reader; the next sweep reads it"
        );
        return Ok(None);
    };
    let (parent, child) = match (calls.part, id.split_once('/')) {
        (Some(_), Some((p, c))) => (p, Some(c)),
        _ => (id, None),
    };
    let find = |fresh: &Inventory, arn: Option<&str>| {
        fresh.assets.iter().position(|a| {
            Some(a.asset_type) == spec.asset_type
                && (Some(a.arn.as_str()) == arn || spec.names(a, parent))
        })
    };
    let stored = find(fresh, None);
    let part = calls.part.or(spec.refresh);
    let current = match (part, stored) {
        // A part of a stored resource: the rest is kept as stored.
        (Some(part), Some(i)) => {
            let stored = take(fresh, i);
            let arn = stored.assets.first().map(|a| a.arn.clone());
            let current = part(ctx, parent, child, stored).await?;
            return Ok(replace(fresh, None, current, spec.id).or(arn));
        }
        _ => read(ctx, parent).await?,
    };
    let arn = current
        .as_ref()
        .and_then(|b| b.assets.first())
        .map(|a| a.arn.clone());
    let stored = stored.or_else(|| find(fresh, arn.as_deref()));
    Ok(replace(fresh, stored, current, spec.id))
}

/// Re-reads the stored resource whose tags a call changed (`arn`) with its
/// kind's spec; a resource not stored yet is left to the next sweep.
pub(super) async fn tagged(
    ctx: &Ctx,
    fresh: &mut Inventory,
    arn: &str,
) -> Result<Option<String>, PipelineError> {
    let found = fresh
        .assets
        .iter()
        .find(|a| a.arn.eq_ignore_ascii_case(arn))
        .and_then(|a| {
            let spec = of_type(SPECS, a.asset_type)?;
            Some((spec, (spec.key)(a)?))
        });
    let Some((spec, id)) = found else {
        info!(
            arn,
            "tagged resource not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    const WHOLE: EventCalls = EventCalls {
        source: "",
        names: &[],
        id: &[],
        part: None,
    };
    resource(ctx, fresh, spec, &WHOLE, &id).await
}

/// Removes a stored asset and its outgoing edges from the view, as a batch.
fn take(fresh: &mut Inventory, i: usize) -> Batch {
    let asset = fresh.assets.remove(i);
    let (edges, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut fresh.edges)
        .into_iter()
        .partition(|e| e.from == asset.arn);
    fresh.edges = rest;
    Batch::one(asset, edges)
}

/// Puts a re-read batch in place of the stored asset (whose edges are
/// dropped), or drops the stored one when the resource is gone; returns the
/// resource's ARN. A side read's failure replaces the scope's record for it
/// (a success leaves the record, which may speak for other resources).
pub(super) fn replace(
    fresh: &mut Inventory,
    stored: Option<usize>,
    current: Option<Batch>,
    collector: &str,
) -> Option<String> {
    let mut arn = None;
    if let Some(i) = stored {
        let old = fresh.assets.remove(i);
        fresh.edges.retain(|e| e.from != old.arn);
        arn = Some(old.arn);
    }
    let Some(batch) = current else {
        return arn;
    };
    for e in batch.edges {
        fresh
            .provenance
            .insert(Inventory::edge_key(&e), collector.to_owned());
        fresh.edges.push(e);
    }
    for c in batch.coverage.into_iter().filter(|c| c.reason.is_some()) {
        fresh.coverage.retain(|x| x.collector != c.collector);
        fresh.coverage.push(c);
    }
    for a in batch.assets {
        fresh
            .provenance
            .insert(Inventory::asset_key(&a), collector.to_owned());
        arn = Some(a.arn.clone());
        fresh.assets.push(a);
    }
    arn
}
