//! Tickets: one ticket per finding that matters, in the tools people work
//! in, kept in step with the finding (opened, updated, closed, reopened).
//!
//! The store's current state decides what each ticket is owed
//! ([`owed`]): a finding routed to a sink ([`config`]) and not ticketed
//! there yet is `opened`; a ticketed one whose severity, risk or evidence
//! changed is `updated`; one resolved, suppressed or accepted is closed
//! (`resolved`, `suppressed`, `risk_accepted`, with the reason); a closed
//! one seen again is `reopened`; a remediation recorded in its history is
//! `remediated` (a comment). Each event carries an idempotency key
//! (finding id, occurrence, event, finding version) that every sink sends
//! on.
//!
//! A ticket link ([`Link`], in the store's journal, kind `ticket`, one per
//! finding and sink) records the external ticket and the last event
//! delivered; it is written only over the version it was read at, so
//! repeated syncs, redelivered stream records and concurrent invocations
//! deliver each event once ([`sync`]).

pub mod config;
pub mod function;
pub mod http;
pub mod jira;
pub mod run;
pub mod servicenow;
pub mod sinks;
pub mod sync;

use serde::{Deserialize, Serialize};

use crate::model::{FindingStatus, Severity};
use crate::store::{EventKind, FindingDetail, FindingEvent, FindingState};

/// The journal kind of ticket links.
pub const LINK_KIND: &str = "ticket";

/// What a ticket is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketEvent {
    /// A finding that matters, first ticketed.
    Opened,
    /// Severity, risk or evidence changed.
    Updated,
    /// No longer observed: the ticket closes.
    Resolved,
    /// Seen again after its ticket closed: the ticket reopens.
    Reopened,
    /// Suppressed by a person: the ticket closes with the reason.
    Suppressed,
    /// Accepted as a risk: the ticket closes with the reason.
    RiskAccepted,
    /// A remediation action changed its resource: a comment.
    Remediated,
}

impl TicketEvent {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Updated => "updated",
            Self::Resolved => "resolved",
            Self::Reopened => "reopened",
            Self::Suppressed => "suppressed",
            Self::RiskAccepted => "risk_accepted",
            Self::Remediated => "remediated",
        }
    }

    /// Whether the ticket is open after this event.
    pub fn leaves_open(self) -> bool {
        !matches!(self, Self::Resolved | Self::Suppressed | Self::RiskAccepted)
    }
}

/// What a link remembers of the finding when an event was delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// The event.
    pub event: TicketEvent,
    /// Its idempotency key.
    pub key: String,
    /// The finding's occurrence then.
    pub occurrence: u32,
    /// Its severity then.
    pub severity: Severity,
    /// Its risk score then.
    pub risk_score: u8,
    /// Its detail's hash then (evidence, remediation, frameworks).
    pub detail_hash: String,
    /// Remediation entries of its history then.
    pub remediations: usize,
    /// When it was delivered.
    pub at: String,
}

/// A finding's ticket in one sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The finding.
    pub finding_id: String,
    /// The sink's name in the configuration.
    pub sink: String,
    /// The sink's type (`generic`, `slack`, `jira`, `pagerduty`, `servicenow`).
    pub sink_type: String,
    /// The account of the finding.
    pub account_id: String,
    /// The ticket's id in the sink (Jira key, ServiceNow sys_id, PagerDuty
    /// dedup key); none for sinks without tickets (webhooks, Slack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// A link to the ticket, when the sink gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether the ticket is open.
    pub open: bool,
    /// The last event delivered (none until the first is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Delivered>,
    /// Events delivered so far.
    pub events: u32,
    /// An event being delivered now by some invocation (its key and since
    /// when): others leave it alone until the lease runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// An event that failed every attempt and waits in the dead-letter
    /// queue (its key): syncs leave it to `aispm tickets replay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parked: Option<String>,
    /// The last failure, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// A delivery under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The event's idempotency key.
    pub key: String,
    /// When the delivery started.
    pub since: String,
}

/// The journal id of a finding's link in a sink.
pub fn link_id(finding_id: &str, sink: &str) -> String {
    format!("{finding_id}.{sink}")
}

/// One event owed to a sink, with everything a sink writes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    /// The event.
    pub event: TicketEvent,
    /// finding id : occurrence : event : finding version.
    pub idempotency_key: String,
    /// The finding.
    pub state: FindingState,
    /// Its detail, when stored.
    pub detail: Option<FindingDetail>,
    /// Why it closed (suppressed, risk accepted), or the remediation
    /// recorded (remediated).
    pub note: Option<String>,
    /// Remediation entries of its history the link will have told once
    /// this event is delivered.
    pub remediations: usize,
}

impl Owed {
    /// What a link records once this event is delivered.
    pub fn delivered(&self, at: &str) -> Delivered {
        Delivered {
            event: self.event,
            key: self.idempotency_key.clone(),
            occurrence: self.state.occurrence,
            severity: self.state.severity,
            risk_score: self.state.risk_score,
            detail_hash: self.state.detail_hash.clone(),
            remediations: self.remediations,
            at: at.to_owned(),
        }
    }

    /// The finding as `aispm scan --format json` shows it (`id`, its
    /// evidence, remediation and frameworks), with `first_seen`,
    /// `last_seen`, `occurrence` and, when `url` is given, its `url`.
    pub fn finding_json(&self, url: Option<&str>) -> serde_json::Value {
        let st = &self.state;
        let mut v = serde_json::json!({
            "id": st.finding_id,
            "rule_id": st.rule_id,
            "title": st.title,
            "severity": st.severity,
            "risk_score": st.risk_score,
            "status": st.status,
            "account_id": st.account_id,
            "region": st.region,
            "resource_arn": st.resource_arn,
            "resource_type": st.resource_type,
            "first_seen": st.first_seen,
            "last_seen": st.last_seen,
            "occurrence": st.occurrence,
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(k) = &st.access_key_id {
                o.insert("access_key_id".into(), k.clone().into());
            }
            if let Some(d) = &self.detail
                && let Ok(serde_json::Value::Object(detail)) = serde_json::to_value(d)
            {
                o.extend(detail);
            }
            if let Some(u) = url {
                o.insert("url".into(), u.replace("{id}", &st.finding_id).into());
            }
        }
        v
    }

    /// The first evidence item, as `source field = value`, for short
    /// messages.
    pub fn top_evidence(&self) -> Option<String> {
        let e = self.detail.as_ref()?.evidence.first()?;
        let value = match &e.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some(format!("{} {} = {}", e.source, e.field, value))
    }
}

/// The remediation statuses a ticket is told of: a change made, checked,
/// failed or undone, or one waiting for a person's approval (dry runs and
/// skips change nothing).
const TOLD: [&str; 5] = [
    "awaiting_approval",
    "applied",
    "verified",
    "failed",
    "rolled_back",
];

/// The status in a remediation note of a finding's history
/// (`<action> <action id>: <status>[ (<reason>)]`).
pub fn remediation_status(note: &str) -> Option<&str> {
    let (_, rest) = note.split_once(": ")?;
    rest.split([' ', '(']).next().filter(|s| !s.is_empty())
}

/// The event a finding owes its ticket in one sink, given the link (if it
/// was ticketed there) and the finding's history: none when the ticket is
/// in step.
pub fn owed(
    state: &FindingState,
    detail: Option<&FindingDetail>,
    history: &[FindingEvent],
    link: Option<&Link>,
) -> Option<Owed> {
    let remediation_events: Vec<&FindingEvent> = history
        .iter()
        .filter(|e| e.kind == EventKind::Remediation)
        .filter(|e| {
            e.note
                .as_deref()
                .and_then(remediation_status)
                .is_some_and(|s| TOLD.contains(&s))
        })
        .collect();
    let remediations = remediation_events.len();
    let open = state.status == FindingStatus::Open;
    let delivered = link.and_then(|l| l.delivered.as_ref().map(|d| (l, d)));
    let event = match delivered {
        None => open.then_some(TicketEvent::Opened)?,
        Some((l, _)) if !l.open => open.then_some(TicketEvent::Reopened)?,
        Some((_, d)) => match state.status {
            FindingStatus::Resolved => TicketEvent::Resolved,
            FindingStatus::Suppressed => TicketEvent::Suppressed,
            FindingStatus::RiskAccepted => TicketEvent::RiskAccepted,
            FindingStatus::Open => {
                if d.severity != state.severity
                    || d.risk_score != state.risk_score
                    || d.detail_hash != state.detail_hash
                    || d.occurrence != state.occurrence
                {
                    TicketEvent::Updated
                } else if remediations > d.remediations {
                    TicketEvent::Remediated
                } else {
                    return None;
                }
            }
        },
    };
    // What the link will have seen: an update or a closing leaves a
    // remediation not yet told for a later comment.
    let seen = match (event, delivered) {
        (TicketEvent::Remediated | TicketEvent::Opened | TicketEvent::Reopened, _) | (_, None) => {
            remediations
        }
        (_, Some((_, d))) => d.remediations.min(remediations),
    };
    let note = match event {
        TicketEvent::Suppressed | TicketEvent::RiskAccepted => {
            state.disposition.as_ref().map(|d| d.reason.clone())
        }
        TicketEvent::Remediated => remediation_events.last().and_then(|e| e.note.clone()),
        _ => None,
    };
    Some(Owed {
        event,
        idempotency_key: format!(
            "{}:{}:{}:{}",
            state.finding_id,
            state.occurrence,
            event.as_str(),
            state.version
        ),
        state: state.clone(),
        detail: detail.cloned(),
        note,
        remediations: seen,
    })
}

#[cfg(test)]
mod tests;
