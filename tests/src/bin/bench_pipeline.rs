//! `aispm-bench-pipeline [--functions DIR]`: measures the pipeline on the demo
//! organization in its own emulator and prints the figures as JSON.
//!
//! - two org-wide sweeps through the real handlers (sweep + SQS + scanner, in
//!   process): wall time, findings, and the DynamoDB write units (estimated from
//!   item sizes with DynamoDB's billing rules) the second, unchanged sweep
//!   consumed per finding;
//! - with `--functions DIR` (cargo-lambda's `target/lambda`): each bootstrap's
//!   size, and scan-account's cold init (process start to its first Runtime API
//!   request) and peak RSS while it scans the whole demo estate in one process.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use aispm_shared::aws::AwsSettings;
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::local::{QueueSettings, drain, ensure_queues};
use aispm_shared::pipeline::{PipelineConfig, run_sweep};
use aispm_shared::rules::RuleConfig;
use aispm_shared::store::{DynamoStore, FindingFilter, Store, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::runtime_api::{Function, Outcome};
use aispm_tests::seed::{emulator_config, seed};
use anyhow::{Context, bail};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use clap::Parser;
use serde_json::json;

/// Measure the serverless pipeline on the demo organization.
#[derive(Parser)]
struct Args {
    /// cargo-lambda's output directory (with `sweep/bootstrap` and
    /// `scan-account/bootstrap`), to measure the release binaries too.
    #[arg(long)]
    functions: Option<PathBuf>,
}

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let emu = Emulator::start().context("start the emulator")?;
    let result = bench(&emu, &args).await;
    emu.stop();
    let figures = result?;
    println!("{}", serde_json::to_string_pretty(&figures)?);
    Ok(())
}

async fn bench(emu: &Emulator, args: &Args) -> anyhow::Result<serde_json::Value> {
    let url = emu.url.clone();
    seed(&url).await.context("seed")?;
    let sdk = emulator_config(&url, "us-east-1").await;
    ensure_table(&sdk, "bench").await?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queues = ensure_queues(&sqs, "bench", QueueSettings::default()).await?;
    let settings = AwsSettings {
        endpoint_url: Some(url.clone()),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "bench",
        ))),
        ..AwsSettings::default()
    };
    let cfg = PipelineConfig {
        table: "bench".to_owned(),
        queue_url: Some(queues.queue_url.clone()),
        regions: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
        role_name: "aispm-scanner".to_owned(),
        external_id_ref: None,
        external_ids: Default::default(),
        accounts: None,
        rules: RuleConfig::default(),
        suppressions: Default::default(),
        collector_concurrency: 8,
        assume_role_in_own_account: false,
    };
    let store = DynamoStore::new(&sdk, "bench");
    let mut sweeps = Vec::new();
    for n in 1..=2 {
        store.meter().reset();
        let started = Instant::now();
        let sweep = run_sweep(&settings, &cfg, &store, &sqs, SystemTime::now()).await?;
        let report = drain(
            &settings,
            &cfg,
            &store,
            &sqs,
            &queues,
            5,
            Duration::from_secs(600),
        )
        .await?;
        let wall = started.elapsed();
        let open = store
            .list(&FindingFilter {
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            })
            .await?;
        let units = store.meter().units();
        let writes = store.meter().finding_writes();
        sweeps.push(json!({
            "sweep": n,
            "wall_time_ms": wall.as_millis(),
            "tasks": sweep.expected_tasks,
            "failed_messages": report.failed,
            "open_findings": open.len(),
            "finding_state_writes": writes,
            "write_units_estimated": units,
            "finding_write_units": store.meter().finding_units(),
            "snapshot_write_units": store.meter().snapshot_units(),
            "write_units_per_finding": if open.is_empty() { 0.0 } else { units as f64 / open.len() as f64 },
        }));
    }
    let mut out = json!({"regions": REGIONS, "sweeps": sweeps});
    if let Some(dir) = &args.functions {
        out["functions"] =
            functions(dir, &url, &queues.queue_url, &sqs, &settings, &cfg, &store).await?;
    }
    Ok(out)
}

async fn functions(
    dir: &std::path::Path,
    url: &str,
    queue_url: &str,
    sqs: &aws_sdk_sqs::Client,
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &DynamoStore,
) -> anyhow::Result<serde_json::Value> {
    let mut sizes = serde_json::Map::new();
    for f in ["sweep", "scan-account"] {
        let p = dir.join(f).join("bootstrap");
        let meta = std::fs::metadata(&p).with_context(|| format!("{}", p.display()))?;
        sizes.insert(f.to_owned(), json!(meta.len()));
    }
    // Queue a third sweep, then hand all of its tasks to one scan-account process.
    run_sweep(settings, cfg, store, sqs, SystemTime::now()).await?;
    let mut records = Vec::new();
    for _ in 0..30 {
        let r = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .wait_time_seconds(1)
            .send()
            .await?;
        for m in r.messages() {
            records.push(json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": {}, "messageAttributes": {},
                "eventSource": "aws:sqs", "awsRegion": "us-east-1",
            }));
        }
        if records.len() >= 9 {
            break;
        }
    }
    let bin = dir.join("scan-account").join("bootstrap");
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", url),
        ("AISPM_TABLE", "bench"),
        ("AISPM_REGIONS", "us-east-1,eu-west-1"),
        ("AISPM_LOG", "warn"),
    ];
    let f = Function::start(&bin.to_string_lossy(), "aispm-scan-account", &env)?;
    let init_ms = f.init_ms(Duration::from_secs(10))?;
    let id = f.api.invoke(&json!({ "Records": records }).to_string());
    let outcome = f.api.outcome(&id, Duration::from_secs(300))?;
    let rss = f.peak_rss_kib().unwrap_or_default();
    let logs = f.stop();
    if let Outcome::Error(e) = outcome {
        bail!("scan-account failed: {e}\n{logs}");
    }
    Ok(json!({
        "bootstrap_bytes": sizes,
        "scan_account_cold_init_ms": (init_ms * 10.0).round() / 10.0,
        "scan_account_tasks_in_one_process": records.len(),
        "scan_account_peak_rss_mib": rss / 1024,
    }))
}
