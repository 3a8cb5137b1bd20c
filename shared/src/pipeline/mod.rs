//! The serverless pipeline: the sweep (schedule → one SQS message per account ×
//! region, plus one per account for global resources) and the account scanner
//! (SQS → scan one scope → store assets, edges, coverage and findings → count
//! the task on its sweep). The Lambda functions and `aispm sweep --local` call
//! these same functions; nothing here knows which one is calling.

pub mod local;

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tracing::{Instrument, error, info, warn};

use crate::aws::{
    AwsSettings, CollectError, RequestCounter, SdkResultExt, base_config, caller_identity,
};
use crate::model::{GLOBAL_REGION, Inventory};
use crate::rules::{self, RuleConfig};
use crate::scan::{self, Parts, ScanError, ScanRequest, Target};
use crate::store::lifecycle::{self, Observation};
use crate::store::{
    AccountSnapshot, Part, SnapshotItem, Store, StoreError, SweepRecord, TaskRecord,
    apply_with_retry, diff_scope,
};

/// Version of the queue message format.
pub const MESSAGE_VERSION: u32 = 1;

/// The pipeline could not do its job.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// A required setting is missing or wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// A queue message that is not a scan task.
    #[error("malformed scan task: {0}")]
    Message(String),
    /// An EventBridge event that cannot be handled (missing or wrong fields).
    #[error("malformed event: {0}")]
    Event(String),
    /// The scan could not start.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An AWS call of the pipeline itself failed.
    #[error(transparent)]
    Aws(#[from] CollectError),
    /// Messages could not be queued.
    #[error("could not queue {failed} of {total} scan tasks: {detail}")]
    Enqueue {
        /// Messages that failed.
        failed: usize,
        /// Messages in all.
        total: usize,
        /// The first failure.
        detail: String,
    },
}

/// One unit of work on the queue: one account, one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanTask {
    /// Message format version ([`MESSAGE_VERSION`]).
    pub version: u32,
    /// The sweep this belongs to.
    pub sweep_id: String,
    /// The sweep's start time: `last_seen` of everything observed.
    pub sweep_at: String,
    /// The account to scan.
    pub account_id: String,
    /// `global` or a region.
    pub scope: String,
    /// The region global collectors call.
    pub home_region: String,
    /// The role to assume in the account.
    pub role_name: String,
    /// Names the ExternalId configured on the scanner (never the value itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id_ref: Option<String>,
    /// The organization's management account (the only one that reads SCPs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account: Option<String>,
}

impl ScanTask {
    /// Parses and validates a message body.
    pub fn parse(body: &str) -> Result<Self, PipelineError> {
        let t: ScanTask =
            serde_json::from_str(body).map_err(|e| PipelineError::Message(e.to_string()))?;
        if t.version != MESSAGE_VERSION {
            return Err(PipelineError::Message(format!(
                "unsupported version {} (expected {MESSAGE_VERSION})",
                t.version
            )));
        }
        scan::parse_account_ids(&t.account_id)
            .map_err(|e| PipelineError::Message(e.to_string()))?;
        for r in [&t.scope, &t.home_region] {
            if r != GLOBAL_REGION {
                crate::aws::parse_regions(r).map_err(|e| PipelineError::Message(e.to_string()))?;
            }
        }
        if t.sweep_id.is_empty() || !is_timestamp(&t.sweep_at) {
            return Err(PipelineError::Message(format!(
                "bad sweep id or time `{}` / `{}`",
                t.sweep_id, t.sweep_at
            )));
        }
        Ok(t)
    }
}

fn is_timestamp(s: &str) -> bool {
    aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime).is_ok()
}

/// A time as fixed-width RFC 3339 UTC with milliseconds (sorts as text).
pub fn timestamp(t: SystemTime) -> String {
    let d = aws_smithy_types::DateTime::from(t);
    let secs = d.secs();
    let millis = d.subsec_nanos() / 1_000_000;
    let base = aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    // `2026-11-24T01:02:03Z` → `2026-11-24T01:02:03.456Z`
    format!("{}.{millis:03}Z", base.trim_end_matches('Z'))
}

/// Settings of the sweep and the scanner, read from the function's environment.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// DynamoDB table (`AISPM_TABLE`).
    pub table: String,
    /// Scan queue URL (`AISPM_QUEUE_URL`; the sweep needs it).
    pub queue_url: Option<String>,
    /// Regions to sweep (`AISPM_REGIONS`, comma-separated).
    pub regions: Vec<String>,
    /// Role assumed in member accounts (`AISPM_ROLE_NAME`, default `aispm-scanner`).
    pub role_name: String,
    /// Which configured ExternalId tasks use (`AISPM_EXTERNAL_ID_REF`).
    pub external_id_ref: Option<String>,
    /// ExternalIds the scanner knows, by reference name. From the environment:
    /// `AISPM_EXTERNAL_ID` is known as `AISPM_EXTERNAL_ID`.
    pub external_ids: BTreeMap<String, String>,
    /// Accounts to sweep instead of the organization (`AISPM_ACCOUNTS`).
    pub accounts: Option<Vec<String>>,
    /// Tag keys the rules read.
    pub rules: RuleConfig,
    /// Suppressions from the configuration (`AISPM_SUPPRESSIONS`: the JSON
    /// of a suppressions file).
    pub suppressions: crate::suppressions::Suppressions,
    /// Collectors run at once per task.
    pub collector_concurrency: usize,
    /// Enter the function's own account through the scanner role too
    /// (`AISPM_ASSUME_ROLE_IN_OWN_ACCOUNT`, default true), so the function's
    /// role never needs read access itself.
    pub assume_role_in_own_account: bool,
}

impl PipelineConfig {
    /// Reads the configuration through `get` (the process environment in a
    /// Lambda), naming any setting that is missing or wrong.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, PipelineError> {
        let table = get("AISPM_TABLE")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PipelineError::Config("AISPM_TABLE is not set".to_owned()))?;
        let regions = get("AISPM_REGIONS")
            .or_else(|| get("AWS_REGION"))
            .ok_or_else(|| PipelineError::Config("AISPM_REGIONS is not set".to_owned()))?;
        let regions = crate::aws::parse_regions(&regions)
            .map_err(|e| PipelineError::Config(format!("AISPM_REGIONS: {e}")))?;
        let accounts = get("AISPM_ACCOUNTS")
            .filter(|a| !a.trim().is_empty())
            .map(|a| scan::parse_account_ids(&a))
            .transpose()
            .map_err(|e| PipelineError::Config(format!("AISPM_ACCOUNTS: {e}")))?;
        let mut external_ids = BTreeMap::new();
        if let Some(x) = get("AISPM_EXTERNAL_ID").filter(|x| !x.is_empty()) {
            external_ids.insert("AISPM_EXTERNAL_ID".to_owned(), x);
        }
        Ok(Self {
            table,
            queue_url: get("AISPM_QUEUE_URL").filter(|q| !q.is_empty()),
            regions,
            role_name: get("AISPM_ROLE_NAME")
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "aispm-scanner".to_owned()),
            external_id_ref: get("AISPM_EXTERNAL_ID_REF").filter(|r| !r.is_empty()),
            external_ids,
            accounts,
            rules: RuleConfig::default(),
            suppressions: match get("AISPM_SUPPRESSIONS").filter(|s| !s.trim().is_empty()) {
                Some(text) => crate::suppressions::Suppressions::parse(&text)
                    .map_err(|e| PipelineError::Config(format!("AISPM_SUPPRESSIONS: {e}")))?,
                None => crate::suppressions::Suppressions::default(),
            },
            collector_concurrency: 8,
            assume_role_in_own_account: !matches!(
                get("AISPM_ASSUME_ROLE_IN_OWN_ACCOUNT").as_deref(),
                Some("false" | "0" | "no")
            ),
        })
    }

    pub(crate) fn external_id(
        &self,
        reference: Option<&str>,
    ) -> Result<Option<String>, PipelineError> {
        match reference {
            None => Ok(None),
            Some(r) => self.external_ids.get(r).cloned().map(Some).ok_or_else(|| {
                PipelineError::Config(format!(
                    "the task names ExternalId `{r}`, which this scanner does not have"
                ))
            }),
        }
    }
}

fn sweep_id(started_at: &str) -> String {
    let compact: String = started_at
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let suffix = lifecycle::short_hash(format!("{nanos}-{}", std::process::id()).as_bytes());
    format!("sw-{compact}-{}", &suffix[..8])
}

/// The tasks of a sweep: every account × (each region + global). Regional
/// tasks are queued first so that, when the queue is drained in order, the
/// global task (S3, IAM) already sees the account's regional graph (the jobs
/// that read a bucket) in the store.
pub fn plan_tasks(
    sweep: &SweepRecord,
    cfg: &PipelineConfig,
    management_account: Option<&str>,
) -> Vec<ScanTask> {
    let home = cfg.regions.first().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for account in &sweep.accounts {
        let scopes = cfg
            .regions
            .iter()
            .cloned()
            .chain(std::iter::once(GLOBAL_REGION.to_owned()));
        for scope in scopes {
            out.push(ScanTask {
                version: MESSAGE_VERSION,
                sweep_id: sweep.sweep_id.clone(),
                sweep_at: sweep.started_at.clone(),
                account_id: account.clone(),
                scope,
                home_region: home.clone(),
                role_name: cfg.role_name.clone(),
                external_id_ref: cfg.external_id_ref.clone(),
                management_account: management_account.map(str::to_owned),
            });
        }
    }
    out
}

/// Starts a sweep: lists the accounts, records the sweep, queues its tasks.
pub async fn run_sweep<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    sqs: &aws_sdk_sqs::Client,
    now: SystemTime,
) -> Result<SweepRecord, PipelineError> {
    let queue_url = cfg
        .queue_url
        .as_deref()
        .ok_or_else(|| PipelineError::Config("AISPM_QUEUE_URL is not set".to_owned()))?;
    let home = cfg
        .regions
        .first()
        .ok_or_else(|| PipelineError::Config("no regions".to_owned()))?;
    let counter = RequestCounter::default();
    let sdk = base_config(settings, home).await;
    let (caller, _) = caller_identity(&sdk, &counter)
        .await
        .map_err(ScanError::Caller)?;
    let (accounts, management) = match &cfg.accounts {
        Some(list) => (list.clone(), None),
        None => (
            scan::organization_accounts(&sdk, &counter)
                .await
                .map_err(ScanError::Organization)?,
            Some(caller.clone()),
        ),
    };
    let started_at = timestamp(now);
    let sweep = SweepRecord {
        sweep_id: sweep_id(&started_at),
        started_at,
        expected_tasks: (accounts.len() * (cfg.regions.len() + 1)) as u64,
        accounts,
        regions: cfg.regions.clone(),
        done_tasks: 0,
    };
    store.create_sweep(&sweep).await?;
    let tasks = plan_tasks(&sweep, cfg, management.as_deref());
    enqueue(sqs, queue_url, &tasks).await?;
    info!(sweep_id = %sweep.sweep_id, accounts = sweep.accounts.len(), tasks = tasks.len(), "sweep queued");
    Ok(sweep)
}

/// Sends tasks with SendMessageBatch (10 per call), retrying failed entries.
pub async fn enqueue(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    tasks: &[ScanTask],
) -> Result<(), PipelineError> {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    for chunk in tasks.chunks(10) {
        let mut pending: Vec<(String, String)> = chunk
            .iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), serde_json::to_string(t).unwrap_or_default()))
            .collect();
        let mut last_error = String::new();
        for attempt in 0..4u32 {
            if pending.is_empty() {
                break;
            }
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
            }
            let entries = pending
                .iter()
                .map(|(id, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(id)
                        .message_body(body)
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PipelineError::Config(e.to_string()))?;
            let resp = sqs
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .op("sqs:SendMessageBatch")?;
            let failed: BTreeSet<&str> = resp.failed().iter().map(|f| f.id()).collect();
            if let Some(f) = resp.failed().first() {
                last_error = format!("{}: {}", f.code(), f.message().unwrap_or_default());
            }
            pending.retain(|(id, _)| failed.contains(id.as_str()));
        }
        if !pending.is_empty() {
            return Err(PipelineError::Enqueue {
                failed: pending.len(),
                total: tasks.len(),
                detail: last_error,
            });
        }
    }
    Ok(())
}

/// Scans one task's scope and brings the store up to date with it.
pub async fn run_task<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    task: &ScanTask,
) -> Result<TaskRecord, PipelineError> {
    let external_id = cfg.external_id(task.external_id_ref.as_deref())?;
    // A redelivered message whose task already finished changes nothing: a
    // second scan would only restate what the world looked like a moment later
    // (a role's last use moves when the scanner itself assumes it).
    if let Some(done) = store
        .task(&task.sweep_id, &task.account_id, &task.scope)
        .await?
    {
        info!("task already done in this sweep; nothing to do");
        return Ok(done);
    }
    let global = task.scope == GLOBAL_REGION;
    let req = ScanRequest {
        regions: vec![if global {
            task.home_region.clone()
        } else {
            task.scope.clone()
        }],
        target: Target::Accounts(vec![task.account_id.clone()]),
        role_name: task.role_name.clone(),
        external_id,
        account_concurrency: 1,
        collector_concurrency: cfg.collector_concurrency,
        parts: if global {
            Parts::GlobalOnly
        } else {
            Parts::RegionalOnly
        },
        management_account: task.management_account.clone(),
        assume_role_in_own_account: cfg.assume_role_in_own_account,
    };
    let counter = RequestCounter::default();
    let fresh = scan::scan(settings, &req, &counter).await?;
    let snapshot = store.account(&task.account_id).await?;
    let outcome = update_scope(store, cfg, task, fresh, &snapshot, &BTreeSet::new()).await?;
    let (fresh, observed_len, changed) = (outcome.fresh, outcome.observed, outcome.changed);

    let record = TaskRecord {
        sweep_id: task.sweep_id.clone(),
        account_id: task.account_id.clone(),
        scope: task.scope.clone(),
        finished_at: timestamp(SystemTime::now()),
        assets: fresh.assets.len() as u64,
        findings: observed_len as u64,
        changed,
        // Details stay on the account's coverage items; the task keeps the
        // reasons (and the detail of an account it could not enter) so that it
        // fits one write unit.
        not_assessed: fresh
            .coverage
            .iter()
            .filter(|c| !c.is_assessed())
            .map(|c| {
                let mut c = c.clone();
                if c.collector != "account" {
                    c.detail = None;
                }
                c
            })
            .collect(),
    };
    let first = store.complete_task(&record).await?;
    info!(
        assets = record.assets,
        findings = record.findings,
        changed,
        not_assessed = record.not_assessed.len(),
        requests = counter.snapshot().total,
        first_delivery = first,
        "task done"
    );
    Ok(record)
}

/// What bringing one scope up to date did.
pub(crate) struct ScopeOutcome {
    /// The scope's view, as stored.
    pub fresh: Inventory,
    /// Findings observed on the scope's resources.
    pub observed: usize,
    /// Findings whose state changed.
    pub changed: u64,
}

/// Brings the store up to date with a fresh view of one scope of an account
/// (from a sweep's collectors, or from an event's targeted re-read on top of
/// the stored view): rules over the whole account graph, the findings'
/// lifecycle at `task.sweep_at`, cross-scope findings, suppressions, and the
/// scope's snapshot diff.
pub(crate) async fn update_scope<S: Store>(
    store: &S,
    cfg: &PipelineConfig,
    task: &ScanTask,
    mut fresh: Inventory,
    snapshot: &AccountSnapshot,
    reread: &BTreeSet<String>,
) -> Result<ScopeOutcome, PipelineError> {
    let global = task.scope == GLOBAL_REGION;
    carry_event_facts(&mut fresh, snapshot);

    // The scope's fresh parts, and the rest of the account from the store, so
    // rules see the whole account graph.
    let mut fresh_items = snapshot_items(&task.scope, &fresh);
    let mut merged = fresh.clone();
    for it in snapshot.items.iter().filter(|i| i.scope != task.scope) {
        match &it.part {
            Part::Asset(a) => merged.assets.push(a.clone()),
            Part::Edge(e) => merged.edges.push(e.clone()),
            Part::Coverage(c) => merged.coverage.push(c.clone()),
        }
    }
    merged.normalise();
    let (findings, rule_coverage) = rules::evaluate(&merged, &cfg.rules);
    // Rule gaps of this scope are kept with its coverage (metrics count them).
    fresh_items.extend(
        rule_coverage
            .iter()
            .filter(|c| c.region == task.scope)
            .map(|c| SnapshotItem::new(&task.scope, &c.collector, Part::Coverage(c.clone()))),
    );
    let in_scope: BTreeSet<&str> = fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    let (observed, foreign): (Vec<_>, Vec<_>) = findings
        .into_iter()
        .partition(|f| in_scope.contains(f.resource_arn.as_str()));
    let blocked: BTreeSet<String> = rule_coverage
        .iter()
        .filter(|c| global || c.region == task.scope || c.region == GLOBAL_REGION)
        .filter_map(|c| c.collector.strip_prefix("rule:").map(str::to_owned))
        .collect();
    let obs = Observation {
        scope: &task.scope,
        at: &task.sweep_at,
        sweep_id: &task.sweep_id,
        observed: &observed,
        blocked_rules: &blocked,
    };
    let by_id: BTreeMap<&str, &crate::model::Finding> =
        observed.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut changed = 0u64;
    // A resource an event read and found gone has nothing left to flag,
    // whatever else its rules could not see.
    let live: BTreeSet<&str> = fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    let unblocked = BTreeSet::new();
    let gone_obs = Observation {
        blocked_rules: &unblocked,
        observed: &[],
        ..obs
    };
    let gone: Vec<crate::store::FindingState> = snapshot
        .findings
        .iter()
        .filter(|s| {
            s.scope == task.scope
                && reread.contains(&s.resource_arn)
                && !live.contains(s.resource_arn.as_str())
                && blocked.contains(&s.rule_id)
        })
        .cloned()
        .collect();
    for change in lifecycle::plan(&gone, &gone_obs) {
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, None, &gone_obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }
    for change in lifecycle::plan(&snapshot.findings, &obs) {
        let id = change.state.finding_id.clone();
        let seen = by_id.get(id.as_str()).copied();
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, seen, &obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }

    let blocked_anywhere: BTreeSet<String> = rule_coverage
        .iter()
        .filter_map(|c| c.collector.strip_prefix("rule:").map(str::to_owned))
        .collect();
    changed += observe_foreign(store, task, snapshot, &foreign, &blocked_anywhere).await?;
    changed += apply_suppressions(store, cfg, task, &observed).await?;

    let assessed: BTreeSet<String> = fresh
        .coverage
        .iter()
        .filter(|c| c.is_assessed())
        .map(|c| c.collector.clone())
        .collect();
    let diff = diff_scope(snapshot, &task.scope, &fresh_items, &assessed, reread);
    store.write_snapshot(&task.account_id, &diff).await?;

    Ok(ScopeOutcome {
        observed: observed.len(),
        changed,
        fresh,
    })
}

/// Facts only events know (AWS Health reported an access key exposed) are
/// kept on the fresh view of the same asset: collectors cannot see them.
fn carry_event_facts(fresh: &mut Inventory, snapshot: &AccountSnapshot) {
    const EVENT_FACTS: &[&str] = &["exposure_reported", "exposure_reported_at"];
    let stored: BTreeMap<&str, &crate::model::Asset> = snapshot
        .items
        .iter()
        .filter_map(|i| match &i.part {
            Part::Asset(a) => Some((a.arn.as_str(), a)),
            _ => None,
        })
        .collect();
    for a in &mut fresh.assets {
        if let Some(old) = stored.get(a.arn.as_str()) {
            for key in EVENT_FACTS {
                if let Some(v) = old.attributes.get(*key)
                    && !a.attributes.contains_key(*key)
                {
                    a.attributes.insert((*key).to_owned(), v.clone());
                }
            }
        }
    }
}

/// Findings this task's view proves about resources of the account's other
/// scopes (an AI workload's role, global, flagged because of a notebook in
/// this region) that the store does not hold yet: opened here. Everything
/// else about them (last seen, resolution, reopening) stays with the owning
/// scope, whose view of its own resources is fresh; this task may be reading
/// them from the previous sweep. Whichever of an account's tasks runs last
/// sees the freshest parts of both scopes, so such findings appear in the
/// first sweep whatever order Lambda runs the tasks in.
async fn observe_foreign<S: Store>(
    store: &S,
    task: &ScanTask,
    snapshot: &AccountSnapshot,
    foreign: &[crate::model::Finding],
    blocked_anywhere: &BTreeSet<String>,
) -> Result<u64, PipelineError> {
    let owner: BTreeMap<&str, &str> = snapshot
        .items
        .iter()
        .filter_map(|i| match &i.part {
            Part::Asset(a) => Some((a.arn.as_str(), i.scope.as_str())),
            _ => None,
        })
        .collect();
    // An event changes one resource against the stored rest of the account,
    // so its view of other scopes is current: findings there it changes
    // (a path over a global bucket that a regional job joins or leaves) are
    // brought up to date and those it ends are resolved. A sweep's scope
    // tasks see each other's state mid-sweep, so they only open new ones.
    let event = task.sweep_id.starts_with("event:");
    let none = BTreeSet::new();
    let mut changed = 0;
    let mut plans: Vec<(
        &str,
        Option<&crate::store::FindingState>,
        Option<&crate::model::Finding>,
    )> = Vec::new();
    for f in foreign {
        let Some(scope) = owner.get(f.resource_arn.as_str()).copied() else {
            continue;
        };
        let stored = snapshot.findings.iter().find(|s| s.finding_id == f.id);
        if scope == task.scope || (stored.is_some() && !event) {
            continue;
        }
        // Only what the event changed: an open finding with the same detail
        // and risk is left as its own scope last saw it.
        if stored.is_some_and(|s| {
            s.status != crate::model::FindingStatus::Resolved
                && s.severity == f.severity
                && s.risk_score == f.risk_score
                && s.detail_hash == lifecycle::FindingDetail::of(f).hash()
        }) {
            continue;
        }
        plans.push((scope, stored, Some(f)));
    }
    if event {
        for s in snapshot.findings.iter().filter(|s| {
            s.scope != task.scope
                && s.status != crate::model::FindingStatus::Resolved
                && !blocked_anywhere.contains(&s.rule_id)
                && owner.contains_key(s.resource_arn.as_str())
                && !foreign.iter().any(|f| f.id == s.finding_id)
        }) {
            plans.push((s.scope.as_str(), Some(s), None));
        }
    }
    for (scope, stored, f) in plans {
        let obs = Observation {
            scope,
            at: &task.sweep_at,
            sweep_id: &task.sweep_id,
            observed: f.map(std::slice::from_ref).unwrap_or_default(),
            blocked_rules: &none,
        };
        let Some(change) = lifecycle::plan_one(stored, f, &obs) else {
            continue;
        };
        let applied = apply_with_retry(store, change, |current| {
            lifecycle::plan_one(current, f, &obs)
        })
        .await?;
        if applied.is_some_and(|c| !c.events.is_empty()) {
            changed += 1;
        }
    }
    Ok(changed)
}

fn snapshot_items(scope: &str, inv: &Inventory) -> Vec<SnapshotItem> {
    let source = |key: String| {
        inv.provenance
            .get(&key)
            .cloned()
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let mut out = Vec::new();
    for a in &inv.assets {
        out.push(SnapshotItem::new(
            scope,
            &source(Inventory::asset_key(a)),
            Part::Asset(a.clone()),
        ));
    }
    for e in &inv.edges {
        out.push(SnapshotItem::new(
            scope,
            &source(Inventory::edge_key(e)),
            Part::Edge(e.clone()),
        ));
    }
    for c in &inv.coverage {
        out.push(SnapshotItem::new(
            scope,
            &c.collector,
            Part::Coverage(c.clone()),
        ));
    }
    out
}

/// Records the configured suppressions on the observed findings they match
/// (once: an unchanged entry is not written again). Expired entries match
/// nothing, so the lifecycle reopens what they suppressed.
async fn apply_suppressions<S: Store>(
    store: &S,
    cfg: &PipelineConfig,
    task: &ScanTask,
    observed: &[crate::model::Finding],
) -> Result<u64, PipelineError> {
    let mut changed = 0;
    for f in observed {
        let Some(entry) = cfg
            .suppressions
            .matching(&f.rule_id, &f.resource_arn, &task.sweep_at)
        else {
            continue;
        };
        let replan = |current: Option<&lifecycle::FindingState>| {
            current
                .filter(|c| !c.disposition.as_ref().is_some_and(|d| entry.is_set_by(d)))
                .map(|c| lifecycle::dispose(c, entry.disposition(&task.sweep_at), "suppressions"))
        };
        let Some(first) = replan(store.state(&task.account_id, &f.id).await?.as_ref()) else {
            continue;
        };
        if apply_with_retry(store, first, replan).await?.is_some() {
            changed += 1;
        }
    }
    Ok(changed)
}

/// The scanner's SQS handler: each record is one task; a record that is
/// malformed or whose task fails is reported as a batch item failure, so SQS
/// redelivers only it (and, after the queue's receive count, dead-letters it).
pub async fn handle_sqs_event<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("task", message_id = %message_id);
        let result = async {
            let body = record
                .body
                .as_deref()
                .ok_or_else(|| PipelineError::Message("empty body".to_owned()))?;
            let task = ScanTask::parse(body)?;
            let span = tracing::info_span!("scan", sweep_id = %task.sweep_id, account_id = %task.account_id, scope = %task.scope);
            run_task(settings, cfg, store, &task).instrument(span).await
        }
        .instrument(span)
        .await;
        if let Err(e) = result {
            let chain = crate::aws::source_chain(&e);
            if matches!(e, PipelineError::Message(_)) {
                warn!(message_id = %message_id, error = %chain, "malformed message");
            } else {
                error!(message_id = %message_id, error = %chain, "task failed");
            }
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn task() -> ScanTask {
        ScanTask {
            version: 1,
            sweep_id: "sw-1".to_owned(),
            sweep_at: "2026-11-24T01:00:00.000Z".to_owned(),
            account_id: "111111111111".to_owned(),
            scope: "us-east-1".to_owned(),
            home_region: "us-east-1".to_owned(),
            role_name: "aispm-scanner".to_owned(),
            external_id_ref: None,
            management_account: None,
        }
    }

    #[test]
    fn task_messages_round_trip_and_bad_ones_say_why() {
        let t = task();
        let body = serde_json::to_string(&t).unwrap();
        assert_eq!(ScanTask::parse(&body).unwrap(), t);
        let err = |b: &str| ScanTask::parse(b).unwrap_err().to_string();
        assert!(err("not json").starts_with("malformed scan task"));
        assert!(err(&body.replace("111111111111", "12")).contains("account id"));
        assert!(err(&body.replace("\"us-east-1\"", "\"mars-1\"")).contains("mars-1"));
        assert!(err(&body.replace("\"version\":1", "\"version\":9")).contains("version 9"));
    }

    #[test]
    fn config_names_what_is_missing() {
        let e = PipelineConfig::from_env(env(&[])).unwrap_err().to_string();
        assert!(e.contains("AISPM_TABLE"), "{e}");
        let e = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,nowhere"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("AISPM_REGIONS") && e.contains("nowhere"), "{e}");
        let c = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,eu-west-1"),
            ("AISPM_EXTERNAL_ID", "x-123"),
            ("AISPM_EXTERNAL_ID_REF", "AISPM_EXTERNAL_ID"),
        ]))
        .unwrap();
        assert_eq!(c.role_name, "aispm-scanner");
        assert_eq!(
            c.external_id(Some("AISPM_EXTERNAL_ID")).unwrap().as_deref(),
            Some("x-123")
        );
        assert!(c.external_id(Some("OTHER")).is_err());
        assert!(c.suppressions.is_empty());
        let e = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1"),
            ("AISPM_SUPPRESSIONS", r#"{"suppressions": [{"rule": "*"}]}"#),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("AISPM_SUPPRESSIONS") && e.contains("missing field"),
            "{e}"
        );
    }

    #[test]
    fn a_sweep_plans_global_plus_each_region_per_account() {
        let cfg = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,eu-west-1"),
        ]))
        .unwrap();
        let sweep = SweepRecord {
            sweep_id: "sw".to_owned(),
            started_at: "2026-11-24T01:00:00.000Z".to_owned(),
            accounts: vec!["111111111111".to_owned(), "222222222222".to_owned()],
            regions: cfg.regions.clone(),
            expected_tasks: 6,
            done_tasks: 0,
        };
        let tasks = plan_tasks(&sweep, &cfg, Some("111111111111"));
        assert_eq!(tasks.len() as u64, sweep.expected_tasks);
        let scopes: Vec<_> = tasks
            .iter()
            .map(|t| (t.account_id.as_str(), t.scope.as_str()))
            .collect();
        assert!(scopes.contains(&("222222222222", "global")));
        assert!(scopes.contains(&("222222222222", "eu-west-1")));
        assert!(
            tasks
                .iter()
                .all(|t| ScanTask::parse(&serde_json::to_string(t).unwrap()).is_ok())
        );
    }

    #[test]
    fn timestamps_are_fixed_width_and_sortable() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_795_000_000_007);
        let s = timestamp(t);
        assert_eq!(s.len(), "2026-11-24T01:00:00.000Z".len());
        assert!(s.ends_with(".007Z"), "{s}");
        assert!(is_timestamp(&s));
        let later = timestamp(t + std::time::Duration::from_millis(993));
        assert!(later > s);
    }
}
