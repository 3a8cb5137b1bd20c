//! The serverless pipeline against the emulator's SQS and DynamoDB: sweeps of
//! the demo organization through the real handlers (via `aispm sweep --local`
//! and in process), the finding lifecycle across sweeps, redelivery,
//! dead-lettering and concurrent scanners. This binary has its own moto server;
//! tests that run next to the lifecycle test (which changes the estate) sweep
//! only the `data-science` account, which it leaves alone.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aispm_shared::aws::AwsSettings;
use aispm_shared::pipeline::local::{QueueSettings, drain, ensure_queues};
use aispm_shared::pipeline::{PipelineConfig, ScanTask, handle_sqs_event, plan_tasks, timestamp};
use aispm_shared::rules::RuleConfig;
use aispm_shared::store::prelude::*;
use aispm_shared::store::{DynamoStore, FindingFilter, SweepRecord, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::proxy::{Fault, FaultProxy, RandomFaults};
use aispm_tests::seed::{Estate, emulator_config, fix_public_rag_bucket, seed};
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use serde_json::Value;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

fn estate() -> &'static Estate {
    static ESTATE: OnceLock<Estate> = OnceLock::new();
    ESTATE.get_or_init(|| {
        let url = Emulator::shared().url.clone();
        std::thread::spawn(move || rt().block_on(seed(&url)).expect("seeding the demo estate"))
            .join()
            .expect("seed thread")
    })
}

fn aispm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AISPM_TABLE")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run aispm")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "aispm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

fn settings(url: &str) -> AwsSettings {
    AwsSettings {
        endpoint_url: Some(url.to_owned()),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "tests",
        ))),
        ..AwsSettings::default()
    }
}

fn config(
    table: &str,
    queue_url: Option<String>,
    accounts: Vec<String>,
    regions: &[&str],
) -> PipelineConfig {
    PipelineConfig {
        table: table.to_owned(),
        queue_url,
        regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        role_name: "aispm-scanner".to_owned(),
        external_id_ref: None,
        external_ids: BTreeMap::new(),
        accounts: Some(accounts),
        rules: RuleConfig::default(),
        suppressions: Default::default(),
        collector_concurrency: 8,
        assume_role_in_own_account: false,
    }
}

/// Every item of a table, as sorted JSON text keyed by (pk, sk).
async fn dump(sdk: &aws_types::SdkConfig, table: &str) -> BTreeMap<(String, String), String> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let mut out = BTreeMap::new();
    let mut start = None;
    loop {
        let resp = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("scan table");
        for item in resp.items() {
            let m = aispm_shared::store::item::from_item(item);
            let key = (
                m["pk"].as_str().unwrap().to_owned(),
                m["sk"].as_str().unwrap().to_owned(),
            );
            let sorted: BTreeMap<_, _> = m.into_iter().collect();
            out.insert(key, serde_json::to_string(&sorted).unwrap());
        }
        match resp.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return out,
        }
    }
}

/// A sweep record and its tasks for some accounts, created directly.
async fn new_sweep(
    store: &DynamoStore,
    cfg: &PipelineConfig,
    at: SystemTime,
    id: &str,
) -> (SweepRecord, Vec<ScanTask>) {
    let accounts = cfg.accounts.clone().unwrap();
    let sweep = SweepRecord {
        sweep_id: id.to_owned(),
        started_at: timestamp(at),
        expected_tasks: (accounts.len() * (cfg.regions.len() + 1)) as u64,
        accounts,
        regions: cfg.regions.clone(),
        done_tasks: 0,
    };
    store.create_sweep(&sweep).await.expect("create sweep");
    let tasks = plan_tasks(&sweep, cfg, None);
    (sweep, tasks)
}

fn event(bodies: &[(String, String)]) -> SqsEvent {
    let mut ev = SqsEvent::default();
    for (id, body) in bodies {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.clone());
        m.body = Some(body.clone());
        m.event_source = Some("aws:sqs".to_owned());
        ev.records.push(m);
    }
    ev
}

fn states_by_id(v: &Value) -> BTreeMap<String, Value> {
    v.as_array()
        .expect("array")
        .iter()
        .filter(|f| f["status"] != "not_assessed")
        .map(|f| {
            // named `id` as in `aispm scan`'s output
            assert_eq!(f["id"], f["finding_id"], "{f}");
            (f["id"].as_str().unwrap().to_owned(), f.clone())
        })
        .collect()
}

#[test]
fn sweeps_keep_findings_with_a_lifecycle() {
    let est = estate();
    let emu = Emulator::shared();
    let url = emu.url.as_str();
    let store_args = [
        "--endpoint-url",
        url,
        "--table",
        "lifecycle",
        "--format",
        "json",
    ];
    let sweep = |endpoint: &str| {
        json_of(&aispm(&[
            "sweep",
            "--local",
            "--endpoint-url",
            endpoint,
            "--table",
            "lifecycle",
            "--queue",
            "lifecycle",
            "--regions",
            "us-east-1,eu-west-1",
            "--format",
            "json",
        ]))
    };
    let list_all = || {
        let mut args = vec!["findings", "list", "--status", "all"];
        args.extend(store_args);
        states_by_id(&json_of(&aispm(&args)))
    };

    // GIVEN a first sweep of the organization
    let first = sweep(url);
    assert_eq!(
        first["sweep"]["done_tasks"],
        first["sweep"]["expected_tasks"]
    );
    let after_first = list_all();
    assert!(after_first.len() >= 10, "findings: {}", after_first.len());
    assert!(after_first.values().all(|f| f["status"] == "open"));
    // the same findings `aispm scan` reports, no more, no fewer
    let scan = json_of(&aispm(&[
        "scan",
        "--endpoint-url",
        url,
        "--regions",
        "us-east-1,eu-west-1",
        "--organization",
        "--format",
        "json",
    ]));
    // (except the one rule that needs other accounts' IAM: the sweep
    // reconciles one account at a time and records it as a gap instead,
    // never a pass; `aispm scan --organization` decides it)
    let org_view = "path_cross_account_training_data";
    let scanned: std::collections::BTreeSet<String> = scan
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "not_assessed" && f["rule_id"] != org_view)
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        scan.as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == org_view && f["status"] == "open"),
        "the organization scan decides the cross-account path"
    );
    assert_eq!(scanned, after_first.keys().cloned().collect());
    // and the same not-assessed rule x scope records, from the store
    let gaps_of = |v: &Value| -> std::collections::BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "not_assessed" && f["rule_id"] != org_view)
            .map(|g| {
                format!(
                    "{} {} {} {} {}",
                    g["rule_id"], g["account_id"], g["region"], g["collector"], g["reason"]
                )
            })
            .collect()
    };
    let mut args = vec!["findings", "list"];
    args.extend(store_args);
    let stored = json_of(&aispm(&args));
    let stored_gaps = gaps_of(&stored);
    assert!(!stored_gaps.is_empty());
    assert_eq!(stored_gaps, gaps_of(&scan));
    assert!(
        stored
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["rule_id"] == org_view
                && g["status"] == "not_assessed"
                && g["region"] == "us-east-1"),
        "the sweep records the cross-account path as not assessed: {stored:#}"
    );

    // WHEN nothing changes and it sweeps again
    sweep(url);
    let after_second = list_all();
    // THEN no new findings, no duplicates, and last seen moved
    assert_eq!(
        after_second.keys().collect::<Vec<_>>(),
        after_first.keys().collect::<Vec<_>>()
    );
    for (id, f) in &after_second {
        let before = &after_first[id];
        assert_eq!(f["first_seen"], before["first_seen"], "{id}");
        assert!(
            f["last_seen"].as_str() > before["last_seen"].as_str(),
            "{id}"
        );
        assert_eq!(f["status"], "open");
        assert_eq!(f["occurrence"], 1);
    }

    // WHEN one seeded misconfiguration is fixed and it sweeps again
    let fixed_arn = rt()
        .block_on(fix_public_rag_bucket(url, est))
        .expect("fix the rag bucket");
    sweep(url);
    let after_fix = list_all();
    // THEN exactly that finding is resolved
    let changed: Vec<_> = after_fix
        .iter()
        .filter(|(id, f)| f["status"] != after_second[*id]["status"])
        .collect();
    assert_eq!(changed.len(), 1, "changed: {changed:?}");
    let (resolved_id, resolved) = changed[0];
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["rule_id"], "s3_bucket_public_read");
    assert_eq!(resolved["resource_arn"], fixed_arn.as_str());
    let mut show = vec!["findings", "show", resolved_id.as_str()];
    show.extend(store_args);
    let shown = json_of(&aispm(&show));
    let kinds: Vec<_> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "resolved"]);

    // THEN the posture metrics count the remediation, the shadow AI and the
    // rules that could not judge (the emulator has no Bedrock guardrails API)
    let mut metrics = vec!["metrics"];
    metrics.extend(store_args); // ends with `--format json`
    let m = json_of(&aispm(&metrics));
    assert_eq!(m["time_to_remediate"]["s3"]["remediated"], 1, "{m}");
    assert_eq!(m["findings_by_status"]["resolved"], 1, "{m}");
    assert!(m["governance"]["shadow_ai"].as_u64().unwrap() >= 3, "{m}");
    assert!(
        m["coverage"]["rule_gaps"]["bedrock_guardrail_prompt_attack_weak"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{m}"
    );
    assert!(
        m["coverage"]["not_assessed_by_reason"]["api_unavailable"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{m}"
    );
    let mut table = vec!["metrics"];
    table.extend(&store_args[..store_args.len() - 2]);
    let text = String::from_utf8(aispm(&table).stdout).unwrap();
    assert!(
        text.contains("shadow AI") && text.contains("time to remediate     s3: 1 remediated"),
        "{text}"
    );

    // WHEN the ml-platform account becomes unreachable
    let proxy = FaultProxy::start(emu.port, vec![Fault::deny_assume_role(&est.ml_platform)])
        .expect("proxy");
    let fourth = sweep(&proxy.url);
    let after_outage = list_all();
    // THEN its findings stay open and untouched, with a coverage record saying why
    for (id, f) in after_outage
        .iter()
        .filter(|(_, f)| f["account_id"] == est.ml_platform.as_str())
    {
        assert_eq!(f["status"], after_fix[id]["status"], "{id}");
        assert_eq!(f["last_seen"], after_fix[id]["last_seen"], "{id}");
    }
    assert!(
        after_outage
            .values()
            .any(|f| f["account_id"] == est.ml_platform.as_str() && f["status"] == "open")
    );
    let reasons: Vec<_> = fourth["not_assessed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["account_id"] == est.ml_platform.as_str() && c["collector"] == "account")
        .map(|c| c["reason"].as_str().unwrap().to_owned())
        .collect();
    assert!(!reasons.is_empty());
    assert!(reasons.iter().all(|r| r == "assume_role_failed"));
}

#[test]
fn the_same_message_twice_leaves_the_tables_as_one_delivery() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    rt().block_on(async {
        let sdk = emulator_config(&url, "us-east-1").await;
        ensure_table(&sdk, "redelivery").await.unwrap();
        let store = DynamoStore::new(&sdk, "redelivery");
        let cfg = config(
            "redelivery",
            None,
            vec![est.data_science.clone()],
            &["eu-west-1"],
        );
        let (sweep, tasks) = new_sweep(&store, &cfg, SystemTime::now(), "sw-redelivery").await;
        let bodies: Vec<_> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("m{i}"), serde_json::to_string(t).unwrap()))
            .collect();
        let s = settings(&url);
        let resp = handle_sqs_event(&s, &cfg, &store, event(&bodies), None).await;
        assert!(resp.batch_item_failures.is_empty());
        let once = dump(&sdk, "redelivery").await;
        assert!(
            once.keys()
                .any(|(pk, sk)| pk.starts_with("ACCOUNT#") && sk.starts_with("F#"))
        );
        let resp = handle_sqs_event(&s, &cfg, &store, event(&bodies), None).await;
        assert!(resp.batch_item_failures.is_empty());
        let twice = dump(&sdk, "redelivery").await;
        let differing: Vec<_> = once
            .keys()
            .chain(twice.keys())
            .filter(|k| once.get(*k) != twice.get(*k))
            .collect();
        assert!(differing.is_empty(), "items differ: {differing:?}");
        let record = store.sweep(&sweep.sweep_id).await.unwrap().unwrap();
        assert_eq!(record.done_tasks, tasks.len() as u64);
    });
}

#[test]
fn a_malformed_message_fails_alone_and_is_dead_lettered() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    rt().block_on(async {
        let sdk = emulator_config(&url, "us-east-1").await;
        ensure_table(&sdk, "dlq").await.unwrap();
        let store = DynamoStore::new(&sdk, "dlq");
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let qs = QueueSettings {
            max_receive_count: 2,
            visibility_timeout_secs: 1,
        };
        let queues = ensure_queues(&sqs, "dlq-test", qs).await.unwrap();
        let cfg = config(
            "dlq",
            Some(queues.queue_url.clone()),
            vec![est.data_science.clone()],
            &["eu-west-1"],
        );
        let (sweep, tasks) = new_sweep(&store, &cfg, SystemTime::now(), "sw-dlq").await;
        // one batch: a broken message between two good ones
        let garbage = r#"{"version":1,"sweep_id":"sw-dlq","account_id":"not-an-account"}"#;
        let mut entries = vec![garbage.to_owned()];
        entries.extend(tasks.iter().map(|t| serde_json::to_string(t).unwrap()));
        let batch = entries
            .iter()
            .enumerate()
            .map(|(i, b)| {
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(format!("e{i}"))
                    .message_body(b)
                    .build()
                    .unwrap()
            })
            .collect();
        sqs.send_message_batch()
            .queue_url(&queues.queue_url)
            .set_entries(Some(batch))
            .send()
            .await
            .unwrap();
        let report = drain(
            &settings(&url),
            &cfg,
            &store,
            &sqs,
            &queues,
            10,
            Duration::from_secs(120),
        )
        .await
        .unwrap();
        // the good messages were processed once, the broken one failed on every receive
        assert_eq!(report.succeeded, 2);
        assert_eq!(report.failed, u64::from(qs.max_receive_count));
        let record = store.sweep(&sweep.sweep_id).await.unwrap().unwrap();
        assert!(record.is_complete());
        // and SQS moved it to the dead-letter queue
        let dead = sqs
            .receive_message()
            .queue_url(&queues.dlq_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let bodies: Vec<_> = dead.messages().iter().filter_map(|m| m.body()).collect();
        assert_eq!(bodies, [garbage]);
    });
}

#[test]
fn concurrent_scanners_of_one_account_lose_nothing() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    rt().block_on(async {
        let sdk = emulator_config(&url, "us-east-1").await;
        let s = settings(&url);
        // reference: one sweep, one task at a time
        ensure_table(&sdk, "sequential").await.unwrap();
        let seq = DynamoStore::new(&sdk, "sequential");
        let cfg = config(
            "sequential",
            None,
            vec![est.data_science.clone()],
            &["us-east-1", "eu-west-1"],
        );
        let t0 = SystemTime::now();
        let (_, tasks) = new_sweep(&seq, &cfg, t0, "sw-seq").await;
        for t in &tasks {
            aispm_shared::pipeline::run_task(&s, &cfg, &seq, t)
                .await
                .unwrap();
        }
        let reference = seq.list(&FindingFilter::default()).await.unwrap();
        assert!(!reference.is_empty());

        // two sweeps of the same account at once, every task twice
        ensure_table(&sdk, "concurrent").await.unwrap();
        let store = DynamoStore::new(&sdk, "concurrent");
        let cfg = config(
            "concurrent",
            None,
            vec![est.data_science.clone()],
            &["us-east-1", "eu-west-1"],
        );
        let (a, ta) = new_sweep(&store, &cfg, t0, "sw-a").await;
        let (b, tb) = new_sweep(&store, &cfg, t0 + Duration::from_millis(5), "sw-b").await;
        let all: Vec<&ScanTask> = ta.iter().chain(&tb).chain(&ta).chain(&tb).collect();
        let results = futures::future::join_all(
            all.iter()
                .map(|t| aispm_shared::pipeline::run_task(&s, &cfg, &store, t)),
        )
        .await;
        for r in results {
            r.expect("task");
        }
        let got = store.list(&FindingFilter::default()).await.unwrap();
        let ids = |v: &[aispm_shared::store::FindingState]| {
            v.iter()
                .map(|f| format!("{} {} {}", f.finding_id, f.rule_id, f.resource_arn))
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(ids(&got), ids(&reference));
        for f in &got {
            assert_eq!(f.status, aispm_shared::model::FindingStatus::Open);
            assert!(f.first_seen == a.started_at || f.first_seen == b.started_at);
            let cross_scope = ["identity_", "s3_ai_bucket_", "path_"]
                .iter()
                .any(|p| f.rule_id.starts_with(p));
            if cross_scope {
                // Cross-scope findings (a global role or bucket flagged
                // through a regional workload's edge, attack paths) are opened
                // by whichever task sees both scopes first; when every task
                // races, the later sweep may not have touched them yet. Never
                // older than the first sweep.
                assert!(
                    f.last_seen == a.started_at || f.last_seen == b.started_at,
                    "{}",
                    f.finding_id
                );
            } else {
                assert_eq!(f.last_seen, b.started_at, "{}", f.finding_id);
            }
        }
        for sw in [&a, &b] {
            let r = store.sweep(&sw.sweep_id).await.unwrap().unwrap();
            assert_eq!(r.done_tasks, r.expected_tasks, "{}", sw.sweep_id);
        }
    });
}

#[test]
fn suppress_and_accept_need_a_reason_an_expiry_and_survive_sweeps() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    let store = ["--endpoint-url", url.as_str(), "--table", "dispositions"];
    let sweep = || {
        json_of(&aispm(&[
            "sweep",
            "--local",
            "--endpoint-url",
            &url,
            "--table",
            "dispositions",
            "--queue",
            "dispositions",
            "--regions",
            "eu-west-1",
            "--accounts",
            &est.data_science,
            "--format",
            "json",
        ]))
    };
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(store);
        aispm(&a)
    };
    let first = sweep();
    let id = first["findings"][0]["finding_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // missing reason or expiry is a usage error; a past expiry, a missing
    // owner for an acceptance and an unknown id are refused with a message
    assert_eq!(
        run(&["findings", "suppress", &id, "--expires", "2099-01-01"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["findings", "suppress", &id, "--reason", "x"])
            .status
            .code(),
        Some(2)
    );
    let past = run(&[
        "findings",
        "suppress",
        &id,
        "--reason",
        "x",
        "--expires",
        "2001-01-01",
    ]);
    assert_eq!(past.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&past.stderr).contains("in the past"));
    let no_owner = run(&[
        "findings",
        "accept",
        &id,
        "--reason",
        "x",
        "--expires",
        "2099-01-01",
    ]);
    assert_eq!(no_owner.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_owner.stderr).contains("--owner"));
    let unknown = run(&[
        "findings",
        "suppress",
        "0000",
        "--reason",
        "x",
        "--expires",
        "2099-01-01",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no finding with id `0000`"));

    // accepted with an owner: listed as such, and a new sweep keeps it so
    let ok = run(&[
        "findings",
        "accept",
        &id,
        "--reason",
        "sandbox account, no data",
        "--expires",
        "2099-01-01",
        "--owner",
        "data-science-lead",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    sweep();
    let shown = json_of(&run(&["findings", "show", &id, "--format", "json"]));
    assert_eq!(shown["finding"]["status"], "risk_accepted");
    assert_eq!(
        shown["finding"]["disposition"]["owner"],
        "data-science-lead"
    );
    assert_eq!(
        shown["finding"]["disposition"]["expires_at"],
        "2099-01-01T23:59:59.000Z"
    );
    let kinds: Vec<_> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "risk_accepted"]);
    let accepted = json_of(&run(&[
        "findings",
        "list",
        "--status",
        "risk-accepted",
        "--format",
        "json",
    ]));
    assert_eq!(accepted.as_array().unwrap().len(), 1);
}

/// An AI role (global) is flagged because of a notebook (regional) that runs
/// as it. Lambda may run the account's global task before the regional one:
/// the finding must still exist after the first sweep.
#[test]
fn cross_scope_findings_appear_in_the_first_sweep_whatever_the_task_order() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    rt().block_on(async {
        let sdk = emulator_config(&url, "us-east-1").await;
        let s = settings(&url);
        ensure_table(&sdk, "global-first").await.unwrap();
        let store = DynamoStore::new(&sdk, "global-first");
        let cfg = config(
            "global-first",
            None,
            vec![est.data_science.clone()],
            &["us-east-1", "eu-west-1"],
        );
        let (_, mut tasks) = new_sweep(&store, &cfg, SystemTime::now(), "sw-global-first").await;
        tasks.reverse();
        assert_eq!(tasks[0].scope, "global");
        for t in &tasks {
            aispm_shared::pipeline::run_task(&s, &cfg, &store, t)
                .await
                .unwrap();
        }
        let got = store.list(&FindingFilter::default()).await.unwrap();
        let admin = got
            .iter()
            .find(|f| {
                f.rule_id == "identity_ai_role_admin"
                    && f.resource_arn.ends_with(":role/ds-notebook-exec")
            })
            .expect("the notebook role's finding");
        assert_eq!(admin.scope, "global");
        assert_eq!(admin.status, aispm_shared::model::FindingStatus::Open);
    });
}

/// A suppressions file entry suppresses the findings it matches in the store
/// (visible, with its reason, owner and expiry) and, once expired, the next
/// sweep reopens them; findings it does not match stay open.
#[test]
fn configured_suppressions_hide_nothing_and_expire() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    rt().block_on(async {
        let sdk = emulator_config(&url, "us-east-1").await;
        let s = settings(&url);
        ensure_table(&sdk, "suppressions").await.unwrap();
        let store = DynamoStore::new(&sdk, "suppressions");
        let mut cfg = config(
            "suppressions",
            None,
            vec![est.data_science.clone()],
            &["eu-west-1"],
        );
        cfg.suppressions = aispm_shared::reconcile::suppressions::Suppressions::parse(
            r#"{"suppressions": [{"rule": "sagemaker_notebook_without_kms",
                "resource": "arn:aws:sagemaker:*:*:notebook-instance/genai-*",
                "reason": "prototype, data is synthetic", "owner": "data-science-lead",
                "expires": "2030-01-01T00:00:00Z"}]}"#,
        )
        .unwrap();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000); // 2030-03
        let before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027-01
        let (_, tasks) = new_sweep(&store, &cfg, before, "sw-supp-1").await;
        for t in &tasks {
            aispm_shared::pipeline::run_task(&s, &cfg, &store, t)
                .await
                .unwrap();
        }
        let find = |v: &[aispm_shared::store::FindingState], rule: &str| {
            v.iter()
                .find(|f| {
                    f.rule_id == rule
                        && f.resource_arn
                            .ends_with("notebook-instance/genai-prototyping")
                })
                .cloned()
                .expect(rule)
        };
        let got = store.list(&FindingFilter::default()).await.unwrap();
        let kms = find(&got, "sagemaker_notebook_without_kms");
        assert_eq!(kms.status, aispm_shared::model::FindingStatus::Suppressed);
        let d = kms.disposition.clone().expect("the entry's disposition");
        assert_eq!(d.owner, "data-science-lead");
        assert_eq!(d.reason, "prototype, data is synthetic");
        assert_eq!(
            find(&got, "sagemaker_notebook_direct_internet_access").status,
            aispm_shared::model::FindingStatus::Open,
            "other rules on the same notebook stay open"
        );
        // WHEN a sweep runs after the entry's expiry
        let (_, tasks) = new_sweep(&store, &cfg, t0, "sw-supp-2").await;
        for t in &tasks {
            aispm_shared::pipeline::run_task(&s, &cfg, &store, t)
                .await
                .unwrap();
        }
        // THEN the finding is open again, and its history says why
        let got = store.list(&FindingFilter::default()).await.unwrap();
        let kms = find(&got, "sagemaker_notebook_without_kms");
        assert_eq!(kms.status, aispm_shared::model::FindingStatus::Open);
        let kinds: Vec<_> = store
            .history(&kms.account_id, &kms.finding_id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.kind.as_str())
            .collect();
        assert_eq!(kinds, ["opened", "suppressed", "disposition_expired"]);
    });
}

/// What a sweep left in `table` that must not depend on timing: per account,
/// each asset, edge and coverage item by key and content hash, each finding's
/// state (status, severity, risk, occurrence), its detail, and the kinds of
/// its history events.
async fn stored_outcome(sdk: &aws_types::SdkConfig, table: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ((pk, sk), body) in dump(sdk, table).await {
        if !pk.starts_with("ACCOUNT#") {
            continue;
        }
        // The scanner role's own record moves between the runs (AWS and the
        // emulator note when it was last used): that is the account changing.
        if sk.ends_with(":role/aispm-scanner") {
            continue;
        }
        let v: Value = serde_json::from_str(&body).unwrap();
        let (key, value) = match sk.split('#').next() {
            Some("A" | "E" | "C") => (sk.clone(), v["h"].to_string()),
            Some("F") => (
                sk.clone(),
                format!(
                    "{} {} {} {}",
                    v["status"], v["severity"], v["risk_score"], v["occurrence"]
                ),
            ),
            Some("D") => (sk.clone(), v["body"].to_string()),
            Some("H") => {
                // H#<finding id>#<time>#<kind>: the time differs between runs.
                let parts: Vec<&str> = sk.split('#').collect();
                let kind = parts.last().copied().unwrap_or_default();
                (format!("H#{}#{kind}", parts[1]), String::new())
            }
            _ => continue,
        };
        let prev = out.insert(format!("{pk} {key}"), value);
        assert!(
            prev.is_none() || sk.starts_with("H#"),
            "duplicate {pk} {key}"
        );
    }
    out
}

#[test]
fn a_sweep_under_throttling_5xx_and_resets_stores_what_a_clean_one_does() {
    // The whole demo organization (seeded once per process), every region.
    estate();
    let emu = Emulator::shared();
    let proxy = FaultProxy::start_random(
        emu.port,
        RandomFaults {
            seed: 16,
            throttle: 0.20,
            server_error: 0.05,
            reset: 0.01,
        },
    )
    .expect("proxy");
    let sweep = |endpoint: &str, table: &str| {
        let started = std::time::Instant::now();
        let v = json_of(&aispm(&[
            "sweep",
            "--local",
            "--endpoint-url",
            endpoint,
            "--table",
            table,
            "--queue",
            table,
            "--regions",
            "us-east-1,eu-west-1",
            "--format",
            "json",
        ]));
        assert_eq!(
            v["sweep"]["done_tasks"], v["sweep"]["expected_tasks"],
            "{v}"
        );
        started.elapsed()
    };
    let clean = sweep(&emu.url, "faults-clean");
    let faulty = sweep(&proxy.url, "faults-proxy");
    let counts = proxy.counts();
    eprintln!(
        "sweep --local: clean {} ms, under faults {} ms; proxy: {counts:?}",
        clean.as_millis(),
        faulty.as_millis()
    );
    assert!(
        counts.throttled > 10 && counts.server_errors > 2,
        "{counts:?}"
    );
    rt().block_on(async {
        let sdk = emulator_config(&emu.url, "us-east-1").await;
        let a = stored_outcome(&sdk, "faults-clean").await;
        let b = stored_outcome(&sdk, "faults-proxy").await;
        assert!(a.keys().any(|k| k.contains(" F#")), "no findings stored");
        let only_a: Vec<_> = a.iter().filter(|(k, v)| b.get(*k) != Some(v)).collect();
        let only_b: Vec<_> = b.iter().filter(|(k, v)| a.get(*k) != Some(v)).collect();
        assert!(
            only_a.is_empty() && only_b.is_empty(),
            "clean only: {only_a:#?}\nunder faults only: {only_b:#?}"
        );
    });
}

#[test]
fn a_task_short_of_time_records_timeout_coverage_and_finishes_before_its_deadline() {
    let est = estate();
    let emu = Emulator::shared();
    // Listing notebooks never answers: that collector needs more time than
    // the task has.
    let proxy = FaultProxy::start(
        emu.port,
        vec![Fault::hang(&["SageMaker.ListNotebookInstances"])],
    )
    .expect("proxy");
    rt().block_on(async {
        let sdk = emulator_config(&emu.url, "us-east-1").await;
        ensure_table(&sdk, "deadline").await.unwrap();
        let store = DynamoStore::new(&sdk, "deadline");
        let cfg = config(
            "deadline",
            None,
            vec![est.data_science.clone()],
            &["us-east-1"],
        );
        let (_, tasks) = new_sweep(&store, &cfg, SystemTime::now(), "sw-deadline").await;
        let task = tasks.iter().find(|t| t.scope == "us-east-1").unwrap();
        // Four seconds left the write phase a 0.8 s reserve, which a loaded
        // 2-core machine running the whole suite overran by 0.15 s: eight
        // give it 1.6 s, still far short of the hung call's two minutes.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
        let record = aispm_shared::pipeline::run_task_by(
            &settings(&proxy.url),
            &cfg,
            &store,
            task,
            Some(deadline),
        )
        .await
        .expect("task");
        let finished = tokio::time::Instant::now();
        assert!(
            finished < deadline,
            "finished {:?} late",
            finished - deadline
        );
        let gap = record
            .not_assessed
            .iter()
            .find(|c| c.collector == "sagemaker.notebook_instances")
            .unwrap_or_else(|| panic!("no timeout coverage: {:?}", record.not_assessed));
        assert_eq!(
            gap.reason,
            Some(aispm_shared::model::NotAssessedReason::Timeout)
        );
        // the collectors that answered were judged and written
        assert!(record.assets > 0);
        let stored = store.account(&est.data_science).await.unwrap();
        assert!(stored.items.iter().any(|i| matches!(
            &i.part,
            aispm_shared::store::Part::Coverage(c)
                if c.collector == "sagemaker.notebook_instances"
                    && c.reason == Some(aispm_shared::model::NotAssessedReason::Timeout)
        )));
        assert!(
            store
                .task("sw-deadline", &est.data_science, "us-east-1")
                .await
                .unwrap()
                .is_some()
        );

        // with less than a second left, the task does not start
        let err = aispm_shared::pipeline::run_task_by(
            &settings(&emu.url),
            &cfg,
            &store,
            task,
            Some(tokio::time::Instant::now() + Duration::from_millis(200)),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("too little"), "{err}");
    });
}

#[test]
fn remediate_plans_dry_runs_for_stored_findings_and_changes_nothing() {
    let est = estate();
    let url = Emulator::shared().url.clone();
    let table = "remediation";
    json_of(&aispm(&[
        "sweep",
        "--local",
        "--endpoint-url",
        &url,
        "--table",
        table,
        "--queue",
        table,
        "--regions",
        "eu-west-1",
        "--accounts",
        &est.data_science,
        "--format",
        "json",
    ]));
    let sdk = rt().block_on(aispm_shared::aws::base_config(&settings(&url), "us-east-1"));
    let before = rt().block_on(dump(&sdk, table));
    let remediate = |extra: &[&str]| {
        let mut a = vec![
            "remediate",
            "--local",
            "--endpoint-url",
            &url,
            "--table",
            table,
        ];
        a.extend(extra);
        aispm(&a)
    };

    // GIVEN no policy: every action that accepts an open finding is a dry run
    // with the calls it would make, and nothing else
    let plan = json_of(&remediate(&["--format", "json"]));
    let records = plan.as_array().unwrap();
    assert!(
        !records.is_empty(),
        "no finding of the data-science account has an action"
    );
    for r in records {
        for key in [
            "action_id",
            "action",
            "finding_id",
            "resource_arn",
            "mode",
            "status",
            "before",
            "after",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        // Actions that need a setting (a boundary, a guardrail, a log
        // destination) are off until the policy gives it, and say so.
        if [
            "attach_permissions_boundary",
            "attach_bedrock_guardrail",
            "enable_bedrock_invocation_logging",
        ]
        .contains(&r["action"].as_str().unwrap())
        {
            assert_eq!(r["mode"], "off", "{r}");
            assert_eq!(r["status"], "skipped", "{r}");
            assert!(r["reason"].as_str().unwrap().contains("needs `"), "{r}");
            continue;
        }
        assert_eq!(r["mode"], "dry_run", "{r}");
        assert!(r["status"] == "dry_run" || r["status"] == "skipped", "{r}");
        if r["status"] == "dry_run" {
            assert!(!r["calls"].as_array().unwrap().is_empty(), "{r}");
        }
    }
    // The AI-provider secret without rotation gets its rotation planned.
    let rotate = records
        .iter()
        .find(|r| r["action"] == "rotate_secret")
        .expect("the hub token's rotation is planned");
    assert_eq!(rotate["status"], "dry_run");
    assert_eq!(rotate["calls"][0]["api"], "secretsmanager:RotateSecret");
    assert!(
        rotate["resource_arn"]
            .as_str()
            .unwrap()
            .contains(":secret:huggingface/hub-token")
    );
    // The same plan twice: the same action ids.
    assert_eq!(json_of(&remediate(&["--format", "json"])), plan);

    // WHEN a policy turns one action off and scopes the rest to another account
    let first = records[0]["action"].as_str().unwrap().to_owned();
    let policy =
        std::env::temp_dir().join(format!("aispm-remediation-{}.json", std::process::id()));
    std::fs::write(
        &policy,
        serde_json::json!({"actions": {first.clone(): {"mode": "off"}}}).to_string(),
    )
    .unwrap();
    let off = json_of(&remediate(&[
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let of_first: Vec<&Value> = off
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == first.as_str())
        .collect();
    assert!(!of_first.is_empty());
    for r in of_first {
        assert_eq!(r["status"], "skipped");
        assert!(r["reason"].as_str().unwrap().contains("is off"), "{r}");
    }

    // A broken policy fails with the key it did not know, and one finding
    // that does not exist is an error naming it.
    std::fs::write(
        &policy,
        r#"{"actions": {"rotate_secret": {"max_per_day": 1}}}"#,
    )
    .unwrap();
    let bad = remediate(&["--policy", policy.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("actions.rotate_secret") && err.contains("max_per_day"),
        "{err}"
    );
    let unknown = remediate(&["--finding", "0000"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no finding with id `0000`"));
    // The remediator role's policy follows the remediation policy, and needs
    // no store.
    std::fs::write(
        &policy,
        r#"{"default_mode": "off", "actions": {"s3_block_public_access": {"mode": "auto"}}}"#,
    )
    .unwrap();
    let role = json_of(&aispm(&[
        "remediate",
        "--print-role-policy",
        "--policy",
        policy.to_str().unwrap(),
    ]));
    assert_eq!(
        role["Statement"][0]["Action"],
        serde_json::json!([
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock"
        ])
    );
    assert_eq!(role["Statement"][1]["Effect"], "Deny");
    // The table output says nothing was changed.
    let table_out = remediate(&[]);
    assert!(String::from_utf8_lossy(&table_out.stdout).contains("nothing was changed"));

    // THEN the findings are as the sweep left them, and the audit holds each
    // dry run once (planned three times, logged once)
    let after = rt().block_on(dump(&sdk, table));
    let (journal, rest): (BTreeMap<_, _>, BTreeMap<_, _>) = after
        .into_iter()
        .partition(|((pk, _), _)| pk.starts_with("JOURNAL#"));
    assert_eq!(rest, before);
    let dry: Vec<&str> = records
        .iter()
        .filter(|r| r["status"] == "dry_run")
        .map(|r| r["action_id"].as_str().unwrap())
        .collect();
    for id in &dry {
        let log: Vec<_> = journal
            .keys()
            .filter(|(pk, _)| pk == &format!("JOURNAL#remediation#{id}"))
            .collect();
        assert_eq!(log.len(), 1, "{id}: {log:?}");
    }
    let listed = json_of(&aispm(&[
        "remediation",
        "list",
        "--endpoint-url",
        &url,
        "--table",
        table,
        "--format",
        "json",
    ]));
    assert_eq!(listed.as_array().unwrap().len(), dry.len(), "{listed:#}");
    let _ = std::fs::remove_file(&policy);
}
