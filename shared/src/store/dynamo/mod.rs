//! The DynamoDB implementation of the store traits (`sweeps.rs`,
//! `findings.rs`, `journal.rs`; the table itself in `table.rs`). Keys and indexes are described in
//! the module above. Every finding write is conditional on the version read;
//! task completion and its count on the sweep are one transaction, conditional
//! on the task not having been recorded, so a redelivered message counts once.

mod findings;
mod journal;
mod sweeps;
mod table;

pub use table::{ensure_table, table_exists};

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, PutRequest, ScalarAttributeType,
    TransactWriteItem, Update, WriteRequest,
};
use serde_json::{Map, Value};

use super::item::{from_item, get_s, item_size, s, to_item, write_units};
use super::{
    AccountSnapshot, Applied, Change, FindingDetail, FindingEvent, FindingFilter, FindingReads,
    FindingState, FindingWrites, Part, SnapshotDiff, SnapshotItem, Snapshots, StoreError,
    SweepRecord, Sweeps, TaskRecord,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::{CollectError, SdkResultExt};
use crate::model::{FindingStatus, NotAssessedReason};

/// Days a sweep's task records are kept (DynamoDB TTL on `expires_at`).
pub const TASK_TTL_DAYS: u64 = 90;

/// Days a finding's history events are kept (DynamoDB TTL on `expires_at`,
/// counted from the write): over a year of audit trail, without the
/// partition growing forever. A finding's state and detail do not expire.
pub const HISTORY_TTL_DAYS: u64 = 400;

/// The sort-key ranges of an account's partition that make its stored view:
/// assets, coverage (`A#`..`C#`), edges and finding states (`E#`..`F#`),
/// leaving out details (`D#`) and history (`H#`). `$` sorts right after `#`.
const GRAPH_RANGES: [(&str, &str); 2] = [("A#", "C$"), ("E#", "F$")];

/// The findings store in one DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    meter: std::sync::Arc<WriteMeter>,
}

/// Write capacity this store has consumed, estimated from item sizes with
/// DynamoDB's billing rules (1 unit per KB written, twice that inside a
/// transaction, index entries counted when their keys are written). An
/// estimate, because emulators do not report real consumption.
#[derive(Debug, Default)]
pub struct WriteMeter {
    units: std::sync::atomic::AtomicU64,
    finding_units: std::sync::atomic::AtomicU64,
    snapshot_units: std::sync::atomic::AtomicU64,
    finding_writes: std::sync::atomic::AtomicU64,
}

impl WriteMeter {
    fn add(&self, units: u64) {
        self.units
            .fetch_add(units, std::sync::atomic::Ordering::Relaxed);
    }

    fn add_finding(&self, units: u64) {
        self.add(units);
        self.finding_units
            .fetch_add(units, std::sync::atomic::Ordering::Relaxed);
    }

    fn add_snapshot(&self, units: u64) {
        self.add(units);
        self.snapshot_units
            .fetch_add(units, std::sync::atomic::Ordering::Relaxed);
    }

    /// Units spent on finding records (state, detail, history).
    pub fn finding_units(&self) -> u64 {
        self.finding_units
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Units spent on the asset/edge/coverage snapshot.
    pub fn snapshot_units(&self) -> u64 {
        self.snapshot_units
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Units so far.
    pub fn units(&self) -> u64 {
        self.units.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Finding-state writes so far.
    pub fn finding_writes(&self) -> u64 {
        self.finding_writes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Starts counting again.
    pub fn reset(&self) {
        self.units.store(0, std::sync::atomic::Ordering::Relaxed);
        self.finding_units
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.snapshot_units
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.finding_writes
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

fn pk_account(account: &str) -> String {
    format!("ACCOUNT#{account}")
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        message: e.to_string(),
    }
}

fn rank(st: &FindingState) -> String {
    format!(
        "{:03}#{}#{}",
        100u8.saturating_sub(st.risk_score),
        st.account_id,
        st.finding_id
    )
}

fn now_epoch() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn json_object<T: serde::Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn body_item(
    pk: String,
    sk: String,
    body: &impl serde::Serialize,
) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), s(pk)),
        ("sk".to_owned(), s(sk)),
        (
            "body".to_owned(),
            s(serde_json::to_string(body).unwrap_or_default()),
        ),
    ])
}

fn read_body<T: serde::de::DeserializeOwned>(
    item: &HashMap<String, AttributeValue>,
) -> Result<T, StoreError> {
    let key = get_s(item, "sk").unwrap_or("?");
    let body = get_s(item, "body").ok_or_else(|| corrupt(key, "no body"))?;
    serde_json::from_str(body).map_err(|e| corrupt(key, e))
}

fn state_item(st: &FindingState) -> HashMap<String, AttributeValue> {
    let mut item = to_item(&json_object(st));
    item.insert("pk".to_owned(), s(pk_account(&st.account_id)));
    item.insert("sk".to_owned(), s(format!("F#{}", st.finding_id)));
    item.insert("rank".to_owned(), s(rank(st)));
    item
}

fn read_state(item: &HashMap<String, AttributeValue>) -> Result<FindingState, StoreError> {
    let mut m = from_item(item);
    let key = format!(
        "{}/{}",
        get_s(item, "pk").unwrap_or("?"),
        get_s(item, "sk").unwrap_or("?")
    );
    for k in ["pk", "sk", "rank"] {
        m.remove(k);
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| corrupt(&key, e))
}

fn event_sk(e: &FindingEvent) -> String {
    format!("H#{}#{}#{}", e.finding_id, e.at, e.kind.as_str())
}

fn sdk_err<E>(e: SdkError<E, HttpResponse>, op: &str) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match Err::<(), _>(e).op(op) {
        Err(ce) => StoreError::Aws(ce),
        Ok(()) => corrupt(op, "failed without an error"),
    }
}

fn is_conditional_failure<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err.as_service_error() {
        Some(e) => match e.code() {
            Some("ConditionalCheckFailedException") => true,
            Some("TransactionCanceledException") => e
                .message()
                .is_some_and(|m| m.contains("ConditionalCheckFailed")),
            _ => false,
        },
        None => false,
    }
}

/// Sends of one transaction while DynamoDB keeps cancelling it for a
/// concurrent one.
const TRANSACTION_ATTEMPTS: u32 = 6;

/// Whether DynamoDB cancelled a transaction only because another one touched
/// the same items at once (`TransactionConflict`, no failed condition): the
/// same request may succeed a moment later. The SDK does not retry these.
fn is_transaction_conflict(e: &TransactWriteItemsError) -> bool {
    let TransactWriteItemsError::TransactionCanceledException(x) = e else {
        return false;
    };
    let codes: Vec<&str> = x
        .cancellation_reasons()
        .iter()
        .filter_map(|r| r.code())
        .collect();
    if codes.is_empty() {
        let m = x.message().unwrap_or_default();
        return m.contains("TransactionConflict") && !m.contains("ConditionalCheckFailed");
    }
    codes.contains(&"TransactionConflict") && !codes.contains(&"ConditionalCheckFailed")
}

/// Sends a transaction, again after a jittered pause (25 ms doubling, up
/// to 800 ms) while it is cancelled for a [conflict](is_transaction_conflict).
async fn send_transaction(
    tx: TransactWriteItemsFluentBuilder,
) -> Result<TransactWriteItemsOutput, SdkError<TransactWriteItemsError, HttpResponse>> {
    let mut attempt = 1;
    loop {
        match tx.clone().send().await {
            Err(e)
                if attempt < TRANSACTION_ATTEMPTS
                    && e.as_service_error().is_some_and(is_transaction_conflict) =>
            {
                let cap = 25u64 << attempt;
                tokio::time::sleep(Duration::from_millis(fastrand::u64(cap / 2..=cap))).await;
                attempt += 1;
            }
            r => return r,
        }
    }
}

impl DynamoStore {
    /// A store over `table`, using `sdk`'s credentials, region and endpoint.
    pub fn new(sdk: &aws_types::SdkConfig, table: impl Into<String>) -> Self {
        Self {
            client: Client::new(sdk),
            table: table.into(),
            meter: std::sync::Arc::default(),
        }
    }

    /// The write meter (estimated capacity units).
    pub fn meter(&self) -> &WriteMeter {
        &self.meter
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    async fn query_all(
        &self,
        index: Option<&str>,
        key_expr: &str,
        values: HashMap<String, AttributeValue>,
        consistent: bool,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        // `status` is a reserved word in expressions.
        let names = key_expr
            .contains("#status")
            .then(|| HashMap::from([("#status".to_owned(), "status".to_owned())]));
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let resp = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(key_expr)
                .set_expression_attribute_values(Some(values.clone()))
                .set_expression_attribute_names(names.clone())
                .set_consistent_read(index.is_none().then_some(consistent))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .op("dynamodb:Query")?;
            out.extend(resp.items().iter().cloned());
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }

    async fn get(
        &self,
        pk: String,
        sk: String,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .op("dynamodb:GetItem")?;
        Ok(resp.item().cloned())
    }

    async fn batch_write(&self, mut requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for r in &requests {
            self.meter.add_snapshot(match r.put_request() {
                Some(p) => write_units(item_size(p.item())),
                None => 1,
            });
        }
        while !requests.is_empty() {
            let rest = requests.split_off(requests.len().min(25));
            let mut chunk = std::mem::replace(&mut requests, rest);
            let mut attempt = 0u32;
            while !chunk.is_empty() {
                let resp = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, chunk)
                    .send()
                    .await
                    .op("dynamodb:BatchWriteItem")?;
                chunk = resp
                    .unprocessed_items()
                    .and_then(|m| m.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
                if !chunk.is_empty() {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(CollectError::other(
                            "dynamodb:BatchWriteItem",
                            NotAssessedReason::Throttled,
                            format!("{} items still unprocessed after retries", chunk.len()),
                        )
                        .into());
                    }
                    tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
                }
            }
        }
        Ok(())
    }

    async fn states_by_keys(
        &self,
        keys: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<Vec<FindingState>, StoreError> {
        let mut out = Vec::new();
        for chunk in keys.chunks(100) {
            let mut pending = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .build()
                .map_err(|e| corrupt("batch keys", e))?;
            for attempt in 0..8u32 {
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, pending.clone())
                    .send()
                    .await
                    .op("dynamodb:BatchGetItem")?;
                for item in resp
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    out.push(read_state(item)?);
                }
                match resp.unprocessed_keys().and_then(|m| m.get(&self.table)) {
                    Some(k) if !k.keys().is_empty() => {
                        pending = k.clone();
                        tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
                    }
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

fn read_sweep(item: &HashMap<String, AttributeValue>) -> Result<SweepRecord, StoreError> {
    let mut m = from_item(item);
    m.remove("pk");
    m.remove("sk");
    serde_json::from_value(Value::Object(m)).map_err(|e| corrupt("sweep", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::CancellationReason;
    use aws_sdk_dynamodb::types::error::TransactionCanceledException;

    fn cancelled(codes: &[&str], message: &str) -> TransactWriteItemsError {
        let mut b = TransactionCanceledException::builder().message(message);
        for c in codes {
            b = b.cancellation_reasons(CancellationReason::builder().code(*c).build());
        }
        TransactWriteItemsError::TransactionCanceledException(b.build())
    }

    #[test]
    fn the_stored_view_reads_the_graph_and_states_but_not_details_or_history() {
        let inside = |sk: &str| GRAPH_RANGES.iter().any(|(lo, hi)| *lo <= sk && sk <= *hi);
        for sk in [
            "A#global#arn:aws:s3:::b",
            "A#us-east-1#arn:aws:sagemaker:us-east-1:1:notebook-instance/n",
            "C#eu-west-1#0123abcd",
            "E#global#ffff",
            "F#0123456789abcdef0123456789abcdef",
        ] {
            assert!(inside(sk), "{sk}");
        }
        for sk in [
            "D#0123456789abcdef0123456789abcdef",
            "H#0123456789abcdef0123456789abcdef#2026-11-24T02:00:00.000Z#opened",
            "T#x",
        ] {
            assert!(!inside(sk), "{sk}");
        }
    }

    #[test]
    fn only_a_conflict_without_a_failed_condition_is_sent_again() {
        assert!(is_transaction_conflict(&cancelled(
            &["None", "TransactionConflict"],
            ""
        )));
        // a failed condition is the caller's to replan, conflict or not
        assert!(!is_transaction_conflict(&cancelled(
            &["ConditionalCheckFailed", "TransactionConflict"],
            ""
        )));
        assert!(!is_transaction_conflict(&cancelled(
            &["ConditionalCheckFailed", "None"],
            ""
        )));
        // without reasons, the message says it
        assert!(is_transaction_conflict(&cancelled(
            &[],
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"
        )));
        assert!(!is_transaction_conflict(&cancelled(
            &[],
            "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]"
        )));
    }
}
