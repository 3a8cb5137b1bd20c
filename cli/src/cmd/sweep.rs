//! `aispm sweep --local`: the sweep and scanner handlers in this process.

use std::io::Write;
use std::time::{Duration, SystemTime};

use aispm_shared::aws::{RequestCounter, base_config, caller_identity, parse_regions};
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline;
use aispm_shared::pipeline::local::{QueueSettings, drain, ensure_queues};
use aispm_shared::scan::parse_account_ids;
use aispm_shared::store::{FindingFilter, FindingReads, Sweeps, ensure_table};
use anyhow::Context;
use clap::Args;

use super::findings::print_states;
use super::store::{ScannerArgs, StoreArgs};
use crate::Format;

/// `aispm sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// Run the sweep and scanner handlers in this process against SQS and
    /// DynamoDB (the emulator's, or your account's), exactly as Lambda would:
    /// creates the table and queues when missing. Required: in AWS the
    /// schedule starts the deployed sweep function.
    #[arg(long, required = true)]
    local: bool,
    #[command(flatten)]
    store: StoreArgs,
    /// Comma-separated regions to sweep.
    #[arg(long, required = true)]
    regions: String,
    /// Comma-separated account ids to sweep instead of the whole organization.
    #[arg(long)]
    accounts: Option<String>,
    #[command(flatten)]
    scanner: ScannerArgs,
    /// The scan queue (its dead-letter queue is `<queue>-dlq`).
    #[arg(long, default_value = "aispm-scan")]
    queue: String,
    /// Records per scanner invocation (the event source's batch size).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..=10))]
    batch_size: i32,
    /// Give up when the queue has not drained after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) async fn sweep(args: SweepArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    debug_assert!(args.local);
    let regions = parse_regions(&args.regions).context("invalid --regions")?;
    let accounts = args
        .accounts
        .as_deref()
        .map(parse_account_ids)
        .transpose()
        .context("invalid --accounts")?;
    let (settings, sdk, store) = args.store.open().await?;
    let probe = base_config(&settings.probe(), &args.store.store_region).await;
    caller_identity(&probe, &RequestCounter::new())
        .await
        .context("could not identify the caller with sts:GetCallerIdentity; check credentials and the endpoint")?;
    ensure_table(&sdk, &args.store.table)
        .await
        .with_context(|| format!("could not create or find table `{}`", args.store.table))?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queues = ensure_queues(&sqs, &args.queue, QueueSettings::default())
        .await
        .with_context(|| format!("could not create or find queue `{}`", args.queue))?;
    let mut cfg = args.scanner.config(&args.store.table, regions)?;
    cfg.queue_url = Some(queues.queue_url.clone());
    cfg.accounts = accounts;
    cfg.assume_role_in_own_account = false;
    let sweep = pipeline::run_sweep(&settings, &cfg, &store, &sqs, SystemTime::now()).await?;
    let report = drain(
        &settings,
        &cfg,
        &store,
        &sqs,
        &queues,
        args.batch_size,
        Duration::from_secs(args.timeout_secs),
    )
    .await?;
    let record = store.sweep(&sweep.sweep_id).await?.unwrap_or(sweep);
    let tasks = store.tasks(&record.sweep_id).await?;
    let findings = store
        .list(&FindingFilter {
            status: Some(FindingStatus::Open),
            ..FindingFilter::default()
        })
        .await?;
    match args.format {
        Format::Json => {
            let v = serde_json::json!({
                "sweep": record,
                "failed_messages": report.failed,
                "not_assessed": tasks.iter().flat_map(|t| t.not_assessed.iter()).collect::<Vec<_>>(),
                "findings": findings,
            });
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "sweep {}: {} of {} tasks done, {} accounts, {} message failures (retried; dead-lettered after {} receives)",
                record.sweep_id,
                record.done_tasks,
                record.expected_tasks,
                record.accounts.len(),
                report.failed,
                QueueSettings::default().max_receive_count
            )?;
            let not: Vec<_> = tasks.iter().flat_map(|t| t.not_assessed.iter()).collect();
            writeln!(
                out,
                "{} collector runs not assessed (never counted as passes)",
                not.len()
            )?;
            for c in not.iter().filter(|c| c.collector == "account") {
                writeln!(
                    out,
                    "  account {} not assessed: {}",
                    c.account_id,
                    c.detail.as_deref().unwrap_or_default()
                )?;
            }
            writeln!(out)?;
            print_states(&findings, out)?;
        }
    }
    Ok(())
}
