//! Bringing tickets in step with the store: for each finding and each sink
//! its routes send it to, the event it owes ([`super::owed`]) is claimed on
//! the finding's link, delivered, and recorded, each write only over the
//! version read. A second sync, a redelivered stream record or a
//! concurrent invocation finds the link in step (or claimed) and sends
//! nothing; a delivery that fails every attempt goes to the dead-letter
//! queue when there is one (and the link remembers it is parked there),
//! else stays owed for the next sync.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use tracing::{info, warn};

use super::config::{Facts, TicketConfig};
use super::http::{Client, HttpError};
use super::sinks::{Target, deliver};
use super::{LINK_KIND, Link, Owed, Pending, link_id, owed};
use crate::model::{Asset, Timestamp};
use crate::store::{
    Applied, FindingFilter, FindingState, JournalHead, Snapshots, Store, StoreError,
};

/// How long a claimed delivery is left to its invocation.
pub const LEASE_SECS: i64 = 300;

/// Where events that failed every attempt go.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    /// The queue.
    pub sqs: aws_sdk_sqs::Client,
    /// Its URL.
    pub queue_url: String,
}

/// What a sync needs besides the store.
pub struct Ticketing<'a> {
    /// The configuration.
    pub config: &'a TicketConfig,
    /// Each sink's secret, by sink name.
    pub secrets: &'a BTreeMap<String, String>,
    /// The outbound client.
    pub client: &'a Client,
    /// The dead-letter queue, if any.
    pub dead_letters: Option<&'a DeadLetters>,
    /// Each account's OUs up to the root, for routes by OU.
    pub ou_paths: &'a BTreeMap<String, Vec<String>>,
}

/// What happened to one (finding, sink).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The finding.
    pub finding_id: String,
    /// The sink.
    pub sink: String,
    /// The event.
    pub event: String,
    /// Its idempotency key.
    pub idempotency_key: String,
    /// `delivered`, `parked` (in the dead-letter queue), `failed` (owed
    /// still), `busy` (another invocation holds it).
    pub outcome: String,
    /// The ticket, when the sink has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything one sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Findings looked at.
    pub findings: usize,
    /// Events delivered, parked, failed or left to another invocation.
    pub deliveries: Vec<Delivery>,
}

impl SyncReport {
    /// Deliveries that ended as `outcome`.
    pub fn count(&self, outcome: &str) -> usize {
        self.deliveries
            .iter()
            .filter(|d| d.outcome == outcome)
            .count()
    }
}

/// A link and the version it was read at.
async fn read_link<S: Store>(store: &S, id: &str) -> Result<Option<(Link, u64)>, StoreError> {
    let Some(head) = store.journal_head(LINK_KIND, id).await? else {
        return Ok(None);
    };
    let link = serde_json::from_value(head.body).map_err(|e| StoreError::Corrupt {
        key: format!("JOURNAL#{LINK_KIND}/{id}"),
        message: e.to_string(),
    })?;
    Ok(Some((link, head.version)))
}

async fn write_link<S: Store>(
    store: &S,
    link: &Link,
    expected: Option<u64>,
    entry: serde_json::Value,
) -> Result<Applied, StoreError> {
    let head = JournalHead {
        id: link_id(&link.finding_id, &link.sink),
        version: expected.map_or(1, |v| v + 1),
        body: serde_json::to_value(link).unwrap_or_default(),
    };
    store
        .journal_write(LINK_KIND, &head, expected, &entry)
        .await
}

/// What routes read of a finding beyond its state (its account's OUs, its
/// resource's tags), the tags read once per account from the stored
/// snapshot and only when a route reads them.
#[derive(Debug, Default)]
pub struct FactCache {
    tags: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

impl FactCache {
    /// The facts of `state`.
    pub async fn facts<S: Store>(
        &mut self,
        store: &S,
        t: &Ticketing<'_>,
        state: &FindingState,
    ) -> Result<Facts, StoreError> {
        let tags = if t.config.uses_tags() {
            if !self.tags.contains_key(&state.account_id) {
                let read = resource_tags(store, &state.account_id).await?;
                self.tags.insert(state.account_id.clone(), read);
            }
            self.tags
                .get(&state.account_id)
                .and_then(|m| m.get(&state.resource_arn))
                .cloned()
                .unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        Ok(Facts {
            ou_path: t.ou_paths.get(&state.account_id).cloned(),
            tags,
        })
    }
}

/// Brings every finding's tickets in step.
pub async fn sync_all<S: Store>(
    store: &S,
    t: &Ticketing<'_>,
    now: Timestamp,
) -> Result<SyncReport, StoreError> {
    let states = store.list(&FindingFilter::default()).await?;
    let mut report = SyncReport::default();
    let mut facts = FactCache::default();
    for state in &states {
        let f = facts.facts(store, t, state).await?;
        report.findings += 1;
        report
            .deliveries
            .extend(sync_finding(store, t, state, &f, now).await?);
    }
    Ok(report)
}

/// Each stored asset's tags, by ARN.
async fn resource_tags<S: Snapshots>(
    store: &S,
    account: &str,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, StoreError> {
    let snap = store.account(account).await?;
    Ok(snap
        .items
        .iter()
        .filter_map(|i| match &i.part {
            crate::store::Part::Asset(a) => Some(a),
            _ => None,
        })
        .map(|a: &Asset| (a.arn.clone(), a.tags.clone()))
        .collect())
}

/// Brings one finding's tickets in step (every sink its routes name, and
/// every sink it was ticketed in before, so a ticket still closes when the
/// finding no longer matches its route).
pub async fn sync_finding<S: Store>(
    store: &S,
    t: &Ticketing<'_>,
    state: &FindingState,
    facts: &Facts,
    now: Timestamp,
) -> Result<Vec<Delivery>, StoreError> {
    let routed = t.config.routes_for(state, facts);
    let mut out = Vec::new();
    if routed.is_empty() {
        return Ok(out);
    }
    let detail = store.detail(&state.account_id, &state.finding_id).await?;
    let history = store.history(&state.account_id, &state.finding_id).await?;
    for (name, sink, route) in routed {
        let id = link_id(&state.finding_id, name);
        let read = read_link(store, &id).await?;
        let (link, version) = match &read {
            Some((l, v)) => (Some(l), Some(*v)),
            None => (None, None),
        };
        let Some(owed) = owed(state, detail.as_ref(), &history, link) else {
            continue;
        };
        let record = |outcome: &str, external_id: Option<String>, error: Option<String>| Delivery {
            finding_id: state.finding_id.clone(),
            sink: name.to_owned(),
            event: owed.event.as_str().to_owned(),
            idempotency_key: owed.idempotency_key.clone(),
            outcome: outcome.to_owned(),
            external_id,
            error,
        };
        if link.is_some_and(|l| l.parked.as_deref() == Some(owed.idempotency_key.as_str())) {
            continue;
        }
        if let Some(p) = link.and_then(|l| l.pending.as_ref())
            && p.key == owed.idempotency_key
            && !lease_over(p, now)
        {
            out.push(record("busy", None, None));
            continue;
        }
        // Claim it: only one invocation gets past this write.
        let mut claimed = link.cloned().unwrap_or_else(|| Link {
            finding_id: state.finding_id.clone(),
            sink: name.to_owned(),
            sink_type: sink.type_name().to_owned(),
            account_id: state.account_id.clone(),
            external_id: None,
            url: None,
            open: false,
            delivered: None,
            events: 0,
            pending: None,
            parked: None,
            last_error: None,
        });
        claimed.pending = Some(Pending {
            key: owed.idempotency_key.clone(),
            since: now.to_string(),
        });
        let entry = json!({"claimed": owed.idempotency_key, "at": now.to_string()});
        if write_link(store, &claimed, version, entry).await? == Applied::Conflict {
            out.push(record("busy", None, None));
            continue;
        }
        let claimed_version = version.map_or(1, |v| v + 1);
        let secret = t.secrets.get(name).map(String::as_str).unwrap_or_default();
        let target = Target {
            name,
            config: sink,
            route,
            secret,
            finding_url: t.config.finding_url.as_deref(),
        };
        let result = deliver(t.client, target, &owed, link, &now.to_string()).await;
        let mut done = claimed;
        done.pending = None;
        let delivery = match result {
            Ok(outcome) => {
                done.delivered = Some(owed.delivered(&now.to_string()));
                done.open = owed.event.leaves_open();
                done.events += 1;
                done.parked = None;
                done.last_error = None;
                if outcome.external_id.is_some() {
                    done.external_id = outcome.external_id;
                }
                if outcome.url.is_some() {
                    done.url = outcome.url;
                }
                info!(finding_id = %state.finding_id, sink = name, event = owed.event.as_str(), "ticket event delivered");
                record("delivered", done.external_id.clone(), None)
            }
            Err(e) => {
                let error = e.to_string();
                warn!(finding_id = %state.finding_id, sink = name, event = owed.event.as_str(), error = %error, "ticket event not delivered");
                done.last_error = Some(error.clone());
                match t.dead_letters {
                    Some(dlq) => match park(dlq, name, &owed, &e).await {
                        Ok(()) => {
                            done.parked = Some(owed.idempotency_key.clone());
                            record("parked", None, Some(error))
                        }
                        Err(q) => record(
                            "failed",
                            None,
                            Some(format!(
                                "{error}; and the dead-letter queue refused it: {q}"
                            )),
                        ),
                    },
                    None => record("failed", None, Some(error)),
                }
            }
        };
        let entry = json!({"outcome": delivery.outcome, "event": owed.event.as_str(),
                           "key": owed.idempotency_key, "at": now.to_string(),
                           "external_id": done.external_id, "error": delivery.error});
        if write_link(store, &done, Some(claimed_version), entry).await? == Applied::Conflict {
            warn!(finding_id = %state.finding_id, sink = name, "ticket link changed while delivering; the next sync reads it again");
        }
        out.push(delivery);
    }
    Ok(out)
}

fn lease_over(p: &Pending, now: Timestamp) -> bool {
    Timestamp::parse(&p.since).map_or(true, |s| now.unix_secs() - s.unix_secs() > LEASE_SECS)
}

/// The dead-letter message of an event.
pub fn dead_letter_body(sink: &str, owed: &Owed, error: &HttpError) -> serde_json::Value {
    json!({
        "finding_id": owed.state.finding_id,
        "account_id": owed.state.account_id,
        "sink": sink,
        "event": owed.event.as_str(),
        "idempotency_key": owed.idempotency_key,
        "error": error.to_string(),
    })
}

async fn park(dlq: &DeadLetters, sink: &str, owed: &Owed, error: &HttpError) -> Result<(), String> {
    dlq.sqs
        .send_message()
        .queue_url(&dlq.queue_url)
        .message_body(dead_letter_body(sink, owed, error).to_string())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| crate::aws::source_chain(&e))
}

/// Every ticket link.
pub async fn links<S: Store>(store: &S) -> Result<Vec<Link>, StoreError> {
    let heads = store.journal_heads(LINK_KIND).await?;
    heads
        .into_iter()
        .map(|h| {
            serde_json::from_value(h.body).map_err(|e| StoreError::Corrupt {
                key: format!("JOURNAL#{LINK_KIND}/{}", h.id),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Redelivers what the dead-letter queue holds: each message's link is
/// unparked and its finding synced again (delivering what it owes now,
/// which is the parked event unless the finding has moved on since); a
/// message is deleted once its finding is in step. Returns the
/// deliveries, and the messages that could not be read.
pub async fn replay<S: Store>(
    store: &S,
    t: &Ticketing<'_>,
    dlq: &DeadLetters,
    now: Timestamp,
) -> Result<(Vec<Delivery>, Vec<String>), StoreError> {
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    // Each event once per replay: one parked again (its sink still down)
    // ends it.
    let mut seen = std::collections::BTreeSet::new();
    let mut cache = FactCache::default();
    'receive: loop {
        let msgs = dlq
            .sqs
            .receive_message()
            .queue_url(&dlq.queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .send()
            .await
            .map_err(|e| {
                StoreError::Aws(crate::aws::CollectError::other(
                    "sqs:ReceiveMessage",
                    crate::model::NotAssessedReason::ApiUnavailable,
                    crate::aws::source_chain(&e),
                ))
            })?;
        let batch = msgs.messages.unwrap_or_default();
        if batch.is_empty() {
            break;
        }
        for m in batch {
            let text = m.body().unwrap_or_default();
            let body: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            let (Some(finding_id), Some(sink)) =
                (body["finding_id"].as_str(), body["sink"].as_str())
            else {
                unreadable.push(text.to_owned());
                continue;
            };
            let key = body["idempotency_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if !seen.insert(key) {
                break 'receive;
            }
            let id = link_id(finding_id, sink);
            if let Some((mut link, v)) = read_link(store, &id).await? {
                link.parked = None;
                let entry = json!({"replayed": body["idempotency_key"], "at": now.to_string()});
                if write_link(store, &link, Some(v), entry).await? == Applied::Conflict {
                    // Changed meanwhile: left for the next replay.
                    continue;
                }
            }
            if let Some(state) = store.finding(finding_id).await? {
                let facts = cache.facts(store, t, &state).await?;
                let ds = sync_finding(store, t, &state, &facts, now).await?;
                out.extend(ds.into_iter().filter(|d| d.sink == sink));
            }
            // Delivered, superseded, or parked again as a new message.
            if let Some(handle) = m.receipt_handle() {
                let _ = dlq
                    .sqs
                    .delete_message()
                    .queue_url(&dlq.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
    Ok((out, unreadable))
}
