//! `aispm-bench-pipeline [--functions DIR]`: measures the pipeline on the demo
//! organization in its own emulator and prints the figures as JSON.
//!
//! - two org-wide sweeps through the real handlers (sweep + SQS + scanner, in
//!   process): wall time, findings, and the DynamoDB write units (estimated from
//!   item sizes with DynamoDB's billing rules) the second, unchanged sweep
//!   consumed per finding;
//! - with `--functions DIR` (cargo-lambda's `target/lambda`): each bootstrap's
//!   size, and scan-account's cold init (process start to its first Runtime API
//!   request) and peak RSS while it scans the whole demo estate in one process;
//! - event triggers: the AWS requests and wall time of a representative
//!   CloudTrail event per service (samples from `events/`, on demo resources)
//!   on the demo estate, then again after the event's account grew tenfold
//!   (unrelated buckets, roles and secrets, swept into the store): the
//!   request count must not grow with the estate.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use aispm_shared::aws::AwsSettings;
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::local::{QueueSettings, drain, ensure_queues};
use aispm_shared::pipeline::{PipelineConfig, run_sweep, timestamp};
use aispm_shared::rules::RuleConfig;
use aispm_shared::store::prelude::*;
use aispm_shared::store::{DynamoStore, FindingFilter, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::runtime_api::{Function, Outcome};
use aispm_tests::seed::{Estate, emulator_config, enter, seed};
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
    let est = seed(&url).await.context("seed")?;
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
    let small = events(&settings, &cfg, &store, &est).await?;
    let before = account_assets(&store, &est.ml_platform).await?;
    grow(&sdk, &est.ml_platform, 9 * before).await?;
    run_sweep(&settings, &cfg, &store, &sqs, SystemTime::now()).await?;
    drain(
        &settings,
        &cfg,
        &store,
        &sqs,
        &queues,
        5,
        Duration::from_secs(1800),
    )
    .await?;
    let after = account_assets(&store, &est.ml_platform).await?;
    let large = events(&settings, &cfg, &store, &est).await?;
    let rows: Vec<serde_json::Value> = small
        .iter()
        .zip(&large)
        .map(|(s, l)| {
            json!({
                "event": s.0,
                "requests": s.1,
                "requests_10x": l.1,
                "wall_time_ms": s.2,
                "wall_time_ms_10x": l.2,
            })
        })
        .collect();
    if small.iter().zip(&large).any(|(s, l)| s.1 != l.1) {
        bail!("the request count grew with the estate: {rows:?}");
    }
    out["events"] = json!({
        "account_assets": before,
        "account_assets_10x": after,
        "per_event": rows,
    });
    Ok(out)
}

/// The stored assets of one account.
async fn account_assets(store: &DynamoStore, account: &str) -> anyhow::Result<usize> {
    Ok(store
        .account(account)
        .await?
        .items
        .iter()
        .filter(|i| matches!(i.part, aispm_shared::store::Part::Asset(_)))
        .count())
}

/// Adds `n` unrelated resources to `account` (a third each buckets, roles
/// and secrets, in us-east-1).
async fn grow(base: &aws_types::SdkConfig, account: &str, n: usize) -> anyhow::Result<()> {
    let cfg = enter(base, account, "OrganizationAccountAccessRole").await?;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(true)
            .build(),
    );
    let iam = aws_sdk_iam::Client::new(&cfg);
    let secrets = aws_sdk_secretsmanager::Client::new(&cfg);
    for i in 0..n {
        match i % 3 {
            0 => {
                s3.create_bucket()
                    .bucket(format!("unrelated-{i}-{account}"))
                    .send()
                    .await?;
            }
            1 => {
                iam.create_role()
                    .role_name(format!("unrelated-{i}"))
                    .assume_role_policy_document(
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                    )
                    .send()
                    .await?;
            }
            _ => {
                secrets
                    .create_secret()
                    .name(format!("unrelated/{i}"))
                    .secret_string("placeholder")
                    .send()
                    .await?;
            }
        }
    }
    Ok(())
}

/// A sample (under `events/cloudtrail`), the account it happens in, and the
/// names to substitute for the sample's.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

/// Feeds one sample event per service through the on-event handler, on demo
/// resources: (event, AWS requests, wall time in ms).
async fn events(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &DynamoStore,
    est: &Estate,
) -> anyhow::Result<Vec<(String, u64, u128)>> {
    let ml = est.ml_platform.as_str();
    let training = format!("fraud-training-data-{ml}");
    let cases: [Case<'_>; 5] = [
        (
            "s3/PutBucketPolicy",
            ml,
            vec![("example-training-data", training.as_str())],
        ),
        (
            "iam/AttachRolePolicy",
            ml,
            vec![("example-model-exec", "ml-training-exec")],
        ),
        (
            "sagemaker/UpdateNotebookInstance",
            ml,
            vec![("example-notebook", "fraud-research")],
        ),
        (
            "secretsmanager/PutResourcePolicy",
            est.management.as_str(),
            vec![("example/openai-api-key", "prod/openai-api-key")],
        ),
        ("bedrock/PutModelInvocationLoggingConfiguration", ml, vec![]),
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events/cloudtrail");
    let mut out = Vec::new();
    for (file, account, names) in cases {
        let path = root.join(format!("{file}.json"));
        let mut text =
            std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        text = text.replace("111122223333", account);
        for (from, to) in names {
            text = text.replace(from, to);
        }
        let mut event: serde_json::Value = serde_json::from_str(&text)?;
        let now = timestamp(SystemTime::now());
        event["time"] = json!(now);
        event["detail"]["eventTime"] = json!(now);
        let started = Instant::now();
        let outcome = aispm_shared::events::handle(settings, cfg, store, &event)
            .await
            .with_context(|| format!("event {file}"))?;
        let wall = started.elapsed().as_millis();
        if outcome.resource.is_none() {
            bail!("event {file} found no resource: {outcome:?}");
        }
        out.push((file.to_owned(), outcome.requests, wall));
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
