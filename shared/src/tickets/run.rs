//! What the `ticket` function and `aispm tickets` share: reading the
//! configuration's secrets, the client, the dead-letter queue and the
//! accounts' OUs once, then syncing all findings or those a stream batch
//! touched.

use std::collections::{BTreeMap, BTreeSet};

use aws_lambda_events::dynamodb::{Event, EventRecord};
use thiserror::Error;
use tracing::debug;

use super::config::{ConfigError, TicketConfig};
use super::http::{Client, HttpError, Retry};
use super::sinks::{SecretError, read_secret};
use super::sync::{
    DeadLetters, Delivery, FactCache, SyncReport, Ticketing, replay, sync_all, sync_finding,
};
use crate::aws::RequestCounter;
use crate::model::Timestamp;
use crate::store::{FindingFilter, Store, StoreError};

/// Why tickets could not be synced at all.
#[derive(Debug, Error)]
pub enum TicketError {
    /// The configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A secret.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The outbound client.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Everything a sync needs, read once.
pub struct Runner {
    config: TicketConfig,
    secrets: BTreeMap<String, String>,
    client: Client,
    dead_letters: Option<DeadLetters>,
    ou_paths: BTreeMap<String, Vec<String>>,
    sdk: aws_types::SdkConfig,
}

impl Runner {
    /// Reads every sink's secret (Secrets Manager through `sdk`, for
    /// `secret_arn`) and sets up the client and the dead-letter queue.
    pub async fn new(
        sdk: &aws_types::SdkConfig,
        config: TicketConfig,
        dead_letter_queue_url: Option<String>,
        retry: Retry,
    ) -> Result<Self, TicketError> {
        let sm = config
            .sinks
            .values()
            .any(|s| s.secret().secret_arn.is_some())
            .then(|| aws_sdk_secretsmanager::Client::new(sdk));
        let mut secrets = BTreeMap::new();
        for (name, sink) in &config.sinks {
            secrets.insert(
                name.clone(),
                read_secret(name, &sink.secret(), sm.as_ref()).await?,
            );
        }
        let dead_letters = dead_letter_queue_url.map(|queue_url| DeadLetters {
            sqs: aws_sdk_sqs::Client::new(sdk),
            queue_url,
        });
        Ok(Self {
            config,
            secrets,
            client: Client::new(retry)?,
            dead_letters,
            ou_paths: BTreeMap::new(),
            sdk: sdk.clone(),
        })
    }

    fn ticketing(&self) -> Ticketing<'_> {
        Ticketing {
            config: &self.config,
            secrets: &self.secrets,
            client: &self.client,
            dead_letters: self.dead_letters.as_ref(),
            ou_paths: &self.ou_paths,
        }
    }

    /// Reads where `accounts` sit in the organization, when a route is by
    /// OU (an account whose place cannot be read matches no such route).
    async fn place(&mut self, accounts: BTreeSet<&str>) {
        if !self.config.uses_ous() {
            return;
        }
        let missing: BTreeSet<&str> = accounts
            .into_iter()
            .filter(|a| !self.ou_paths.contains_key(*a))
            .collect();
        if missing.is_empty() {
            return;
        }
        let found =
            crate::remediate::placement::ou_paths(&self.sdk, &RequestCounter::new(), &missing)
                .await;
        self.ou_paths.extend(found);
    }

    /// Brings every stored finding's tickets in step.
    pub async fn sync<S: Store>(
        &mut self,
        store: &S,
        now: Timestamp,
    ) -> Result<SyncReport, TicketError> {
        if self.config.uses_ous() {
            let states = store.list(&FindingFilter::default()).await?;
            let accounts: BTreeSet<&str> = states.iter().map(|s| s.account_id.as_str()).collect();
            self.place(accounts).await;
        }
        Ok(sync_all(store, &self.ticketing(), now).await?)
    }

    /// Brings the tickets of the findings `ids` in step (those a stream
    /// batch touched); a finding that is gone is skipped.
    pub async fn sync_ids<S: Store>(
        &mut self,
        store: &S,
        ids: &[String],
        now: Timestamp,
    ) -> Result<Vec<Delivery>, TicketError> {
        let mut states = Vec::new();
        for id in ids {
            match store.finding(id).await? {
                Some(s) => states.push(s),
                None => debug!(finding_id = %id, "finding not in the store; nothing to ticket"),
            }
        }
        self.place(states.iter().map(|s| s.account_id.as_str()).collect())
            .await;
        let mut out = Vec::new();
        let t = self.ticketing();
        let mut facts = FactCache::default();
        for state in &states {
            let f = facts.facts(store, &t, state).await?;
            out.extend(sync_finding(store, &t, state, &f, now).await?);
        }
        Ok(out)
    }

    /// Redelivers the dead-letter queue ([`replay`]).
    pub async fn replay<S: Store>(
        &mut self,
        store: &S,
        now: Timestamp,
    ) -> Result<(Vec<Delivery>, Vec<String>), TicketError> {
        let Some(dlq) = self.dead_letters.clone() else {
            return Err(TicketError::Config(ConfigError(
                "replay needs the dead-letter queue".to_owned(),
            )));
        };
        Ok(replay(store, &self.ticketing(), &dlq, now).await?)
    }
}

/// The findings a stream batch of the findings table touched: a finding
/// state written (`F#<id>`) or a remediation noted in its history
/// (`H#<id>#<time>#remediation`), each once, in batch order.
pub fn touched(event: &Event) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in event.records.iter().filter_map(touched_by) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The finding one stream record touches, if any.
pub fn touched_by(r: &EventRecord) -> Option<String> {
    if !matches!(r.event_name.as_str(), "INSERT" | "MODIFY") {
        return None;
    }
    let sk = match r.change.keys.get("sk") {
        Some(serde_dynamo::AttributeValue::S(s)) => s.as_str(),
        _ => return None,
    };
    if let Some(id) = sk.strip_prefix("F#") {
        return (r.event_name == "INSERT" || !only_seen_again(r)).then(|| id.to_owned());
    }
    let rest = sk.strip_prefix("H#")?;
    rest.ends_with("#remediation")
        .then(|| rest.split('#').next().map(str::to_owned))
        .flatten()
}

/// Whether a finding state's change is only a sweep seeing it again (its
/// `last_seen` and version moved, nothing a ticket shows did): no ticket
/// can owe anything for it.
fn only_seen_again(r: &EventRecord) -> bool {
    let strip = |item: &serde_dynamo::Item| {
        let mut m: std::collections::HashMap<String, serde_dynamo::AttributeValue> =
            item.clone().into();
        m.remove("last_seen");
        m.remove("version");
        m
    };
    let (old, new) = (&r.change.old_image, &r.change.new_image);
    !old.is_empty() && strip(old) == strip(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_batch_touches_findings_written_or_remediated() {
        let e: Event = serde_json::from_str(include_str!(
            "../../../events/dynamodb/findings-stream-batch.json"
        ))
        .unwrap();
        let ids = touched(&e);
        assert!(!ids.is_empty());
        let mut raw = serde_json::to_value(&e).unwrap();
        for r in raw["Records"].as_array_mut().unwrap() {
            r["dynamodb"]["Keys"]["sk"] = serde_json::json!({"S": "A#us-east-1#arn:aws:s3:::b"});
        }
        let e: Event = serde_json::from_value(raw.clone()).unwrap();
        assert!(touched(&e).is_empty(), "assets do not touch findings");
        raw["Records"][0]["dynamodb"]["Keys"]["sk"] =
            serde_json::json!({"S": "H#abc#2026-12-01T00:00:00Z#remediation"});
        raw["Records"][1]["dynamodb"]["Keys"]["sk"] =
            serde_json::json!({"S": "H#def#2026-12-01T00:00:00Z#opened"});
        let e: Event = serde_json::from_value(raw).unwrap();
        assert_eq!(touched(&e), ["abc"]);
    }

    #[test]
    fn a_sweep_that_only_sees_a_finding_again_touches_nothing() {
        let e: Event = serde_json::from_str(include_str!(
            "../../../events/dynamodb/findings-stream-batch.json"
        ))
        .unwrap();
        let mut raw = serde_json::to_value(&e).unwrap();
        let r = &mut raw["Records"][1];
        assert_eq!(r["eventName"], "MODIFY");
        let id = r["dynamodb"]["Keys"]["sk"]["S"]
            .as_str()
            .unwrap()
            .trim_start_matches("F#")
            .to_owned();
        r["dynamodb"]["NewImage"] = r["dynamodb"]["OldImage"].clone();
        r["dynamodb"]["NewImage"]["last_seen"] = serde_json::json!({"S": "2026-12-09T00:00:00Z"});
        r["dynamodb"]["NewImage"]["version"] = serde_json::json!({"N": "99"});
        let one = |raw: &serde_json::Value| {
            let mut e: Event = serde_json::from_value(raw.clone()).unwrap();
            e.records = vec![e.records[1].clone()];
            touched(&e)
        };
        assert!(one(&raw).is_empty(), "only last_seen and version moved");
        raw["Records"][1]["dynamodb"]["NewImage"]["risk_score"] = serde_json::json!({"N": "91"});
        assert_eq!(one(&raw), [id]);
    }
}
