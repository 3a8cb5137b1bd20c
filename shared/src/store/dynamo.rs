//! The DynamoDB implementation of [`Store`]. Keys and indexes are described in
//! the module above. Every finding write is conditional on the version read;
//! task completion and its count on the sweep are one transaction, conditional
//! on the task not having been recorded, so a redelivered message counts once.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, PutRequest, ScalarAttributeType,
    TransactWriteItem, Update, WriteRequest,
};
use serde_json::{Map, Value};

use super::item::{from_item, get_s, item_size, s, to_item, write_units};
use super::{
    AccountSnapshot, Applied, Change, FindingDetail, FindingEvent, FindingFilter, FindingState,
    Part, SnapshotDiff, SnapshotItem, Store, StoreError, SweepRecord, TaskRecord,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::{CollectError, SdkResultExt};
use crate::model::{FindingStatus, NotAssessedReason};

/// Days a sweep's task records are kept (DynamoDB TTL on `expires_at`).
pub const TASK_TTL_DAYS: u64 = 90;

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

impl Store for DynamoStore {
    async fn create_sweep(&self, sw: &SweepRecord) -> Result<(), StoreError> {
        let mut item = to_item(&json_object(sw));
        item.insert("pk".to_owned(), s("SWEEPS"));
        item.insert("sk".to_owned(), s(sw.sweep_id.clone()));
        self.meter.add(write_units(item_size(&item)));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .op("dynamodb:PutItem")?;
        Ok(())
    }

    async fn sweep(&self, sweep_id: &str) -> Result<Option<SweepRecord>, StoreError> {
        self.get("SWEEPS".to_owned(), sweep_id.to_owned())
            .await?
            .map(|i| read_sweep(&i))
            .transpose()
    }

    async fn latest_sweep(&self) -> Result<Option<SweepRecord>, StoreError> {
        let resp = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s("SWEEPS"))
            .scan_index_forward(false)
            .limit(1)
            .consistent_read(true)
            .send()
            .await
            .op("dynamodb:Query")?;
        resp.items().first().map(read_sweep).transpose()
    }

    async fn tasks(&self, sweep_id: &str) -> Result<Vec<TaskRecord>, StoreError> {
        self.query_all(
            None,
            "pk = :pk",
            HashMap::from([(":pk".to_owned(), s(format!("SWEEP#{sweep_id}")))]),
            true,
        )
        .await?
        .iter()
        .map(read_body)
        .collect()
    }

    async fn task(
        &self,
        sweep_id: &str,
        account_id: &str,
        scope: &str,
    ) -> Result<Option<TaskRecord>, StoreError> {
        self.get(
            format!("SWEEP#{sweep_id}"),
            format!("T#{account_id}#{scope}"),
        )
        .await?
        .map(|i| read_body(&i))
        .transpose()
    }

    async fn complete_task(&self, t: &TaskRecord) -> Result<bool, StoreError> {
        let mut task = body_item(
            format!("SWEEP#{}", t.sweep_id),
            format!("T#{}#{}", t.account_id, t.scope),
            t,
        );
        task.insert(
            "expires_at".to_owned(),
            AttributeValue::N((now_epoch() + TASK_TTL_DAYS * 86_400).to_string()),
        );
        self.meter.add(2 * (write_units(item_size(&task)) + 1));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(task))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| corrupt("task", e))?;
        let count = Update::builder()
            .table_name(&self.table)
            .key("pk", s("SWEEPS"))
            .key("sk", s(t.sweep_id.clone()))
            .update_expression("ADD done_tasks :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .build()
            .map_err(|e| corrupt("sweep", e))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(count).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => {
                // Either the task was already counted, or the sweep is unknown.
                if self.sweep(&t.sweep_id).await?.is_none() {
                    return Err(StoreError::NotFound(format!("sweep {}", t.sweep_id)));
                }
                Ok(false)
            }
            Err(e) => Err(sdk_err(e, "dynamodb:TransactWriteItems")),
        }
    }

    async fn account(&self, account_id: &str) -> Result<AccountSnapshot, StoreError> {
        let items = self
            .query_all(
                None,
                "pk = :pk",
                HashMap::from([(":pk".to_owned(), s(pk_account(account_id)))]),
                true,
            )
            .await?;
        let mut snap = AccountSnapshot::default();
        for item in &items {
            let sk = get_s(item, "sk").unwrap_or_default();
            let mut parts = sk.splitn(3, '#');
            match (parts.next(), parts.next()) {
                (Some("A" | "E" | "C"), Some(scope)) => {
                    let part: Part = read_body(item)?;
                    snap.items.push(SnapshotItem {
                        scope: scope.to_owned(),
                        sk: sk.to_owned(),
                        collector: get_s(item, "collector").unwrap_or_default().to_owned(),
                        hash: get_s(item, "h").unwrap_or_default().to_owned(),
                        part,
                    });
                }
                (Some("F"), Some(_)) => snap.findings.push(read_state(item)?),
                _ => {}
            }
        }
        Ok(snap)
    }

    async fn write_snapshot(
        &self,
        account_id: &str,
        diff: &SnapshotDiff,
    ) -> Result<(), StoreError> {
        let pk = pk_account(account_id);
        let mut requests = Vec::with_capacity(diff.put.len() + diff.delete.len());
        for it in &diff.put {
            let mut item = body_item(pk.clone(), it.sk.clone(), &it.part);
            item.insert("h".to_owned(), s(it.hash.clone()));
            item.insert("collector".to_owned(), s(it.collector.clone()));
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| corrupt(&it.sk, e))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        for sk in &diff.delete {
            let del = DeleteRequest::builder()
                .key("pk", s(pk.clone()))
                .key("sk", s(sk.clone()))
                .build()
                .map_err(|e| corrupt(sk, e))?;
            requests.push(WriteRequest::builder().delete_request(del).build());
        }
        self.batch_write(requests).await
    }

    async fn apply(&self, c: &Change) -> Result<Applied, StoreError> {
        let (cond, version) = match c.expected_version {
            None => ("attribute_not_exists(pk)", None),
            Some(v) => ("version = :v", Some(AttributeValue::N(v.to_string()))),
        };
        let state = state_item(&c.state);
        self.meter
            .finding_writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A new finding, or one whose rank or status moved, also writes its
        // index entries (keys-only projections: nothing else touches them).
        let index_units = match c.expected_version {
            None => 2,
            Some(_) if c.events.is_empty() => 0,
            Some(_) => 1,
        };
        if c.detail.is_none() && c.events.is_empty() {
            self.meter
                .add_finding(write_units(item_size(&state)) + index_units);
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(state))
                .condition_expression(cond)
                .set_expression_attribute_values(
                    version.map(|v| HashMap::from([(":v".to_owned(), v)])),
                )
                .send()
                .await;
            return match result {
                Ok(_) => Ok(Applied::Done),
                Err(e) if is_conditional_failure(&e) => Ok(Applied::Conflict),
                Err(e) => Err(sdk_err(e, "dynamodb:PutItem")),
            };
        }
        let pk = pk_account(&c.state.account_id);
        let mut tx_units = write_units(item_size(&state));
        let put_state = Put::builder()
            .table_name(&self.table)
            .set_item(Some(state))
            .condition_expression(cond)
            .set_expression_attribute_values(version.map(|v| HashMap::from([(":v".to_owned(), v)])))
            .build()
            .map_err(|e| corrupt("finding", e))?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_state).build());
        if let Some(d) = &c.detail {
            let item = body_item(pk.clone(), format!("D#{}", c.state.finding_id), d);
            tx_units += write_units(item_size(&item));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .build()
                .map_err(|e| corrupt("detail", e))?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        for e in &c.events {
            let item = body_item(pk.clone(), event_sk(e), e);
            tx_units += write_units(item_size(&item));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .build()
                .map_err(|e| corrupt("event", e))?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        self.meter.add_finding(2 * tx_units + index_units);
        match tx.send().await {
            Ok(_) => Ok(Applied::Done),
            Err(e) if is_conditional_failure(&e) => Ok(Applied::Conflict),
            Err(e) => Err(sdk_err(e, "dynamodb:TransactWriteItems")),
        }
    }

    async fn finding(&self, finding_id: &str) -> Result<Option<FindingState>, StoreError> {
        let keys = self
            .query_all(
                Some("by_id"),
                "finding_id = :id",
                HashMap::from([(":id".to_owned(), s(finding_id))]),
                false,
            )
            .await?;
        let Some(key) = keys.first() else {
            return Ok(None);
        };
        let (Some(pk), Some(sk)) = (get_s(key, "pk"), get_s(key, "sk")) else {
            return Err(corrupt(finding_id, "index entry without keys"));
        };
        self.get(pk.to_owned(), sk.to_owned())
            .await?
            .map(|i| read_state(&i))
            .transpose()
    }

    async fn state(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingState>, StoreError> {
        self.get(pk_account(account_id), format!("F#{finding_id}"))
            .await?
            .map(|i| read_state(&i))
            .transpose()
    }

    async fn detail(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingDetail>, StoreError> {
        self.get(pk_account(account_id), format!("D#{finding_id}"))
            .await?
            .map(|i| read_body(&i))
            .transpose()
    }

    async fn history(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Vec<FindingEvent>, StoreError> {
        self.query_all(
            None,
            "pk = :pk AND begins_with(sk, :prefix)",
            HashMap::from([
                (":pk".to_owned(), s(pk_account(account_id))),
                (":prefix".to_owned(), s(format!("H#{finding_id}#"))),
            ]),
            true,
        )
        .await?
        .iter()
        .map(read_body)
        .collect()
    }

    async fn list(&self, filter: &FindingFilter) -> Result<Vec<FindingState>, StoreError> {
        let mut states = if let Some(account) = &filter.account_id {
            let items = self
                .query_all(
                    None,
                    "pk = :pk AND begins_with(sk, :prefix)",
                    HashMap::from([
                        (":pk".to_owned(), s(pk_account(account))),
                        (":prefix".to_owned(), s("F#")),
                    ]),
                    true,
                )
                .await?;
            items
                .iter()
                .map(read_state)
                .collect::<Result<Vec<_>, _>>()?
        } else {
            let statuses = match filter.status {
                Some(st) => vec![st],
                None => vec![
                    FindingStatus::Open,
                    FindingStatus::Suppressed,
                    FindingStatus::RiskAccepted,
                    FindingStatus::Resolved,
                ],
            };
            let mut keys = Vec::new();
            for st in statuses {
                let entries = self
                    .query_all(
                        Some("by_status"),
                        "#status = :st",
                        HashMap::from([(":st".to_owned(), s(st.as_str()))]),
                        false,
                    )
                    .await?;
                keys.extend(entries.iter().filter_map(|k| {
                    Some(HashMap::from([
                        ("pk".to_owned(), k.get("pk")?.clone()),
                        ("sk".to_owned(), k.get("sk")?.clone()),
                    ]))
                }));
            }
            self.states_by_keys(keys).await?
        };
        states.retain(|st| {
            filter.status.is_none_or(|x| st.status == x)
                && filter.rule_id.as_ref().is_none_or(|r| &st.rule_id == r)
        });
        states.sort_by_key(rank);
        Ok(states)
    }
}

fn read_sweep(item: &HashMap<String, AttributeValue>) -> Result<SweepRecord, StoreError> {
    let mut m = from_item(item);
    m.remove("pk");
    m.remove("sk");
    serde_json::from_value(Value::Object(m)).map_err(|e| corrupt("sweep", e))
}

fn built<T>(
    table: &str,
    r: Result<T, aws_sdk_dynamodb::error::BuildError>,
) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(table, e))
}

/// Creates the table with its indexes and TTL when it does not exist (for the
/// emulator and `aispm sweep --local`; in AWS the SAM template owns it).
pub async fn ensure_table(sdk: &aws_types::SdkConfig, table: &str) -> Result<(), StoreError> {
    let client = Client::new(sdk);
    match client.describe_table().table_name(table).send().await {
        Ok(_) => return Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|x| x.is_resource_not_found_exception()) => {}
        Err(e) => return Err(sdk_err(e, "dynamodb:DescribeTable")),
    }
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
    };
    let keys_only = Projection::builder()
        .projection_type(ProjectionType::KeysOnly)
        .build();
    let by_status = GlobalSecondaryIndex::builder()
        .index_name("by_status")
        .key_schema(built(table, key("status", KeyType::Hash))?)
        .key_schema(built(table, key("rank", KeyType::Range))?)
        .projection(keys_only.clone())
        .build();
    let by_id = GlobalSecondaryIndex::builder()
        .index_name("by_id")
        .key_schema(built(table, key("finding_id", KeyType::Hash))?)
        .projection(keys_only)
        .build();
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(built(table, attr("pk"))?)
        .attribute_definitions(built(table, attr("sk"))?)
        .attribute_definitions(built(table, attr("status"))?)
        .attribute_definitions(built(table, attr("rank"))?)
        .attribute_definitions(built(table, attr("finding_id"))?)
        .key_schema(built(table, key("pk", KeyType::Hash))?)
        .key_schema(built(table, key("sk", KeyType::Range))?)
        .global_secondary_indexes(built(table, by_status)?)
        .global_secondary_indexes(built(table, by_id)?)
        .send()
        .await
        .op("dynamodb:CreateTable")?;
    for _ in 0..50 {
        let d = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .op("dynamodb:DescribeTable")?;
        if d.table()
            .and_then(|t| t.table_status())
            .is_some_and(|s| s.as_str() == "ACTIVE")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
