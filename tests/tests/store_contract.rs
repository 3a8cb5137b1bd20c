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
