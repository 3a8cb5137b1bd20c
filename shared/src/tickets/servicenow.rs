//! ServiceNow (Table API, basic auth): an incident per finding whose
//! `correlation_id` is the finding id (a query on it finds the incident
//! again, so a retry or a lost link never makes a second one); updates,
//! remediations and reasons are work notes carrying the event's
//! idempotency key (a note already holding it is not written again);
//! resolving sets state 6 (Resolved) with close notes, reopening state 1
//! (New).

use serde_json::{Value, json};

use super::config::ServiceNowSink;
use super::http::{Client, HttpError};
use super::sinks::{BasicApi, Outcome, SinkError, Target, event_words, headline, truncate};
use super::{Link, Owed, TicketEvent};
use crate::model::Severity;

/// Impact and urgency (1 high .. 3 low) for a severity.
fn impact_urgency(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Critical => ("1", "1"),
        Severity::High => ("1", "2"),
        Severity::Medium => ("2", "2"),
        Severity::Low | Severity::Informational => ("3", "3"),
    }
}

/// The sink's API.
struct Api<'a>(BasicApi<'a>);

impl Api<'_> {
    /// The incident correlated with the finding: its sys_id and state.
    async fn find(&self, finding_id: &str) -> Result<Option<(String, String)>, SinkError> {
        let path = format!(
            "/api/now/table/incident?sysparm_query=correlation_id%3D{finding_id}&sysparm_fields=sys_id%2Cnumber%2Cstate&sysparm_limit=1"
        );
        let v = self.0.ok("GET", &path, None).await?;
        let Some(row) = v["result"].as_array().and_then(|a| a.first()) else {
            return Ok(None);
        };
        let id = row["sys_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| unexpected(&v))?;
        Ok(Some((
            id,
            row["state"].as_str().unwrap_or_default().to_owned(),
        )))
    }

    async fn create(
        &self,
        sink: &ServiceNowSink,
        target: Target<'_>,
        owed: &Owed,
    ) -> Result<String, SinkError> {
        let st = &owed.state;
        let (impact, urgency) = impact_urgency(st.severity);
        let mut description = format!(
            "{} ({}), risk {}\nResource: {} ({} / {})",
            st.title, st.rule_id, st.risk_score, st.resource_arn, st.account_id, st.region
        );
        if let Some(e) = owed.top_evidence() {
            description.push_str(&format!("\nEvidence: {}", truncate(&e, 2000)));
        }
        if let Some(u) = target.finding_url {
            description.push_str(&format!("\naispm: {}", u.replace("{id}", &st.finding_id)));
        }
        let mut body = json!({
            "short_description": truncate(&headline(owed), 160),
            "description": description,
            "correlation_id": st.finding_id,
            "correlation_display": "aispm",
            "impact": impact,
            "urgency": urgency,
            "work_notes": format!("Opened by aispm · key {}", owed.idempotency_key),
        });
        if let (Some(o), Some(g)) = (
            body.as_object_mut(),
            target
                .route
                .queue
                .as_ref()
                .or(sink.assignment_group.as_ref()),
        ) {
            o.insert("assignment_group".into(), g.clone().into());
        }
        let v = self
            .0
            .ok("POST", "/api/now/table/incident", Some(&body))
            .await?;
        v["result"]["sys_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| unexpected(&v))
    }

    /// Whether a work note of the incident already carries `key`.
    async fn noted(&self, sys_id: &str, key: &str) -> Result<bool, SinkError> {
        let path = format!(
            "/api/now/table/incident/{sys_id}?sysparm_fields=work_notes&sysparm_display_value=true"
        );
        let v = self.0.ok("GET", &path, None).await?;
        Ok(v["result"]["work_notes"]
            .as_str()
            .is_some_and(|n| n.contains(key)))
    }

    async fn patch(&self, sys_id: &str, body: &Value) -> Result<(), SinkError> {
        let path = format!("/api/now/table/incident/{sys_id}");
        self.0.ok("PATCH", &path, Some(body)).await?;
        Ok(())
    }
}

fn unexpected(v: &Value) -> SinkError {
    SinkError::Final(HttpError::Invalid(format!(
        "ServiceNow answered without an incident sys_id: {}",
        truncate(&v.to_string(), 300)
    )))
}

/// One try of delivering `owed` to ServiceNow.
pub(super) async fn deliver_once(
    client: &Client,
    sink: &ServiceNowSink,
    target: Target<'_>,
    owed: &Owed,
    link: Option<&Link>,
) -> Result<Outcome, SinkError> {
    let api = Api(BasicApi::new(client, &sink.url, &sink.user, target.secret));
    let base = api.0.base.clone();
    let sys_id = match link.and_then(|l| l.external_id.clone()) {
        Some(id) => id,
        None => match api.find(&owed.state.finding_id).await? {
            Some((id, _)) => id,
            None if matches!(owed.event, TicketEvent::Opened | TicketEvent::Reopened) => {
                let id = api.create(sink, target, owed).await?;
                return Ok(outcome(&base, id));
            }
            None => {
                return Err(SinkError::Final(HttpError::Invalid(format!(
                    "no ServiceNow incident has correlation_id {}",
                    owed.state.finding_id
                ))));
            }
        },
    };
    if owed.event == TicketEvent::Opened || api.noted(&sys_id, &owed.idempotency_key).await? {
        return Ok(outcome(&base, sys_id));
    }
    let note = format!("{} · aispm key {}", event_words(owed), owed.idempotency_key);
    let (impact, urgency) = impact_urgency(owed.state.severity);
    let body = match owed.event {
        TicketEvent::Opened => return Ok(outcome(&base, sys_id)),
        TicketEvent::Updated => {
            json!({"work_notes": note, "impact": impact, "urgency": urgency})
        }
        TicketEvent::Remediated => json!({"work_notes": note}),
        TicketEvent::Resolved | TicketEvent::Suppressed | TicketEvent::RiskAccepted => json!({
            "state": "6",
            "close_code": if owed.event == TicketEvent::Resolved { "Solved (Permanently)" } else { "Closed/Resolved by Caller" },
            "close_notes": event_words(owed),
            "work_notes": note,
        }),
        TicketEvent::Reopened => json!({"state": "1", "work_notes": note}),
    };
    api.patch(&sys_id, &body).await?;
    Ok(outcome(&base, sys_id))
}

fn outcome(base: &str, sys_id: String) -> Outcome {
    Outcome {
        url: Some(format!(
            "{base}/nav_to.do?uri=incident.do%3Fsys_id%3D{sys_id}"
        )),
        external_id: Some(sys_id),
    }
}
