//! The findings table's stream, as the deployed remediate function gets it:
//! which findings to plan remediation for. A finding state item (`F#...`)
//! triggers when its new image is open and it was inserted (opened),
//! reopened (its old image was not open) or changed in severity or risk.
//! Other changes (`last_seen` moving, a remediation noted in its history)
//! and other items (assets, edges, the audit itself) do not, so the
//! function never feeds itself.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use serde::Deserialize;
use tracing::debug;

/// What the trigger reads of a finding state image.
#[derive(Debug, Default, Deserialize)]
struct Image {
    #[serde(default)]
    sk: Option<String>,
    #[serde(default)]
    finding_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    risk_score: Option<u8>,
}

fn image(item: &serde_dynamo::Item) -> Image {
    serde_dynamo::from_item(item.clone()).unwrap_or_default()
}

/// The finding a record triggers remediation for, if any.
fn trigger(r: &EventRecord) -> Option<String> {
    if !matches!(r.event_name.as_str(), "INSERT" | "MODIFY") {
        return None;
    }
    let new = image(&r.change.new_image);
    if !new.sk.as_deref().is_some_and(|s| s.starts_with("F#")) {
        return None;
    }
    if new.status.as_deref() != Some("open") {
        return None;
    }
    let id = new.finding_id.clone()?;
    if r.event_name == "INSERT" {
        return Some(id);
    }
    let old = image(&r.change.old_image);
    let reopened = old.status.as_deref() != Some("open");
    let changed = old.severity != new.severity || old.risk_score != new.risk_score;
    (reopened || changed).then_some(id)
}

/// The findings a stream batch triggers remediation for, each once, in
/// batch order.
pub fn triggers(event: &Event) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &event.records {
        match trigger(r) {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {}
            None => debug!(event_id = %r.event_id, "stream record does not trigger remediation"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        serde_json::from_str(include_str!(
            "../../../events/dynamodb/findings-stream-batch.json"
        ))
        .unwrap()
    }

    #[test]
    fn opened_and_reopened_findings_trigger_and_nothing_else_does() {
        assert_eq!(
            triggers(&sample()),
            [
                "512d439f54f62bcc7d46c80caf0eb314",
                "1679091c5a880faf6fb5e6087eb1b2dc"
            ]
        );
    }

    #[test]
    fn a_severity_change_triggers_and_a_resolution_or_removal_does_not() {
        let mut e = sample();
        e.records.truncate(2);
        let mut raw = serde_json::to_value(&e).unwrap();
        raw["Records"][1]["dynamodb"]["NewImage"]["severity"] =
            serde_json::json!({"S": "critical"});
        let e: Event = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(triggers(&e).len(), 2);
        raw["Records"][1]["dynamodb"]["NewImage"]["status"] = serde_json::json!({"S": "resolved"});
        raw["Records"][0]["eventName"] = serde_json::json!("REMOVE");
        let e: Event = serde_json::from_value(raw).unwrap();
        assert!(triggers(&e).is_empty());
    }
}
