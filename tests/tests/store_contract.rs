//! The store contract (`aispm_shared::store::contract`) on the DynamoDB
//! store against the emulator: the same clauses the in-memory store passes
//! in the unit tests, so the reconciler's memory-store tests speak for the
//! table too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use aispm_shared::store::{DynamoStore, MemoryStore, contract, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::seed::emulator_config;

#[tokio::test(flavor = "multi_thread")]
async fn dynamo_store_passes_the_store_contract() {
    let url = Emulator::shared().url.clone();
    let sdk = emulator_config(&url, "us-east-1").await;
    ensure_table(&sdk, "contract").await.unwrap();
    let store = DynamoStore::new(&sdk, "contract");
    if let Err(e) = contract::check(&store).await {
        panic!("DynamoStore: {e}");
    }
}

#[tokio::test]
async fn memory_store_passes_the_store_contract() {
    if let Err(e) = contract::check(&MemoryStore::new()).await {
        panic!("MemoryStore: {e}");
    }
}

#[tokio::test]
async fn the_contract_demands_an_empty_store() {
    // A clause that does not hold is reported, naming it: the check can fail.
    let store = MemoryStore::new();
    aispm_shared::store::Sweeps::create_sweep(
        &store,
        &aispm_shared::store::SweepRecord {
            sweep_id: "sw-20261124T020000000Z-b".to_owned(),
            started_at: "2026-11-24T02:00:00.000Z".to_owned(),
            accounts: vec![],
            regions: vec![],
            expected_tasks: 2,
            done_tasks: 0,
        },
    )
    .await
    .unwrap();
    let err = contract::check(&store).await.unwrap_err().to_string();
    assert!(err.contains("empty store has a latest sweep"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn evidence_past_400_kb_is_capped_and_the_finding_is_written() {
    use aispm_shared::model::{
        Asset, AssetType, Edge, EdgeKind, Evidence, GLOBAL_REGION, Inventory, Timestamp,
    };
    use aispm_shared::reconcile::lifecycle::{Observation, plan};
    use aispm_shared::rules::{RuleConfig, evaluate};
    use aispm_shared::store::{FindingReads, FindingWrites};

    const ACCOUNT: &str = "111111111111";
    let bucket_arn = "arn:aws:s3:::training-data";
    let mut bucket = Asset::new(
        bucket_arn,
        AssetType::S3Bucket,
        "training-data",
        ACCOUNT,
        GLOBAL_REGION,
    );
    bucket.set("encrypted", Some(serde_json::json!(true)));
    bucket.set(
        "encryption",
        Some(serde_json::json!({"algorithm": "AES256"})),
    );
    // 4,500 training jobs with 63-character names read the bucket: the list
    // of its users alone is over 500 KB.
    let readers: Vec<String> = (0..4_500)
        .map(|i| {
            format!(
                "arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{:0>63}",
                format!("reader-{i}")
            )
        })
        .collect();
    let raw: usize = readers.iter().map(|r| r.len() + 3).sum();
    assert!(raw > 500 * 1024, "{raw}");
    let mut inv = Inventory {
        assets: vec![bucket],
        ..Inventory::default()
    };
    for r in &readers {
        inv.edges.push(Edge::new(
            r,
            bucket_arn,
            EdgeKind::ReadsData,
            Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        ));
    }
    let now = Timestamp::from_millis(1_795_000_000_000);
    let (findings, _) = evaluate(&inv, &RuleConfig::default(), now);
    let finding: Vec<_> = findings
        .into_iter()
        .filter(|f| f.rule_id == "s3_ai_bucket_without_kms")
        .collect();
    assert_eq!(finding.len(), 1);

    let url = Emulator::shared().url.clone();
    let sdk = emulator_config(&url, "us-east-1").await;
    ensure_table(&sdk, "evidence-cap").await.unwrap();
    let store = DynamoStore::new(&sdk, "evidence-cap");
    let at = now.to_string();
    let blocked = Default::default();
    let changes = plan(
        &[],
        &Observation {
            scope: GLOBAL_REGION,
            at: &at,
            sweep_id: "sw-cap",
            observed: &finding,
            blocked_rules: &blocked,
        },
    );
    assert_eq!(changes.len(), 1);
    store.apply(&changes[0]).await.expect("the write succeeds");

    let id = &finding[0].id;
    assert!(store.state(ACCOUNT, id).await.unwrap().is_some());
    let detail = store.detail(ACCOUNT, id).await.unwrap().expect("detail");
    let users = detail
        .evidence
        .iter()
        .find(|e| e.field == "used_by")
        .expect("used_by evidence");
    assert_eq!(users.value.as_array().unwrap().len(), 100);
    let cap = detail
        .evidence
        .iter()
        .find(|e| e.source == "aispm:evidence_cap")
        .expect("the evidence says what was left out");
    assert_eq!(cap.value["list_entries_omitted"], 4_400);
    let stored = serde_json::to_vec(&detail).unwrap().len();
    assert!(stored < 300 * 1024, "{stored}");
}
