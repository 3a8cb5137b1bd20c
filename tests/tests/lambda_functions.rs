//! The Lambda functions' compiled binaries, run as Lambda runs them: each is
//! started with `AWS_LAMBDA_RUNTIME_API` pointing at a Runtime API served on
//! 127.0.0.1, fed events shaped like `events/`, and checked by its responses,
//! its JSON logs and what it left in the emulator's SQS and DynamoDB.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::time::Duration;

use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::local::{QueueSettings, ensure_queues};
use aispm_shared::store::prelude::*;
use aispm_shared::store::{DynamoStore, FindingFilter, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::runtime_api::{Function, Outcome};
use aispm_tests::seed::{emulator_config, seed};
use serde_json::{Value, json};

fn assert_json_logs(logs: &str) {
    let lines: Vec<_> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no logs");
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v.get("level").is_some(), "no level: {l}");
    }
}

#[test]
fn the_compiled_functions_sweep_the_organization_into_dynamodb() {
    let url = Emulator::shared().url.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let est = rt.block_on(seed(&url)).expect("seed");
    let sdk = rt.block_on(emulator_config(&url, "us-east-1"));
    rt.block_on(ensure_table(&sdk, "lambda")).unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queues = rt
        .block_on(ensure_queues(&sqs, "lambda-scan", QueueSettings::default()))
        .unwrap();
    // The ExternalId comes from an SSM SecureString, as the SAM template
    // configures it: a function that cannot read it does not start.
    rt.block_on(
        aws_sdk_ssm::Client::new(&sdk)
            .put_parameter()
            .name("/aispm/external-id")
            .value("example-external-id")
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .overwrite(true)
            .send(),
    )
    .unwrap();
    let env = [
        ("AISPM_EXTERNAL_ID_PARAMETER", "/aispm/external-id"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AISPM_TABLE", "lambda"),
        ("AISPM_QUEUE_URL", queues.queue_url.as_str()),
        ("AISPM_REGIONS", "us-east-1"),
    ];

    // The sweep function, on its schedule event.
    let sweep_fn = Function::start(
        env!("CARGO_BIN_EXE_aispm-fn-sweep-e2e"),
        "aispm-sweep",
        &env,
    )
    .expect("start sweep");
    let id = sweep_fn.api.invoke(include_str!(
        "../../events/eventbridge/scheduled-sweep.json"
    ));
    let Outcome::Response(body) = sweep_fn.api.outcome(&id, Duration::from_secs(120)).unwrap()
    else {
        panic!("sweep failed: {}", sweep_fn.stop());
    };
    let sweep_init = sweep_fn.init_ms(Duration::from_secs(5)).unwrap();
    assert_json_logs(&sweep_fn.stop());
    let sweep: Value = serde_json::from_str(&body).unwrap();
    let sweep_id = sweep["sweep_id"].as_str().unwrap().to_owned();
    // three accounts × (global + us-east-1)
    assert_eq!(sweep["accounts"], 3);
    assert_eq!(sweep["expected_tasks"], 6);

    // The queued tasks, as SQS would hand them to the scanner.
    let mut messages = Vec::new();
    rt.block_on(async {
        for _ in 0..30 {
            let r = sqs
                .receive_message()
                .queue_url(&queues.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(600)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            messages.extend(r.messages().to_vec());
            if messages.len() >= 6 {
                break;
            }
        }
    });
    assert_eq!(messages.len(), 6);
    let sample: Value =
        serde_json::from_str(include_str!("../../events/sqs/scan-task-batch.json")).unwrap();
    let record = |m: &aws_sdk_sqs::types::Message| {
        let mut r = sample["Records"][0].clone();
        r["messageId"] = json!(m.message_id().unwrap());
        r["receiptHandle"] = json!(m.receipt_handle().unwrap());
        r["body"] = json!(m.body().unwrap());
        r["eventSourceARN"] = json!(queues.queue_arn);
        r
    };
    let malformed = sample["Records"][1].clone();
    let malformed_id = malformed["messageId"].as_str().unwrap().to_owned();
    let mut batches: Vec<Vec<Value>> = vec![vec![malformed]];
    batches[0].extend(messages[..2].iter().map(record));
    batches.push(messages[2..].iter().map(record).collect());

    // The scanner function, batch by batch.
    let scan_fn = Function::start(
        env!("CARGO_BIN_EXE_aispm-fn-scan-account-e2e"),
        "aispm-scan-account",
        &env,
    )
    .expect("start scan-account");
    let ids: Vec<String> = batches
        .iter()
        .map(|b| scan_fn.api.invoke(&json!({"Records": b}).to_string()))
        .collect();
    let mut failures = Vec::new();
    for id in &ids {
        match scan_fn.api.outcome(id, Duration::from_secs(300)).unwrap() {
            Outcome::Response(body) => {
                let v: Value = serde_json::from_str(&body).unwrap();
                for f in v["batchItemFailures"].as_array().unwrap() {
                    failures.push(f["itemIdentifier"].as_str().unwrap().to_owned());
                }
            }
            Outcome::Error(e) => panic!("scan-account errored: {e}"),
        }
    }
    let scan_init = scan_fn.init_ms(Duration::from_secs(5)).unwrap();
    let rss = scan_fn.peak_rss_kib().unwrap_or_default();
    let logs = scan_fn.stop();
    assert_json_logs(&logs);
    // only the malformed record failed; the rest of its batch went through
    assert_eq!(failures, [malformed_id]);

    // What the functions left in DynamoDB.
    let store = DynamoStore::new(&sdk, "lambda");
    let (record, open) = rt.block_on(async {
        (
            store.sweep(&sweep_id).await.unwrap().unwrap(),
            store
                .list(&FindingFilter {
                    status: Some(FindingStatus::Open),
                    ..FindingFilter::default()
                })
                .await
                .unwrap(),
        )
    });
    assert_eq!(record.done_tasks, 6);
    let has = |rule: &str, account: &str| {
        open.iter()
            .any(|f| f.rule_id == rule && f.account_id == account)
    };
    assert!(has("s3_bucket_writable_outside_org", &est.ml_platform));
    assert!(has("governance_asset_without_owner", &est.ml_platform));
    assert!(has(
        "secretsmanager_ai_secret_without_rotation",
        &est.management
    ));

    // The on-event function: a tracked call is rescanned (in at most five
    // requests), an unknown one ignored, a malformed one fails the invocation
    // (Lambda retries it, then its on-failure destination takes it).
    let on_event = Function::start(
        env!("CARGO_BIN_EXE_aispm-fn-on-event-e2e"),
        "aispm-on-event",
        &env,
    )
    .expect("start on-event");
    let training = format!("fraud-training-data-{}", est.ml_platform);
    let event = include_str!("../../events/cloudtrail/s3/PutBucketPolicy.json")
        .replace("111122223333", &est.ml_platform)
        .replace("example-training-data", &training)
        .replace(
            "2026-11-20T10:00:00Z",
            &aispm_shared::pipeline::timestamp(std::time::SystemTime::now()),
        );
    let mut unknown: Value = serde_json::from_str(&event).unwrap();
    unknown["detail"]["eventName"] = json!("GetBucketPolicy");
    let mut malformed: Value = serde_json::from_str(&event).unwrap();
    malformed["detail"]["requestParameters"] = Value::Null;
    let ids = [
        on_event.api.invoke(&event),
        on_event.api.invoke(&unknown.to_string()),
        on_event.api.invoke(&malformed.to_string()),
    ];
    let outcomes: Vec<Outcome> = ids
        .iter()
        .map(|id| on_event.api.outcome(id, Duration::from_secs(120)).unwrap())
        .collect();
    assert_json_logs(&on_event.stop());
    let Outcome::Response(handled) = &outcomes[0] else {
        panic!("tracked event failed: {:?}", outcomes[0]);
    };
    let handled: Value = serde_json::from_str(handled).unwrap();
    assert_eq!(handled["handled"], true, "{handled}");
    assert!(handled["requests"].as_u64().unwrap() <= 5, "{handled}");
    assert!(matches!(&outcomes[1], Outcome::Response(b) if b.contains("\"handled\":false")));
    assert!(
        matches!(&outcomes[2], Outcome::Error(e) if e.contains("requestParameters.bucketName")),
        "{:?}",
        outcomes[2]
    );

    eprintln!(
        "measured (debug build): sweep init {sweep_init:.1} ms, scan-account init {scan_init:.1} ms, scan-account peak RSS {} MiB over 6 tasks",
        rss / 1024
    );
}
