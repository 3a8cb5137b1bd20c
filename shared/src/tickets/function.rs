//! The deployed ticket function's logic (its crate only parses the event
//! and calls this): settings from the environment, and one stream batch
//! synced finding by finding.
//!
//! | variable | meaning |
//! |---|---|
//! | `AISPM_TICKET_CONFIG` | the routing configuration's JSON (`docs/tickets.md`); required |
//! | `AISPM_TICKET_DLQ_URL` | the queue events that fail every attempt wait in |
//! | `AISPM_TICKET_ATTEMPTS` | attempts per delivery (default 5) |
//!
//! A delivery that fails is parked in the dead-letter queue and the record
//! succeeds; a finding whose store reads or writes fail reports its first
//! record as a batch item failure, so the stream retries from there (links
//! make the retry deliver nothing twice).

use std::collections::BTreeMap;

use aws_lambda_events::dynamodb::Event;
use serde::Serialize;
use tracing::{error, info};

use super::config::TicketConfig;
use super::http::Retry;
use super::run::{Runner, touched, touched_by};
use super::sync::Delivery;
use crate::model::Timestamp;
use crate::pipeline::PipelineError;
use crate::store::Store;

/// What one invocation did, and the records to retry.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Findings the batch touched.
    pub findings: usize,
    /// Deliveries by outcome.
    pub outcomes: BTreeMap<String, usize>,
    /// The deliveries.
    pub deliveries: Vec<Delivery>,
    /// For the event source mapping (ReportBatchItemFailures).
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

/// A record the stream should retry from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemFailure {
    /// Its sequence number.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// The function, set up once.
pub struct Function {
    runner: tokio::sync::Mutex<Runner>,
}

impl Function {
    /// Reads `AISPM_TICKET_CONFIG` and the rest through `get`; names what
    /// is missing or wrong.
    pub async fn from_env(
        sdk: &aws_types::SdkConfig,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, PipelineError> {
        let text = get("AISPM_TICKET_CONFIG")
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| PipelineError::Config("AISPM_TICKET_CONFIG is not set".to_owned()))?;
        let config = TicketConfig::parse(&text)
            .map_err(|e| PipelineError::Config(format!("AISPM_TICKET_CONFIG: {e}")))?;
        let attempts = match get("AISPM_TICKET_ATTEMPTS").filter(|a| !a.is_empty()) {
            None => Retry::default().attempts,
            Some(a) => a
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=20).contains(n))
                .ok_or_else(|| {
                    PipelineError::Config(format!("AISPM_TICKET_ATTEMPTS: `{a}` is not 1 to 20"))
                })?,
        };
        let dlq = get("AISPM_TICKET_DLQ_URL").filter(|u| !u.is_empty());
        let retry = Retry {
            attempts,
            ..Retry::default()
        };
        let runner = Runner::new(sdk, config, dlq, retry)
            .await
            .map_err(|e| PipelineError::Config(e.to_string()))?;
        Ok(Self {
            runner: tokio::sync::Mutex::new(runner),
        })
    }

    /// Syncs every finding `batch` touched.
    pub async fn handle<S: Store>(&self, store: &S, batch: &Event) -> Summary {
        let ids = touched(batch);
        let mut summary = Summary {
            findings: ids.len(),
            ..Summary::default()
        };
        let mut runner = self.runner.lock().await;
        for id in &ids {
            match runner
                .sync_ids(store, std::slice::from_ref(id), Timestamp::now())
                .await
            {
                Ok(ds) => summary.deliveries.extend(ds),
                Err(e) => {
                    error!(finding_id = %id, error = %crate::aws::source_chain(&e), "ticket sync failed; the stream retries");
                    if let Some(seq) = first_record(batch, id) {
                        summary.batch_item_failures.push(ItemFailure {
                            item_identifier: seq,
                        });
                    }
                }
            }
        }
        for d in &summary.deliveries {
            *summary.outcomes.entry(d.outcome.clone()).or_default() += 1;
        }
        info!(findings = summary.findings, outcomes = ?summary.outcomes, "stream batch synced");
        summary
    }
}

/// The sequence number of the first record touching `id`.
fn first_record(batch: &Event, id: &str) -> Option<String> {
    batch.records.iter().find_map(|r| {
        (touched_by(r).as_deref() == Some(id))
            .then(|| r.change.sequence_number.clone())
            .flatten()
    })
}
