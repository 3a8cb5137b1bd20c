//! Event triggers: an API call seen by CloudTrail, or an AWS Health
//! credentials-exposed event, rescans exactly what it changed.
//!
//! [`parse`] reads the EventBridge envelope; [`map`] says which resource the
//! call changed (most calls are declared by the resource specs of
//! `collect/`, the rest are [`map::SPECIAL`]); [`handle`] enters the account
//! through the scanner role, re-reads only that resource (reading current
//! state, never trusting the payload) on top of the stored view of its
//! scope, and hands the view to the reconciler ([`crate::reconcile`]) with
//! an event origin, so findings follow the same lifecycle as sweeps.
//! Findings that depend on the resource (attack paths over it, jobs that
//! read a bucket) are re-evaluated with it, because rules run over the whole
//! stored account graph.
//!
//! Each event reads current state and is applied at the time of the change
//! it reports, with the sweeps' lifecycle (an observation older than the
//! stored one changes nothing): the same event twice, or two events in
//! reverse order, leave the store as one ordered delivery would.

pub mod map;
mod parse;
mod reread;
mod special;

use std::collections::BTreeSet;

use serde_json::Value;
use tracing::{debug, info};

use crate::aws::{AwsSettings, Clients, RequestCounter, assume_role, base_config};
use crate::collect::Ctx;
use crate::pipeline::{PipelineConfig, PipelineError};
use crate::reconcile::{Origin, ScopeUpdate, reconcile, view};
use crate::store::{Part, Store};

use map::Route;
pub use parse::{Event, Trigger, parse};

/// What handling an event did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// False for events aispm does not act on.
    pub handled: bool,
    /// The resource re-read.
    pub resource: Option<String>,
    /// AWS requests made (the scanner role included).
    pub requests: u64,
    /// Findings whose state changed.
    pub changed: u64,
}

/// Whether `handle` would act on this event (it parses, is a tracked type,
/// names a mapped call and carries the resource's identifier), decided
/// without any network call; a malformed event is the same error `handle`
/// returns.
pub fn tracked(raw: &Value) -> Result<bool, PipelineError> {
    Ok(resolve(raw)?.is_some())
}

/// The event and the route of its call (`None` for the Health exposure
/// event, which names keys, not a call); `None` for events aispm does not
/// act on.
fn resolve(raw: &Value) -> Result<Option<(Event, Option<Route>)>, PipelineError> {
    let Some(event) = parse(raw)? else {
        debug!("event type not tracked; ignored");
        return Ok(None);
    };
    let route = match &event.trigger {
        Trigger::Api {
            source,
            name,
            request,
            response,
            caller_user,
        } => {
            let Some(call) = map::lookup(source, name) else {
                debug!(source = %source, name = %name, "API call not mapped; ignored");
                return Ok(None);
            };
            Some(map::route(
                call,
                name,
                request,
                response,
                caller_user.as_deref(),
            )?)
        }
        Trigger::CredentialsExposed { .. } => None,
    };
    Ok(Some((event, route)))
}

/// Handles one EventBridge event: parse, look the call up, re-read what it
/// changed on top of the stored view of its scope, and hand that view to
/// the reconciler (see the module docs).
pub async fn handle<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    raw: &Value,
) -> Result<Outcome, PipelineError> {
    let Some((event, route)) = resolve(raw)? else {
        return Ok(Outcome::default());
    };
    let resource = match (&route, &event.trigger) {
        (Some(r), _) => r.resource(),
        (None, Trigger::CredentialsExposed { keys }) => keys.join(","),
        (None, Trigger::Api { .. }) => String::new(),
    };
    let scope = match &route {
        Some(r) => r.scope(&event.region),
        None => crate::model::GLOBAL_REGION.to_owned(),
    };

    if !configured(cfg, &event, &scope) {
        info!(
            account_id = %event.account_id,
            region = %event.region,
            "event of an account or region this scanner does not sweep; ignored"
        );
        return Ok(Outcome::default());
    }
    if let Some(owner) = crate::iam::context::Arn::parse(&resource)
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        && owner != event.account_id
        // AWS managed policies name the account `aws`.
        && owner != "aws"
    {
        return Err(PipelineError::Event(format!(
            "the call names `{resource}` of account {owner}, not the event's account {}",
            event.account_id
        )));
    }

    let counter = RequestCounter::default();
    let ctx = enter(settings, cfg, &event, &counter).await?;
    let snapshot = store.account(&event.account_id).await?;
    let mut fresh = view::stored_scope(&snapshot, &scope);
    let touched = match (&route, &event.trigger) {
        (Some(route), _) => reread(&ctx, &mut fresh, route).await?,
        (None, Trigger::CredentialsExposed { keys }) => {
            special::exposed(&ctx, &mut fresh, keys, event.time).await?
        }
        (None, Trigger::Api { .. }) => None,
    };

    // What the event read again (or found gone): the resource, and whatever
    // of the scope's stored assets its re-read dropped.
    let mut reread: BTreeSet<String> = touched.iter().cloned().collect();
    let live: BTreeSet<&str> = fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    for it in snapshot.items.iter().filter(|i| i.scope == scope) {
        if let Part::Asset(a) = &it.part
            && !live.contains(a.arn.as_str())
        {
            reread.insert(a.arn.clone());
        }
    }
    // Applied at the change's own time: a duplicate or late delivery replays
    // an observation already applied (or older than a later one), so the
    // store ends as one ordered delivery leaves it.
    let origin = Origin::Event {
        id: event.id.clone(),
        at: event.time,
    };
    let outcome = reconcile(
        store,
        cfg.reconcile_settings(),
        &snapshot,
        ScopeUpdate {
            origin: &origin,
            account_id: &event.account_id,
            scope: &scope,
            fresh,
            reread,
        },
    )
    .await?;
    let requests = counter.snapshot().total;
    info!(
        event_id = %event.id,
        resource = %resource,
        requests,
        changed = outcome.changed,
        "event handled"
    );
    Ok(Outcome {
        handled: true,
        resource: touched.or(Some(resource)),
        requests,
        changed: outcome.changed,
    })
}

/// Whether the scanner sweeps the event's account (all of the
/// organization's, or `AISPM_ACCOUNTS`) and region (a global resource's
/// events count wherever IAM delivers them; no regions configured: any).
fn configured(cfg: &PipelineConfig, event: &Event, scope: &str) -> bool {
    let account = cfg
        .accounts
        .as_ref()
        .is_none_or(|a| a.contains(&event.account_id));
    let region = scope == crate::model::GLOBAL_REGION
        || cfg.regions.is_empty()
        || cfg.regions.contains(&event.region);
    account && region
}

/// Re-reads what a routed call changed into the stored view; returns the
/// resource's ARN.
async fn reread(
    ctx: &Ctx,
    fresh: &mut crate::model::Inventory,
    route: &Route,
) -> Result<Option<String>, PipelineError> {
    match route {
        Route::Resource { spec, calls, id } => reread::resource(ctx, fresh, spec, calls, id).await,
        Route::Tags { arn } => reread::tagged(ctx, fresh, arn).await,
        Route::Bucket { action, name } => special::bucket(ctx, fresh, name, *action).await,
        Route::Identity {
            kind,
            part,
            name,
            policy,
        } => special::identity(ctx, fresh, *kind, *part, name, policy.as_deref()).await,
        Route::AccessKeys { user } => special::access_keys(ctx, fresh, user).await,
        Route::ManagedPolicy { arn } => special::policy(ctx, fresh, arn).await,
    }
}

/// Enters the event's account through the scanner role (one sts:AssumeRole).
async fn enter(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    event: &Event,
    counter: &RequestCounter,
) -> Result<Ctx, PipelineError> {
    let base = base_config(settings, &event.region).await;
    let partition = crate::scan::partition_of(&event.region);
    let role_arn = format!(
        "arn:{partition}:iam::{}:role/{}",
        event.account_id, cfg.role_name
    );
    let external_id = cfg.external_id(cfg.external_id_ref.as_deref())?;
    let sdk = assume_role(&base, counter, &role_arn, external_id.as_deref()).await?;
    Ok(Ctx {
        account_id: event.account_id.clone(),
        region: event.region.clone(),
        partition: partition.to_owned(),
        clients: Clients::new(&sdk, &event.region, counter),
        sdk,
        counter: counter.clone(),
        is_management: false,
    })
}
#[cfg(test)]
mod tests;
