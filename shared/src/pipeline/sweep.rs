//! Sweep planning: one task per account × (each region + global), recorded
//! and queued.

use std::time::SystemTime;

use tracing::info;

use super::{MESSAGE_VERSION, PipelineConfig, PipelineError, ScanTask, enqueue};
use crate::aws::{AwsSettings, RequestCounter, base_config, caller_identity};
use crate::model::{GLOBAL_REGION, Timestamp};
use crate::scan::{self, ScanError};
use crate::store::{SweepRecord, Sweeps, short_hash};

fn sweep_id(started_at: &str) -> String {
    let compact: String = started_at
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let suffix = short_hash(format!("{nanos}-{}", std::process::id()).as_bytes());
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
pub async fn run_sweep<S: Sweeps>(
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
    let started_at = Timestamp::from(now).to_string();
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
