//! Event triggers end to end on the emulator: every sample in `events/` goes
//! through the on-event handler (`aispm_shared::events::handle`, which the
//! Lambda calls as is) after the API call it reports was made, and the store
//! ends with the findings a sweep would give. Scenario 2 (a bucket policy
//! opening training data to an outside account, then reverted) and scenario
//! 3 (an AWS Health report of an exposed key) run whole.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests fail loudly"
)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aispm_shared::aws::AwsSettings;
use aispm_shared::events::{self, Outcome};
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::{PipelineConfig, plan_tasks, run_task, timestamp};
use aispm_shared::store::prelude::*;
use aispm_shared::store::{DynamoStore, FindingFilter, FindingState, SweepRecord, ensure_table};
use aispm_tests::emulator::Emulator;
use aispm_tests::proxy::{Fault, FaultProxy};
use aispm_tests::scenarios::{self, ACCOUNT, OUTSIDE_ACCOUNT, REGION};
use aispm_tests::seed::emulator_config;
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use serde_json::Value;

const TRAINING: &str = "training-data-123456789012";

fn settings(url: &str) -> AwsSettings {
    AwsSettings {
        endpoint_url: Some(url.to_owned()),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "tests",
        ))),
        ..AwsSettings::default()
    }
}

fn config(table: &str) -> PipelineConfig {
    PipelineConfig {
        table: table.to_owned(),
        queue_url: None,
        regions: vec![REGION.to_owned()],
        role_name: "aispm-scanner".to_owned(),
        external_id_ref: None,
        external_ids: BTreeMap::new(),
        accounts: Some(vec![ACCOUNT.to_owned()]),
        rules: Default::default(),
        suppressions: Default::default(),
        collector_concurrency: 8,
        assume_role_in_own_account: false,
    }
}

/// A sample from `events/` for this account and `bucket`, timed `at`.
fn sample(path: &str, bucket: &str, at: SystemTime) -> Value {
    sample_with(path, &[("example-training-data", bucket)], at)
}

/// A sample from `events/` for this account with names replaced, timed `at`.
fn sample_with(path: &str, names: &[(&str, &str)], at: SystemTime) -> Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(path);
    let mut text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("111122223333", ACCOUNT);
    for (from, to) in names {
        text = text.replace(from, to);
    }
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let t = timestamp(at);
    v["time"] = Value::String(t.clone());
    if v["detail"].get("eventTime").is_some() {
        v["detail"]["eventTime"] = Value::String(t);
    }
    v
}

/// What the emulator is seeded with.
enum Seed {
    /// Scenario 2: training data writable from outside, its jobs and model.
    Poisoned,
    /// Scenario 4: an agent's tool Lambda and roles (the agent itself is
    /// served by the responder).
    Agent,
}

struct Harness {
    emu: Emulator,
    /// A loopback responder in front of the emulator, for the APIs it lacks.
    proxy: Option<FaultProxy>,
    store: DynamoStore,
    cfg: PipelineConfig,
    sdk: aws_types::SdkConfig,
    clock: std::cell::Cell<SystemTime>,
}

impl Harness {
    async fn new(table: &str) -> Self {
        Self::start(table, Seed::Poisoned, None).await
    }

    /// A harness whose AWS calls pass through a loopback responder answering
    /// with `faults` (changed later with `proxy().set`).
    async fn start(table: &str, seed: Seed, faults: Option<Vec<Fault>>) -> Self {
        let emu = Emulator::start().unwrap();
        match seed {
            Seed::Poisoned => scenarios::poisoned_training_data(&emu.url).await.unwrap(),
            Seed::Agent => scenarios::overprivileged_agent(&emu.url).await.unwrap(),
        }
        let proxy = faults.map(|f| FaultProxy::start(emu.port, f).unwrap());
        let sdk = emulator_config(&emu.url, REGION).await;
        ensure_table(&sdk, table).await.unwrap();
        let h = Harness {
            store: DynamoStore::new(&sdk, table),
            cfg: config(table),
            sdk,
            emu,
            proxy,
            clock: std::cell::Cell::new(SystemTime::now()),
        };
        h.sweep("sw-0").await;
        h
    }

    async fn sweep(&self, id: &str) {
        let sweep = SweepRecord {
            sweep_id: id.to_owned(),
            started_at: timestamp(SystemTime::now()),
            accounts: vec![ACCOUNT.to_owned()],
            regions: self.cfg.regions.clone(),
            expected_tasks: 2,
            done_tasks: 0,
        };
        self.store.create_sweep(&sweep).await.unwrap();
        for t in plan_tasks(&sweep, &self.cfg, None) {
            run_task(&settings(self.url()), &self.cfg, &self.store, &t)
                .await
                .unwrap();
        }
    }

    /// Where aispm sends its AWS calls: the responder when there is one.
    fn url(&self) -> &str {
        self.proxy.as_ref().map_or(&self.emu.url, |p| &p.url)
    }

    fn proxy(&self) -> &FaultProxy {
        self.proxy.as_ref().expect("started with a responder")
    }

    /// The next event time: always after everything before.
    fn tick(&self) -> SystemTime {
        let next = SystemTime::now().max(self.clock.get() + Duration::from_millis(10));
        self.clock.set(next);
        next
    }

    async fn feed(&self, event: &Value) -> Outcome {
        let out = events::handle(&settings(self.url()), &self.cfg, &self.store, event)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", event["detail"]["eventName"]));
        // The figures the issue asks for: `cargo test --test events -- --nocapture`.
        eprintln!(
            "event {} {}: {} AWS requests, {} findings changed",
            event["detail"]["eventName"].as_str().unwrap_or("(health)"),
            event["detail"]["eventTypeCode"]
                .as_str()
                .unwrap_or_default(),
            out.requests,
            out.changed
        );
        out
    }

    async fn findings(&self) -> Vec<FindingState> {
        self.store.list(&FindingFilter::default()).await.unwrap()
    }

    /// The status of `rule`'s finding on the resource whose ARN ends in
    /// `arn_end`, or on the access key with that id.
    async fn status(&self, rule: &str, arn_end: &str) -> Option<FindingStatus> {
        self.findings()
            .await
            .into_iter()
            .find(|f| {
                f.rule_id == rule
                    && (f.resource_arn.ends_with(arn_end)
                        || f.access_key_id.as_deref() == Some(arn_end))
            })
            .map(|f| f.status)
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                .force_path_style(true)
                .build(),
        )
    }

    async fn bucket_asset(&self, name: &str) -> Option<aispm_shared::model::Asset> {
        self.asset(&format!("arn:aws:s3:::{name}")).await
    }

    async fn asset_count(&self) -> usize {
        self.store
            .account(ACCOUNT)
            .await
            .unwrap()
            .items
            .iter()
            .filter(|i| matches!(i.part, aispm_shared::store::Part::Asset(_)))
            .count()
    }

    async fn asset(&self, arn: &str) -> Option<aispm_shared::model::Asset> {
        self.store
            .account(ACCOUNT)
            .await
            .unwrap()
            .items
            .into_iter()
            .find_map(|i| match i.part {
                aispm_shared::store::Part::Asset(a) if a.arn == arn => Some(a),
                _ => None,
            })
    }
}

fn policy(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PartnerLabelDelivery","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{principal}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{TRAINING}/labels/*"}}]}}"#
    )
}

/// The acceptance's coverage guard: every row of the event map is fed
/// through the handler by a test in this file (by its sample's path or by
/// its event name, as `h.call` and the per-service helpers take it).
#[test]
fn every_mapped_call_is_fed_by_a_test_here() {
    let source = include_str!("events.rs");
    let missing: Vec<String> = events::map::calls()
        .into_iter()
        .filter(|(_, name)| {
            !source.contains(&format!("\"{name}\"")) && !source.contains(&format!("/{name}.json"))
        })
        .map(|(source, name)| format!("{source} {name}"))
        .collect();
    assert!(missing.is_empty(), "no emulator test feeds {missing:?}");
}

/// Scenario 2 through events: the bucket policy is reverted, then opened to
/// an outside account again, then reverted; each PutBucketPolicy event
/// resolves or (re)opens the critical path naming the model, in at most five
/// requests, the same on an estate with many more buckets.
#[tokio::test(flavor = "multi_thread")]
async fn bucket_policy_events_open_and_resolve_the_poisoning_path() {
    let h = Harness::new("events-policy").await;
    let path = "path_poisonable_training_data";
    assert_eq!(
        h.status(path, TRAINING).await,
        Some(FindingStatus::Open),
        "seeded open"
    );

    // WHEN the policy is reverted to the account's own principals
    h.s3()
        .put_bucket_policy()
        .bucket(TRAINING)
        .policy(policy(ACCOUNT))
        .send()
        .await
        .unwrap();
    let at = h.tick();
    let out = h
        .feed(&sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at))
        .await;
    // THEN the path and the bucket's finding are resolved
    assert!(out.handled && out.requests <= 5, "{out:?}");
    assert_eq!(
        h.status(path, TRAINING).await,
        Some(FindingStatus::Resolved)
    );
    assert_eq!(
        h.status("s3_bucket_writable_outside_org", TRAINING).await,
        Some(FindingStatus::Resolved)
    );

    // WHEN an outside account is granted write again
    h.s3()
        .put_bucket_policy()
        .bucket(TRAINING)
        .policy(policy(OUTSIDE_ACCOUNT))
        .send()
        .await
        .unwrap();
    let at = h.tick();
    let event = sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at);
    let first = h.feed(&event).await;
    // THEN the critical path is back, naming the jobs and the model
    let found = h.findings().await;
    let p = found.iter().find(|f| f.rule_id == path).expect("the path");
    assert_eq!(
        (p.status, p.severity.as_str()),
        (FindingStatus::Open, "critical")
    );
    assert_eq!(p.occurrence, 2);
    let detail = h
        .store
        .detail(ACCOUNT, &p.finding_id)
        .await
        .unwrap()
        .unwrap();
    let models = detail
        .evidence
        .iter()
        .find(|e| e.field == "models")
        .unwrap();
    assert!(
        models.value.to_string().contains("model/fraud-scoring"),
        "{models:?}"
    );

    // AND the same event delivered again changes nothing
    let before = h.findings().await;
    let again = h.feed(&event).await;
    assert_eq!(again.changed, 0);
    assert_eq!(h.findings().await, before);

    // AND the request count does not grow with the estate (ten times more
    // assets in the account)
    let small = h.asset_count().await;
    for i in 0..(9 * small) {
        h.s3()
            .create_bucket()
            .bucket(format!("unrelated-{i}-{ACCOUNT}"))
            .send()
            .await
            .unwrap();
    }
    h.sweep("sw-1").await;
    h.s3()
        .put_bucket_policy()
        .bucket(TRAINING)
        .policy(policy(ACCOUNT))
        .send()
        .await
        .unwrap();
    let at = h.tick();
    let large = h.asset_count().await;
    assert!(large >= 10 * small, "{small} -> {large} assets");
    eprintln!("estate: {small} -> {large} assets");
    let bigger = h
        .feed(&sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at))
        .await;
    assert_eq!(
        bigger.requests, first.requests,
        "same requests on a larger estate"
    );
    assert_eq!(
        h.status(path, TRAINING).await,
        Some(FindingStatus::Resolved)
    );

    // AND DeleteBucketPolicy resolves what the policy opened
    h.s3()
        .put_bucket_policy()
        .bucket(TRAINING)
        .policy(policy(OUTSIDE_ACCOUNT))
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at))
        .await;
    assert_eq!(h.status(path, TRAINING).await, Some(FindingStatus::Open));
    h.s3()
        .delete_bucket_policy()
        .bucket(TRAINING)
        .send()
        .await
        .unwrap();
    let at = h.tick();
    let out = h
        .feed(&sample(
            "cloudtrail/s3/DeleteBucketPolicy.json",
            TRAINING,
            at,
        ))
        .await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(
        h.status(path, TRAINING).await,
        Some(FindingStatus::Resolved)
    );
    h.emu.stop();
}

/// Every other mapped S3 call: make it, feed its sample, check the store.
#[tokio::test(flavor = "multi_thread")]
async fn each_mapped_bucket_call_rescans_its_field() {
    let h = Harness::new("events-fields").await;
    let s3 = h.s3();
    let pab = "s3_ai_bucket_no_public_access_block";
    assert_eq!(h.status(pab, TRAINING).await, Some(FindingStatus::Open));

    // PutPublicAccessBlock: the full block resolves the finding
    s3.put_public_access_block()
        .bucket(TRAINING)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let at = h.tick();
    let out = h
        .feed(&sample(
            "cloudtrail/s3/PutPublicAccessBlock.json",
            TRAINING,
            at,
        ))
        .await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(h.status(pab, TRAINING).await, Some(FindingStatus::Resolved));

    // DeletePublicAccessBlock: back open
    s3.delete_public_access_block()
        .bucket(TRAINING)
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample(
        "cloudtrail/s3/DeletePublicAccessBlock.json",
        TRAINING,
        at,
    ))
    .await;
    assert_eq!(h.status(pab, TRAINING).await, Some(FindingStatus::Open));

    // PutBucketVersioning (Suspended): the unversioned-AI-data finding opens
    let versioning = "s3_ai_bucket_versioning_disabled";
    assert_eq!(
        h.status(versioning, TRAINING).await,
        None,
        "seeded versioned"
    );
    s3.put_bucket_versioning()
        .bucket(TRAINING)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample(
        "cloudtrail/s3/PutBucketVersioning.json",
        TRAINING,
        at,
    ))
    .await;
    assert_eq!(
        h.status(versioning, TRAINING).await,
        Some(FindingStatus::Open)
    );

    // PutBucketEncryption (SSE-S3 only): the KMS finding opens
    let kms = "s3_ai_bucket_without_kms";
    assert_eq!(h.status(kms, TRAINING).await, None, "seeded with KMS");
    s3.put_bucket_encryption()
        .bucket(TRAINING)
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::Aes256)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample(
        "cloudtrail/s3/PutBucketEncryption.json",
        TRAINING,
        at,
    ))
    .await;
    assert_eq!(h.status(kms, TRAINING).await, Some(FindingStatus::Open));

    // DeleteBucketEncryption: still not KMS, still open, and the stored
    // bucket no longer claims an encryption configuration
    s3.delete_bucket_encryption()
        .bucket(TRAINING)
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample(
        "cloudtrail/s3/DeleteBucketEncryption.json",
        TRAINING,
        at,
    ))
    .await;
    assert_eq!(h.status(kms, TRAINING).await, Some(FindingStatus::Open));
    let stored = h.bucket_asset(TRAINING).await.unwrap();
    assert!(
        stored
            .attributes
            .get("encryption")
            .is_none_or(|e| e["algorithm"] != "aws:kms"),
        "{:?}",
        stored.attributes.get("encryption")
    );

    // PutBucketAcl (public-read): the public-read finding opens
    let public = "s3_bucket_public_read";
    s3.put_bucket_acl()
        .bucket(TRAINING)
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample("cloudtrail/s3/PutBucketAcl.json", TRAINING, at))
        .await;
    assert_eq!(h.status(public, TRAINING).await, Some(FindingStatus::Open));

    // PutBucketTagging: the stored bucket carries the new tags
    s3.put_bucket_tagging()
        .bucket(TRAINING)
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("data-classification")
                        .value("restricted")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let at = h.tick();
    h.feed(&sample("cloudtrail/s3/PutBucketTagging.json", TRAINING, at))
        .await;
    assert_eq!(
        h.bucket_asset(TRAINING)
            .await
            .unwrap()
            .tags
            .get("data-classification")
            .map(String::as_str),
        Some("restricted")
    );

    // CreateBucket and DeleteBucket: the bucket appears and disappears
    let scratch = format!("scratch-{ACCOUNT}");
    s3.create_bucket().bucket(&scratch).send().await.unwrap();
    let at = h.tick();
    let created = h
        .feed(&sample("cloudtrail/s3/CreateBucket.json", &scratch, at))
        .await;
    assert!(created.requests <= 5, "{created:?}");
    let asset = h
        .bucket_asset(&scratch)
        .await
        .expect("the new bucket is stored");
    assert_eq!(
        asset.attributes.get("versioning").and_then(Value::as_str),
        Some("Off")
    );
    s3.delete_bucket().bucket(&scratch).send().await.unwrap();
    let at = h.tick();
    h.feed(&sample("cloudtrail/s3/DeleteBucket.json", &scratch, at))
        .await;
    assert!(
        h.bucket_asset(&scratch).await.is_none(),
        "the deleted bucket is gone"
    );
    h.emu.stop();
}

/// Two events delivered in reverse order leave the findings as the ordered
/// delivery does: both read the current state, and the older one cannot
/// overwrite the newer observation.
#[tokio::test(flavor = "multi_thread")]
async fn reverse_delivery_converges_on_the_ordered_state() {
    let h = Harness::new("events-order").await;
    let s3 = h.s3();
    // Two changes: the block deleted (t1), then set in full (t2).
    let t1 = h.tick();
    let t2 = h.tick();
    s3.put_public_access_block()
        .bucket(TRAINING)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let older = sample("cloudtrail/s3/DeletePublicAccessBlock.json", TRAINING, t1);
    let newer = sample("cloudtrail/s3/PutPublicAccessBlock.json", TRAINING, t2);
    h.feed(&newer).await;
    let after_newer = h.findings().await;
    let late = h.feed(&older).await;
    assert_eq!(late.changed, 0, "the older event changes nothing");
    assert_eq!(h.findings().await, after_newer);
    assert_eq!(
        h.status("s3_ai_bucket_no_public_access_block", TRAINING)
            .await,
        Some(FindingStatus::Resolved)
    );
    h.emu.stop();
}

/// Scenario 3 from the AWS Health event: the reported key's user becomes a
/// critical attack path showing what the key reaches; a later sweep keeps it.
#[tokio::test(flavor = "multi_thread")]
async fn a_health_exposure_event_makes_the_key_a_critical_path() {
    let h = Harness::new("events-health").await;
    let iam = aws_sdk_iam::Client::new(&h.sdk);
    let user = "vendor-chatbot-integration";
    iam.create_user().user_name(user).send().await.unwrap();
    iam.attach_user_policy()
        .user_name(user)
        .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap();
    let key_id = key.access_key().unwrap().access_key_id().to_owned();
    h.sweep("sw-1").await;
    let path = "path_exposed_key_blast_radius";
    assert_eq!(h.status(path, user).await, None, "no exposure reported yet");

    let at = h.tick();
    let text = serde_json::to_string(&sample(
        "health/AWS_RISK_CREDENTIALS_EXPOSED.json",
        TRAINING,
        at,
    ))
    .unwrap()
    .replace("AKIAEXAMPLEEXPOSED01", &key_id);
    let out = h.feed(&serde_json::from_str(&text).unwrap()).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    let found = h.findings().await;
    let p = found
        .iter()
        .find(|f| f.rule_id == path && f.resource_arn.ends_with(user))
        .expect("the exposed key's path");
    assert_eq!(
        (p.status, p.severity.as_str()),
        (FindingStatus::Open, "critical")
    );
    let detail = h
        .store
        .detail(ACCOUNT, &p.finding_id)
        .await
        .unwrap()
        .unwrap();
    let reported = detail
        .evidence
        .iter()
        .find(|e| e.field == "AWS_RISK_CREDENTIALS_EXPOSED")
        .unwrap();
    assert!(reported.value.to_string().contains(&key_id));
    let radius = detail
        .evidence
        .iter()
        .find(|e| e.field == "blast_radius")
        .unwrap();
    assert!(
        radius.value["invoke"]["bedrock:InvokeModel"].is_array(),
        "{radius:?}"
    );

    // A sweep cannot see Health reports; the exposure is kept.
    h.sweep("sw-2").await;
    assert_eq!(h.status(path, user).await, Some(FindingStatus::Open));
    // Nor does an access-key event on the same user drop it.
    let at = h.tick();
    let keys_event = sample_with(
        "cloudtrail/iam/UpdateAccessKey.json",
        &[
            ("example-integration-user", user),
            ("AKIAEXAMPLENEWKEY001", &key_id),
        ],
        at,
    );
    h.feed(&keys_event).await;
    assert_eq!(h.status(path, user).await, Some(FindingStatus::Open));
    h.emu.stop();
}

/// Unknown events are ignored; malformed ones fail with the reason (so the
/// Lambda's retries and dead-letter queue take them).
#[tokio::test(flavor = "multi_thread")]
async fn unknown_events_are_ignored_and_malformed_ones_fail() {
    let h = Harness::new("events-bad").await;
    let at = SystemTime::now();
    let mut other = sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at);
    other["detail"]["eventName"] = Value::String("GetBucketPolicy".into());
    assert!(!h.feed(&other).await.handled);
    let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json", TRAINING, at);
    bad["detail"]["requestParameters"] = Value::Null;
    let err = events::handle(&settings(&h.emu.url), &h.cfg, &h.store, &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("PutBucketPolicy: no `requestParameters.bucketName`"),
        "{err}"
    );

    // The same through `aispm event`: exit 0 with the outcome, or 1 with why.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let run = |event: &Value, name: &str| {
        let file = dir.join(name);
        std::fs::write(&file, event.to_string()).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
            .args([
                "event",
                file.to_str().unwrap(),
                "--endpoint-url",
                &h.emu.url,
                "--table",
                "events-bad",
            ])
            .env_remove("AWS_PROFILE")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    let ok = run(&other, "unknown-event.json");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let outcome: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(outcome["handled"], false);
    let failed = run(&bad, "malformed-event.json");
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("requestParameters.bucketName"));
    h.emu.stop();
}

const ROLE: &str = "fraud-serve-exec";
const USER: &str = "example-integration-user";

/// Every mapped IAM call on a role that a model runs as: the change is read
/// back and the identity findings follow it.
#[tokio::test(flavor = "multi_thread")]
async fn role_policy_events_rescan_the_role() {
    let h = Harness::new("events-role").await;
    let iam = aws_sdk_iam::Client::new(&h.sdk);
    let role_sample = |h: &Harness, name: &str| {
        let at = h.tick();
        sample_with(
            &format!("cloudtrail/iam/{name}.json"),
            &[("example-model-exec", ROLE)],
            at,
        )
    };
    let admin = "identity_ai_role_admin";
    assert_eq!(h.status(admin, ROLE).await, None);

    iam.attach_role_policy()
        .role_name(ROLE)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let out = h.feed(&role_sample(&h, "AttachRolePolicy")).await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(h.status(admin, ROLE).await, Some(FindingStatus::Open));
    iam.detach_role_policy()
        .role_name(ROLE)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    h.feed(&role_sample(&h, "DetachRolePolicy")).await;
    assert_eq!(h.status(admin, ROLE).await, Some(FindingStatus::Resolved));

    let broad = "identity_ai_role_broad_data_access";
    iam.put_role_policy()
        .role_name(ROLE)
        .policy_name("example-inline")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Scan","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let out = h.feed(&role_sample(&h, "PutRolePolicy")).await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(h.status(broad, ROLE).await, Some(FindingStatus::Open));
    iam.delete_role_policy()
        .role_name(ROLE)
        .policy_name("example-inline")
        .send()
        .await
        .unwrap();
    h.feed(&role_sample(&h, "DeleteRolePolicy")).await;
    assert_eq!(h.status(broad, ROLE).await, Some(FindingStatus::Resolved));

    let trust = "identity_role_trust_any_principal";
    iam.update_assume_role_policy()
        .role_name(ROLE)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    h.feed(&role_sample(&h, "UpdateAssumeRolePolicy")).await;
    assert_eq!(h.status(trust, ROLE).await, Some(FindingStatus::Open));

    iam.put_role_permissions_boundary()
        .role_name(ROLE)
        .permissions_boundary("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    h.feed(&role_sample(&h, "PutRolePermissionsBoundary")).await;
    let boundary = |a: Option<aispm_shared::model::Asset>| {
        a.and_then(|a| a.str_attr("permissions_boundary").map(str::to_owned))
    };
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}");
    assert_eq!(
        boundary(h.asset(&role_arn).await).as_deref(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    iam.delete_role_permissions_boundary()
        .role_name(ROLE)
        .send()
        .await
        .unwrap();
    h.feed(&role_sample(&h, "DeleteRolePermissionsBoundary"))
        .await;
    assert_eq!(boundary(h.asset(&role_arn).await), None);
    h.emu.stop();
}

/// Every mapped IAM call on a user with an access key.
#[tokio::test(flavor = "multi_thread")]
async fn user_and_access_key_events_rescan_the_user() {
    let h = Harness::new("events-user").await;
    let iam = aws_sdk_iam::Client::new(&h.sdk);
    iam.create_user().user_name(USER).send().await.unwrap();
    let first = iam
        .create_access_key()
        .user_name(USER)
        .send()
        .await
        .unwrap();
    let first = first.access_key().unwrap().access_key_id().to_owned();
    h.sweep("sw-1").await;
    let user_sample = |h: &Harness, name: &str, key: &str| {
        let at = h.tick();
        sample_with(
            &format!("cloudtrail/iam/{name}.json"),
            &[("AKIAEXAMPLENEWKEY001", key)],
            at,
        )
    };
    let full = "identity_ai_full_access_policy_attached";
    let invoke = "identity_access_key_can_invoke_models";
    iam.attach_user_policy()
        .user_name(USER)
        .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
        .send()
        .await
        .unwrap();
    let out = h.feed(&user_sample(&h, "AttachUserPolicy", &first)).await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(h.status(full, USER).await, Some(FindingStatus::Open));
    assert_eq!(h.status(invoke, &first).await, Some(FindingStatus::Open));
    iam.detach_user_policy()
        .user_name(USER)
        .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
        .send()
        .await
        .unwrap();
    h.feed(&user_sample(&h, "DetachUserPolicy", &first)).await;
    assert_eq!(h.status(full, USER).await, Some(FindingStatus::Resolved));
    assert_eq!(
        h.status(invoke, &first).await,
        Some(FindingStatus::Resolved)
    );

    iam.put_user_policy()
        .user_name(USER)
        .policy_name("example-inline")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    h.feed(&user_sample(&h, "PutUserPolicy", &first)).await;
    assert_eq!(h.status(invoke, &first).await, Some(FindingStatus::Open));

    // A second key: stored, and flagged as able to invoke too
    let second = iam
        .create_access_key()
        .user_name(USER)
        .send()
        .await
        .unwrap();
    let second = second.access_key().unwrap().access_key_id().to_owned();
    let out = h.feed(&user_sample(&h, "CreateAccessKey", &second)).await;
    assert!(out.requests <= 5, "{out:?}");
    assert_eq!(h.status(invoke, &second).await, Some(FindingStatus::Open));
    // Deactivated: no longer a usable key
    iam.update_access_key()
        .user_name(USER)
        .access_key_id(&second)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    h.feed(&user_sample(&h, "UpdateAccessKey", &second)).await;
    assert_eq!(
        h.status(invoke, &second).await,
        Some(FindingStatus::Resolved)
    );
    // Deleted: gone from the graph
    iam.delete_access_key()
        .user_name(USER)
        .access_key_id(&second)
        .send()
        .await
        .unwrap();
    h.feed(&user_sample(&h, "DeleteAccessKey", &second)).await;
    let key_arn = format!("arn:aws:iam::{ACCOUNT}:user/{USER}/accesskey/{second}");
    assert!(h.asset(&key_arn).await.is_none());

    iam.delete_user_policy()
        .user_name(USER)
        .policy_name("example-inline")
        .send()
        .await
        .unwrap();
    h.feed(&user_sample(&h, "DeleteUserPolicy", &first)).await;
    assert_eq!(
        h.status(invoke, &first).await,
        Some(FindingStatus::Resolved)
    );

    // The emulator has no user permission boundaries (PutUserPermissionsBoundary
    // answers 500): both events are still read back, and the user is
    // recorded as it is, without one.
    let user_arn = format!("arn:aws:iam::{ACCOUNT}:user/{USER}");
    for name in [
        "PutUserPermissionsBoundary",
        "DeleteUserPermissionsBoundary",
    ] {
        let out = h.feed(&user_sample(&h, name, &first)).await;
        assert!(out.handled && out.requests <= 5, "{name}: {out:?}");
        assert_eq!(out.resource.as_deref(), Some(user_arn.as_str()));
        let stored = h.asset(&user_arn).await.unwrap();
        assert!(stored.str_attr("permissions_boundary").is_none());
    }
    h.emu.stop();
}

/// Every mapped Secrets Manager call on a secret holding an AI-provider key:
/// metadata re-read with DescribeSecret (never the value).
#[tokio::test(flavor = "multi_thread")]
async fn secret_events_rescan_the_secret() {
    let h = Harness::new("events-secrets").await;
    let sm = aws_sdk_secretsmanager::Client::new(&h.sdk);
    let id = "example/openai-api-key";
    let feed = |name: &str| {
        let at = h.tick();
        sample_with(&format!("cloudtrail/secretsmanager/{name}.json"), &[], at)
    };
    let rotation = "secretsmanager_ai_secret_without_rotation";

    sm.create_secret()
        .name(id)
        .description("OpenAI API key of the support summariser")
        .secret_string("placeholder-not-a-real-key")
        .send()
        .await
        .unwrap();
    let out = h.feed(&feed("CreateSecret")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    let open_on = |v: &[FindingState]| {
        v.iter()
            .find(|f| {
                f.rule_id == rotation && f.resource_arn.contains(":secret:example/openai-api-key")
            })
            .map(|f| f.status)
    };
    assert_eq!(open_on(&h.findings().await), Some(FindingStatus::Open));

    // UpdateSecret, TagResource, UntagResource, CancelRotateSecret: re-read,
    // still an AI key without rotation
    sm.update_secret()
        .secret_id(id)
        .description("OpenAI API key of the support summariser (v2)")
        .send()
        .await
        .unwrap();
    h.feed(&feed("UpdateSecret")).await;
    sm.tag_resource()
        .secret_id(id)
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("owner")
                .value("support-eng")
                .build(),
        )
        .send()
        .await
        .unwrap();
    h.feed(&feed("TagResource")).await;
    let arn = h
        .findings()
        .await
        .into_iter()
        .find(|f| {
            f.rule_id == rotation && f.resource_arn.contains(":secret:example/openai-api-key")
        })
        .map(|f| f.resource_arn)
        .unwrap();
    assert_eq!(
        h.asset(&arn)
            .await
            .unwrap()
            .tags
            .get("owner")
            .map(String::as_str),
        Some("support-eng")
    );
    sm.untag_resource()
        .secret_id(id)
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    h.feed(&feed("UntagResource")).await;
    assert!(h.asset(&arn).await.unwrap().tags.is_empty());
    // The emulator cannot rotate through a Lambda; RotateSecret and
    // CancelRotateSecret are re-read as they stand (no rotation).
    for name in ["RotateSecret", "CancelRotateSecret"] {
        let out = h.feed(&feed(name)).await;
        assert!(out.handled && out.requests <= 5, "{name}: {out:?}");
        assert_eq!(
            open_on(&h.findings().await),
            Some(FindingStatus::Open),
            "{name}"
        );
    }

    // DeleteSecret: scheduled for deletion, it leaves the graph and its
    // finding resolves; RestoreSecret brings both back
    sm.delete_secret()
        .secret_id(id)
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    h.feed(&feed("DeleteSecret")).await;
    assert!(h.asset(&arn).await.is_none());
    assert_eq!(open_on(&h.findings().await), Some(FindingStatus::Resolved));
    sm.restore_secret().secret_id(id).send().await.unwrap();
    h.feed(&feed("RestoreSecret")).await;
    assert!(h.asset(&arn).await.is_some());
    assert_eq!(open_on(&h.findings().await), Some(FindingStatus::Open));

    // PutResourcePolicy sharing the key with an outside account: the
    // critical finding names the statement; DeleteResourcePolicy resolves it
    let shared = "secretsmanager_secret_readable_outside_org";
    assert!(!h.open_rules("openai-api-key").await.contains(shared));
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerReads", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    sm.put_resource_policy()
        .secret_id(id)
        .resource_policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let out = h.feed(&feed("PutResourcePolicy")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    assert_eq!(out.resource.as_deref(), Some(arn.as_str()));
    let finding = h
        .findings()
        .await
        .into_iter()
        .find(|f| f.rule_id == shared && f.resource_arn == arn)
        .unwrap();
    assert_eq!(finding.status, FindingStatus::Open);
    assert_eq!(finding.severity, aispm_shared::model::Severity::Critical);
    assert_eq!(
        h.asset(&arn).await.unwrap().attributes.get("policy"),
        Some(&policy)
    );
    sm.delete_resource_policy()
        .secret_id(id)
        .send()
        .await
        .unwrap();
    let out = h.feed(&feed("DeleteResourcePolicy")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    let stored = h.asset(&arn).await.unwrap();
    assert!(!stored.attributes.contains_key("policy"));
    let status = |v: Vec<FindingState>| {
        v.into_iter()
            .find(|f| f.rule_id == shared && f.resource_arn == arn)
            .map(|f| f.status)
    };
    assert_eq!(status(h.findings().await), Some(FindingStatus::Resolved));
    h.emu.stop();
}

/// The mapped SageMaker notebook calls: created with direct internet and
/// root access, updated, deleted.
#[tokio::test(flavor = "multi_thread")]
async fn notebook_events_rescan_the_notebook() {
    let h = Harness::new("events-notebook").await;
    let sm = aws_sdk_sagemaker::Client::new(&h.sdk);
    let name = "example-notebook";
    let feed = |event: &str| {
        let at = h.tick();
        sample_with(&format!("cloudtrail/sagemaker/{event}.json"), &[], at)
    };
    let internet = "sagemaker_notebook_direct_internet_access";
    let root = "sagemaker_notebook_root_access";
    sm.create_notebook_instance()
        .notebook_instance_name(name)
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/fraud-train-exec"))
        .direct_internet_access(aws_sdk_sagemaker::types::DirectInternetAccess::Enabled)
        .root_access(aws_sdk_sagemaker::types::RootAccess::Enabled)
        .send()
        .await
        .unwrap();
    let out = h.feed(&feed("CreateNotebookInstance")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    assert_eq!(h.status(internet, name).await, Some(FindingStatus::Open));
    assert_eq!(h.status(root, name).await, Some(FindingStatus::Open));
    assert_eq!(
        h.status("governance_asset_without_owner", name).await,
        Some(FindingStatus::Open)
    );

    // UpdateNotebookInstance: the emulator may not apply every setting; the
    // handler re-reads whatever the notebook now is.
    let updated = sm
        .update_notebook_instance()
        .notebook_instance_name(name)
        .root_access(aws_sdk_sagemaker::types::RootAccess::Disabled)
        .send()
        .await
        .is_ok();
    let out = h.feed(&feed("UpdateNotebookInstance")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    let described = sm
        .describe_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .unwrap();
    let root_now = described.root_access().map(|r| r.as_str().to_owned());
    let want = if root_now.as_deref() == Some("Disabled") {
        FindingStatus::Resolved
    } else {
        FindingStatus::Open
    };
    assert_eq!(
        h.status(root, name).await,
        Some(want),
        "update applied: {updated}"
    );

    sm.stop_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .unwrap();
    sm.delete_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .unwrap();
    let out = h.feed(&feed("DeleteNotebookInstance")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    let gone = sm
        .describe_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await
        .is_err();
    assert!(gone, "the emulator deletes at once");
    assert_eq!(
        h.status(internet, name).await,
        Some(FindingStatus::Resolved)
    );
    h.emu.stop();
}

/// The mapped KMS calls: the key's policy, rotation, state and deletion are
/// read back into the graph.
#[tokio::test(flavor = "multi_thread")]
async fn key_events_rescan_the_key() {
    let h = Harness::new("events-kms").await;
    let kms = aws_sdk_kms::Client::new(&h.sdk);
    let created = kms
        .create_key()
        .description("example")
        .send()
        .await
        .unwrap();
    let meta = created.key_metadata().unwrap();
    let (id, arn) = (meta.key_id().to_owned(), meta.arn().unwrap().to_owned());
    h.sweep("sw-1").await;
    let feed = |event: &str| {
        let at = h.tick();
        sample_with(
            &format!("cloudtrail/kms/{event}.json"),
            &[("1234abcd-12ab-34cd-56ef-1234567890ab", &id)],
            at,
        )
    };
    let attr = |a: Option<aispm_shared::model::Asset>, key: &str| {
        a.and_then(|a| a.attributes.get(key).cloned())
            .unwrap_or(Value::Null)
    };

    kms.enable_key_rotation().key_id(&id).send().await.unwrap();
    let out = h.feed(&feed("EnableKeyRotation")).await;
    assert!(out.handled && out.requests <= 5, "{out:?}");
    assert_eq!(
        attr(h.asset(&arn).await, "rotation_enabled"),
        Value::Bool(true)
    );
    kms.disable_key_rotation().key_id(&id).send().await.unwrap();
    h.feed(&feed("DisableKeyRotation")).await;
    assert_eq!(
        attr(h.asset(&arn).await, "rotation_enabled"),
        Value::Bool(false)
    );

    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Admins","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    kms.put_key_policy()
        .key_id(&id)
        .policy_name("default")
        .policy(&policy)
        .send()
        .await
        .unwrap();
    h.feed(&feed("PutKeyPolicy")).await;
    let stored_policy = attr(h.asset(&arn).await, "policy");
    eprintln!("stored key policy: {stored_policy}");
    assert!(
        stored_policy.to_string().contains("Admins"),
        "{stored_policy}"
    );

    kms.disable_key().key_id(&id).send().await.unwrap();
    h.feed(&feed("DisableKey")).await;
    assert_eq!(attr(h.asset(&arn).await, "enabled"), Value::Bool(false));
    kms.enable_key().key_id(&id).send().await.unwrap();
    h.feed(&feed("EnableKey")).await;
    assert_eq!(attr(h.asset(&arn).await, "enabled"), Value::Bool(true));

    kms.schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    h.feed(&feed("ScheduleKeyDeletion")).await;
    assert_eq!(attr(h.asset(&arn).await, "key_state"), "PendingDeletion");
    kms.cancel_key_deletion().key_id(&id).send().await.unwrap();
    let out = h.feed(&feed("CancelKeyDeletion")).await;
    assert!(out.requests <= 5, "{out:?}");
    assert_ne!(attr(h.asset(&arn).await, "key_state"), "PendingDeletion");
    h.emu.stop();
}

impl Harness {
    /// The rules with an open finding on the resource whose ARN ends so.
    async fn open_rules(&self, arn_end: &str) -> std::collections::BTreeSet<String> {
        self.findings()
            .await
            .into_iter()
            .filter(|f| f.status == FindingStatus::Open && f.resource_arn.ends_with(arn_end))
            .map(|f| f.rule_id)
            .collect()
    }

    /// The stored edges from the asset whose ARN ends so, as `kind → to`.
    async fn edges_from(&self, arn_end: &str) -> Vec<String> {
        self.store
            .account(ACCOUNT)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|i| match i.part {
                aispm_shared::store::Part::Edge(e) if e.from.ends_with(arn_end) => {
                    Some(format!("{:?} -> {}", e.kind, e.to))
                }
                _ => None,
            })
            .collect()
    }

    /// Feeds a sample of `dir` with names replaced and checks the handler
    /// acted within the request budget.
    async fn call(&self, dir: &str, event: &str, names: &[(&str, &str)]) -> Outcome {
        let at = self.tick();
        let v = sample_with(&format!("cloudtrail/{dir}/{event}.json"), names, at);
        let out = self.feed(&v).await;
        assert!(out.handled, "{event}: {out:?}");
        assert!(out.requests <= 5, "{event}: {out:?}");
        out
    }
}

/// Empty lists of the Bedrock guardrails, provisioned throughputs, flows
/// and AgentCore resources (the emulator cannot serve them; it
/// answers the agents and knowledge bases itself), so that rules over them
/// see a fully assessed region and findings of assets that are fixed or
/// gone resolve.
fn no_agents() -> Vec<Fault> {
    vec![
        Fault::ok_json(&["GET /guardrails HTTP"], r#"{"guardrails":[]}"#),
        Fault::ok_json(&["GET /guardrails?"], r#"{"guardrails":[]}"#),
        Fault::ok_json(
            &["GET /provisioned-model-throughputs"],
            r#"{"provisionedModelSummaries":[]}"#,
        ),
        Fault::ok_json(&["POST /runtimes HTTP"], r#"{"agentRuntimes":[]}"#),
        Fault::ok_json(&["POST /runtimes?"], r#"{"agentRuntimes":[]}"#),
        Fault::ok_json(&["GET /gateways HTTP"], r#"{"items":[]}"#),
        Fault::ok_json(&["GET /gateways?"], r#"{"items":[]}"#),
        Fault::ok_json(&["GET /gateways/", "/targets"], r#"{"items":[]}"#),
        Fault::ok_json(&["GET /flows/ HTTP"], r#"{"flowSummaries":[]}"#),
        Fault::ok_json(&["GET /flows/?"], r#"{"flowSummaries":[]}"#),
        Fault::ok_json(&["POST /memories"], r#"{"memories":[]}"#),
        Fault::ok_json(&["POST /browsers"], r#"{"browserSummaries":[]}"#),
        Fault::ok_json(
            &["POST /code-interpreters"],
            r#"{"codeInterpreterSummaries":[]}"#,
        ),
        Fault::ok_json(
            &["POST /identities/ListWorkloadIdentities"],
            r#"{"workloadIdentities":[]}"#,
        ),
        Fault::ok_json(
            &["GET /tags/arn%3Aaws%3Abedrock-agentcore"],
            r#"{"tags":{}}"#,
        ),
    ]
}

fn with_agents_quiet(mut faults: Vec<Fault>) -> Vec<Fault> {
    faults.extend(no_agents());
    faults
}

fn set(rules: &[&str]) -> std::collections::BTreeSet<String> {
    rules.iter().map(|r| (*r).to_owned()).collect()
}

const IMAGE: &str = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-gpu-py311";

/// The mapped SageMaker hosting calls: a model, its endpoint configuration
/// and endpoint are created, tagged, updated and deleted; each call's
/// findings open and resolve with it.
#[tokio::test(flavor = "multi_thread")]
async fn sagemaker_hosting_events_rescan_models_configs_and_endpoints() {
    use aws_sdk_sagemaker::types::{ContainerDefinition, ProductionVariant, Tag};
    let h = Harness::start("events-sm-hosting", Seed::Poisoned, Some(no_agents())).await;
    let sm = aws_sdk_sagemaker::Client::new(&h.sdk);
    let sagemaker = |event: &'static str| h.call("sagemaker", event, &[]);
    let owner = "governance_asset_without_owner";

    sm.create_model()
        .model_name("example-model")
        .execution_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/fraud-serve-exec"))
        .primary_container(
            ContainerDefinition::builder()
                .image(IMAGE)
                .model_data_url(format!("s3://model-artifacts-{ACCOUNT}/x/model.tar.gz"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    sagemaker("CreateModel").await;
    let model = h.open_rules("model/example-model").await;
    assert!(
        model.contains("sagemaker_model_without_vpc") && model.contains(owner),
        "{model:?}"
    );

    // Tags: the owner tag resolves the shadow-AI finding; removing it reopens.
    sm.add_tags()
        .resource_arn(format!(
            "arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/example-model"
        ))
        .tags(Tag::builder().key("owner").value("fraud-ml").build())
        .send()
        .await
        .unwrap();
    sagemaker("AddTags").await;
    assert_eq!(
        h.status(owner, "model/example-model").await,
        Some(FindingStatus::Resolved)
    );
    sm.delete_tags()
        .resource_arn(format!(
            "arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/example-model"
        ))
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    sagemaker("DeleteTags").await;
    assert_eq!(
        h.status(owner, "model/example-model").await,
        Some(FindingStatus::Open)
    );

    sm.create_endpoint_config()
        .endpoint_config_name("example-model-config")
        .production_variants(
            ProductionVariant::builder()
                .variant_name("primary")
                .model_name("example-model")
                .initial_instance_count(1)
                .instance_type(aws_sdk_sagemaker::types::ProductionVariantInstanceType::MlM5Large)
                .build(),
        )
        .send()
        .await
        .unwrap();
    sagemaker("CreateEndpointConfig").await;
    let config = h.open_rules("endpoint-config/example-model-config").await;
    assert!(
        config.contains("sagemaker_endpoint_config_without_kms")
            && config.contains("sagemaker_endpoint_config_single_instance"),
        "{config:?}"
    );

    sm.create_endpoint()
        .endpoint_name("example-endpoint")
        .endpoint_config_name("example-model-config")
        .send()
        .await
        .unwrap();
    sagemaker("CreateEndpoint").await;
    assert_eq!(
        h.open_rules("endpoint/example-endpoint").await,
        set(&[owner, "sagemaker_endpoint_model_not_from_registry"])
    );
    assert!(
        h.edges_from("endpoint/example-endpoint")
            .await
            .iter()
            .any(|e| e.ends_with("endpoint-config/example-model-config")),
        "the endpoint uses its configuration"
    );
    // UpdateEndpoint: the emulator has no UpdateEndpoint; the handler
    // re-reads the endpoint as it is.
    sagemaker("UpdateEndpoint").await;
    assert_eq!(
        h.open_rules("endpoint/example-endpoint").await,
        set(&[owner, "sagemaker_endpoint_model_not_from_registry"])
    );

    sm.delete_endpoint()
        .endpoint_name("example-endpoint")
        .send()
        .await
        .unwrap();
    sagemaker("DeleteEndpoint").await;
    assert_eq!(
        h.status(owner, "endpoint/example-endpoint").await,
        Some(FindingStatus::Resolved)
    );
    sm.delete_endpoint_config()
        .endpoint_config_name("example-model-config")
        .send()
        .await
        .unwrap();
    sagemaker("DeleteEndpointConfig").await;
    assert!(
        h.open_rules("endpoint-config/example-model-config")
            .await
            .is_empty()
    );
    sm.delete_model()
        .model_name("example-model")
        .send()
        .await
        .unwrap();
    sagemaker("DeleteModel").await;
    assert!(h.open_rules("model/example-model").await.is_empty());
    assert_eq!(
        h.status("sagemaker_model_without_vpc", "model/example-model")
            .await,
        Some(FindingStatus::Resolved)
    );
    h.emu.stop();
}

/// The mapped SageMaker job calls: a training job reading the training data
/// (writable from outside) joins the poisoning path; processing, transform
/// and tuning jobs are read with their settings; a deleted tuning job
/// resolves.
#[tokio::test(flavor = "multi_thread")]
async fn sagemaker_job_events_rescan_the_job_and_the_paths_over_it() {
    use aws_sdk_sagemaker::types::{
        AlgorithmSpecification, Channel, DataSource, HyperParameterTrainingJobDefinition,
        HyperParameterTuningJobConfig, HyperParameterTuningJobStrategyType, OutputDataConfig,
        ProcessingClusterConfig, ProcessingInput, ProcessingResources, ProcessingS3Input,
        ResourceConfig, ResourceLimits, S3DataSource, S3DataType, StoppingCondition,
        TrainingInputMode, TransformDataSource, TransformInput, TransformOutput,
        TransformResources, TransformS3DataSource,
    };
    let h = Harness::start("events-sm-jobs", Seed::Poisoned, Some(no_agents())).await;
    let sm = aws_sdk_sagemaker::Client::new(&h.sdk);
    let sagemaker = |event: &'static str| h.call("sagemaker", event, &[]);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/fraud-train-exec");
    let algorithm = AlgorithmSpecification::builder()
        .training_image(IMAGE)
        .training_input_mode(TrainingInputMode::File)
        .build();
    let channel = Channel::builder()
        .channel_name("train")
        .data_source(
            DataSource::builder()
                .s3_data_source(
                    S3DataSource::builder()
                        .s3_data_type(S3DataType::S3Prefix)
                        .s3_uri(format!("s3://{TRAINING}/labels/"))
                        .build(),
                )
                .build(),
        )
        .build();
    let output = OutputDataConfig::builder()
        .s3_output_path(format!("s3://model-artifacts-{ACCOUNT}/example/"))
        .build();
    let resources = ResourceConfig::builder()
        .instance_type(aws_sdk_sagemaker::types::TrainingInstanceType::MlM5Xlarge)
        .instance_count(1)
        .volume_size_in_gb(30)
        .build();
    let stopping = StoppingCondition::builder()
        .max_runtime_in_seconds(3600)
        .build();

    sm.create_training_job()
        .training_job_name("example-training-job")
        .role_arn(&role)
        .algorithm_specification(algorithm.clone())
        .input_data_config(channel.clone())
        .output_data_config(output.clone())
        .resource_config(resources.clone())
        .stopping_condition(stopping.clone())
        .send()
        .await
        .unwrap();
    sagemaker("CreateTrainingJob").await;
    let job = h.open_rules("training-job/example-training-job").await;
    assert!(job.contains("sagemaker_job_without_vpc"), "{job:?}");
    // The new job reads the poisonable data: the path now names it too.
    let path = h
        .findings()
        .await
        .into_iter()
        .find(|f| f.rule_id == "path_poisonable_training_data")
        .unwrap();
    assert_eq!(path.status, FindingStatus::Open);
    let detail = h
        .store
        .detail(ACCOUNT, &path.finding_id)
        .await
        .unwrap()
        .unwrap();
    let evidence = serde_json::to_string(&detail.evidence).unwrap();
    assert!(evidence.contains("example-training-job"), "{evidence}");
    // UpdateTrainingJob (not in the emulator): re-read as it is.
    sagemaker("UpdateTrainingJob").await;
    assert_eq!(h.open_rules("training-job/example-training-job").await, job);

    sm.create_processing_job()
        .processing_job_name("example-processing-job")
        .role_arn(&role)
        .app_specification(
            aws_sdk_sagemaker::types::AppSpecification::builder()
                .image_uri(IMAGE)
                .build(),
        )
        .processing_resources(
            ProcessingResources::builder()
                .cluster_config(
                    ProcessingClusterConfig::builder()
                        .instance_count(1)
                        .instance_type(aws_sdk_sagemaker::types::ProcessingInstanceType::MlM5Xlarge)
                        .volume_size_in_gb(30)
                        .build(),
                )
                .build(),
        )
        .processing_inputs(
            ProcessingInput::builder()
                .input_name("raw")
                .s3_input(
                    ProcessingS3Input::builder()
                        .s3_uri(format!("s3://{TRAINING}/raw/"))
                        .local_path("/opt/ml/processing/input")
                        .s3_data_type(aws_sdk_sagemaker::types::ProcessingS3DataType::S3Prefix)
                        .s3_input_mode(aws_sdk_sagemaker::types::ProcessingS3InputMode::File)
                        .build(),
                )
                .build(),
        )
        .stopping_condition(
            aws_sdk_sagemaker::types::ProcessingStoppingCondition::builder()
                .max_runtime_in_seconds(3600)
                .build(),
        )
        .send()
        .await
        .unwrap();
    sagemaker("CreateProcessingJob").await;
    let processing = h.open_rules("processing-job/example-processing-job").await;
    assert!(
        processing.contains("sagemaker_job_without_vpc"),
        "{processing:?}"
    );

    sm.create_transform_job()
        .transform_job_name("example-transform-job")
        .model_name("fraud-scoring")
        .transform_input(
            TransformInput::builder()
                .data_source(
                    TransformDataSource::builder()
                        .s3_data_source(
                            TransformS3DataSource::builder()
                                .s3_data_type(S3DataType::S3Prefix)
                                .s3_uri(format!("s3://{TRAINING}/batch/"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .transform_output(
            TransformOutput::builder()
                .s3_output_path(format!("s3://model-artifacts-{ACCOUNT}/predictions/"))
                .build(),
        )
        .transform_resources(
            TransformResources::builder()
                .instance_type(aws_sdk_sagemaker::types::TransformInstanceType::MlM5Large)
                .instance_count(1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    sagemaker("CreateTransformJob").await;
    let transform = h.open_rules("transform-job/example-transform-job").await;
    assert!(
        transform.contains("sagemaker_job_storage_without_kms"),
        "{transform:?}"
    );
    assert!(
        h.edges_from("transform-job/example-transform-job")
            .await
            .iter()
            .any(|e| e.ends_with("model/fraud-scoring")),
        "the transform job uses its model"
    );

    sm.create_hyper_parameter_tuning_job()
        .hyper_parameter_tuning_job_name("example-tuning-job")
        .hyper_parameter_tuning_job_config(
            HyperParameterTuningJobConfig::builder()
                .strategy(HyperParameterTuningJobStrategyType::Bayesian)
                .resource_limits(
                    ResourceLimits::builder()
                        .max_number_of_training_jobs(4)
                        .max_parallel_training_jobs(2)
                        .build(),
                )
                .build(),
        )
        .training_job_definition(
            HyperParameterTrainingJobDefinition::builder()
                .algorithm_specification(
                    aws_sdk_sagemaker::types::HyperParameterAlgorithmSpecification::builder()
                        .training_image(IMAGE)
                        .training_input_mode(TrainingInputMode::File)
                        .build(),
                )
                .role_arn(&role)
                .input_data_config(channel.clone())
                .output_data_config(output.clone())
                .resource_config(resources.clone())
                .stopping_condition(stopping.clone())
                .enable_network_isolation(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    sagemaker("CreateHyperParameterTuningJob").await;
    let tuning = h
        .open_rules("hyper-parameter-tuning-job/example-tuning-job")
        .await;
    assert!(
        tuning.contains("sagemaker_job_network_isolation_disabled"),
        "{tuning:?}"
    );
    sm.delete_hyper_parameter_tuning_job()
        .hyper_parameter_tuning_job_name("example-tuning-job")
        .send()
        .await
        .unwrap();
    sagemaker("DeleteHyperParameterTuningJob").await;
    assert!(
        h.open_rules("hyper-parameter-tuning-job/example-tuning-job")
            .await
            .is_empty()
    );
    h.emu.stop();
}

/// The mapped Studio, pipeline, feature store and registry calls. The
/// emulator lacks user profiles and some deletes: a loopback responder
/// answers those in SageMaker's wire format.
#[tokio::test(flavor = "multi_thread")]
async fn sagemaker_studio_pipeline_feature_and_registry_events() {
    use aws_sdk_sagemaker::types::{
        AppNetworkAccessType, AuthMode, FeatureDefinition, FeatureType, OnlineStoreConfig,
        UserSettings,
    };
    let h = Harness::start("events-sm-studio", Seed::Poisoned, Some(no_agents())).await;
    let sm = aws_sdk_sagemaker::Client::new(&h.sdk);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/fraud-train-exec");
    let owner = "governance_asset_without_owner";

    let created = sm
        .create_domain()
        .domain_name("example-domain")
        .auth_mode(AuthMode::Iam)
        .default_user_settings(UserSettings::builder().execution_role(&role).build())
        .subnet_ids("subnet-0example0001")
        .vpc_id("vpc-0example0001")
        .app_network_access_type(AppNetworkAccessType::PublicInternetOnly)
        // The emulator cannot list the tags of a domain created without any.
        .tags(
            aws_sdk_sagemaker::types::Tag::builder()
                .key("purpose")
                .value("research")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let domain_arn = created.domain_arn().unwrap().to_owned();
    let domain_id = domain_arn.rsplit('/').next().unwrap().to_owned();
    let names = [("d-example00001", domain_id.as_str())];
    // CreateDomain names the new domain only in its response.
    h.call("sagemaker", "CreateDomain", &names).await;
    let domain = h.open_rules(&format!("domain/{domain_id}")).await;
    assert!(
        domain.contains("sagemaker_domain_public_internet") && domain.contains(owner),
        "{domain:?}"
    );
    h.call("sagemaker", "UpdateDomain", &names).await;
    assert_eq!(h.open_rules(&format!("domain/{domain_id}")).await, domain);

    // User profiles: answered by the responder.
    let profile_arn =
        format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/{domain_id}/example-user");
    h.proxy().set(with_agents_quiet(vec![Fault {
        needles: vec!["SageMaker.DescribeUserProfile".to_owned()],
        status: 200,
        content_type: "application/x-amz-json-1.1".to_owned(),
        body: format!(
            r#"{{"DomainId":"{domain_id}","UserProfileArn":"{profile_arn}","UserProfileName":"example-user","Status":"InService","CreationTime":1763632800,"UserSettings":{{"ExecutionRole":"{role}"}}}}"#
        ),
        then: Vec::new(),
    }]));
    for event in ["CreateUserProfile", "UpdateUserProfile"] {
        h.call("sagemaker", event, &names).await;
        let profile = h.asset(&profile_arn).await.expect("profile stored");
        assert_eq!(profile.str_attr("role_arn"), Some(role.as_str()));
    }
    assert!(
        h.edges_from(&profile_arn)
            .await
            .iter()
            .any(|e| e.ends_with("role/fraud-train-exec")),
        "the profile runs as its role"
    );
    h.proxy().set(with_agents_quiet(vec![Fault::json_error(
        "SageMaker.DescribeUserProfile",
        400,
        "ResourceNotFound",
        "User profile does not exist",
    )]));
    h.call("sagemaker", "DeleteUserProfile", &names).await;
    assert!(h.asset(&profile_arn).await.is_none());
    h.proxy().set(no_agents());

    sm.delete_domain()
        .domain_id(&domain_id)
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "DeleteDomain", &names).await;
    assert!(
        h.open_rules(&format!("domain/{domain_id}"))
            .await
            .is_empty()
    );

    // Pipelines.
    let definition = format!(
        r#"{{"Version":"2020-12-01","Steps":[{{"Name":"Train","Type":"Training","Arguments":{{"InputDataConfig":[{{"DataSource":{{"S3DataSource":{{"S3Uri":"s3://{TRAINING}/labels/"}}}}}}]}}}}]}}"#
    );
    sm.create_pipeline()
        .pipeline_name("example-pipeline")
        .pipeline_definition(&definition)
        .role_arn(&role)
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "CreatePipeline", &[]).await;
    assert_eq!(
        h.open_rules("pipeline/example-pipeline").await,
        set(&[owner])
    );
    assert!(
        h.edges_from("pipeline/example-pipeline")
            .await
            .iter()
            .any(|e| e.ends_with(TRAINING)),
        "the pipeline reads the training data"
    );
    sm.update_pipeline()
        .pipeline_name("example-pipeline")
        .pipeline_definition(&definition)
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "UpdatePipeline", &[]).await;
    assert_eq!(
        h.open_rules("pipeline/example-pipeline").await,
        set(&[owner])
    );
    sm.delete_pipeline()
        .pipeline_name("example-pipeline")
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "DeletePipeline", &[]).await;
    assert!(h.open_rules("pipeline/example-pipeline").await.is_empty());

    // Feature groups (the emulator has no update or delete: the responder
    // answers the describe after deletion).
    sm.create_feature_group()
        .feature_group_name("example-feature-group")
        .record_identifier_feature_name("customer_id")
        .event_time_feature_name("event_time")
        .feature_definitions(
            FeatureDefinition::builder()
                .feature_name("customer_id")
                .feature_type(FeatureType::String)
                .build(),
        )
        .feature_definitions(
            FeatureDefinition::builder()
                .feature_name("event_time")
                .feature_type(FeatureType::String)
                .build(),
        )
        .online_store_config(
            OnlineStoreConfig::builder()
                .enable_online_store(true)
                .build(),
        )
        // The emulator needs an offline store.
        .offline_store_config(
            aws_sdk_sagemaker::types::OfflineStoreConfig::builder()
                .s3_storage_config(
                    aws_sdk_sagemaker::types::S3StorageConfig::builder()
                        .s3_uri(format!("s3://model-artifacts-{ACCOUNT}/feature-store/"))
                        .build(),
                )
                .build(),
        )
        .role_arn(&role)
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "CreateFeatureGroup", &[]).await;
    let fg = h.open_rules("feature-group/example-feature-group").await;
    assert!(fg.contains("sagemaker_feature_group_without_kms"), "{fg:?}");
    h.call("sagemaker", "UpdateFeatureGroup", &[]).await;
    assert_eq!(
        h.open_rules("feature-group/example-feature-group").await,
        fg
    );
    h.proxy().set(with_agents_quiet(vec![Fault::json_error(
        "SageMaker.DescribeFeatureGroup",
        400,
        "ResourceNotFound",
        "Resource Not Found: FeatureGroup example-feature-group",
    )]));
    h.call("sagemaker", "DeleteFeatureGroup", &[]).await;
    assert!(
        h.open_rules("feature-group/example-feature-group")
            .await
            .is_empty()
    );
    h.proxy().set(no_agents());

    // The model registry.
    sm.create_model_package_group()
        .model_package_group_name("example-model-group")
        .send()
        .await
        .unwrap();
    h.call("sagemaker", "CreateModelPackageGroup", &[]).await;
    assert_eq!(
        h.open_rules("model-package-group/example-model-group")
            .await,
        set(&[owner])
    );
    h.proxy().set(with_agents_quiet(vec![Fault::json_error(
        "SageMaker.DescribeModelPackageGroup",
        400,
        "ValidationException",
        "ModelPackageGroup arn:aws:sagemaker:us-east-1:123456789012:model-package-group/example-model-group does not exist.",
    )]));
    h.call("sagemaker", "DeleteModelPackageGroup", &[]).await;
    assert!(
        h.open_rules("model-package-group/example-model-group")
            .await
            .is_empty()
    );
    h.emu.stop();
}

/// A Bedrock guardrail as GetGuardrail answers (REST-JSON), with the prompt
/// attack filter at `strength`.
fn guardrail_body(strength: &str) -> String {
    format!(
        r#"{{"name":"example-guardrail","guardrailId":"exampleguard1","guardrailArn":"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/exampleguard1","version":"DRAFT","status":"READY","contentPolicy":{{"filters":[{{"type":"PROMPT_ATTACK","inputStrength":"{strength}","outputStrength":"NONE"}},{{"type":"HATE","inputStrength":"HIGH","outputStrength":"HIGH"}}]}},"blockedInputMessaging":"Blocked.","blockedOutputsMessaging":"Blocked.","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z"}}"#
    )
}

/// The mapped Bedrock calls: invocation logging on and off, a customization
/// job and the custom model it makes (tagged, untagged, deleted), and, from
/// the responder (the emulator lacks them), a guardrail and a provisioned
/// throughput created, updated and deleted.
#[tokio::test(flavor = "multi_thread")]
async fn bedrock_events_rescan_logging_models_guardrails_and_throughput() {
    let h = Harness::start("events-bedrock", Seed::Poisoned, Some(no_agents())).await;
    let br = aws_sdk_bedrock::Client::new(&h.sdk);
    let bedrock = |event: &'static str, names: &'static [(&'static str, &'static str)]| {
        h.call("bedrock", event, names)
    };
    let logging = "bedrock_invocation_logging_disabled";
    assert_eq!(
        h.status(logging, "model-invocation-logging").await,
        Some(FindingStatus::Open),
        "no logging configured yet"
    );
    br.put_model_invocation_logging_configuration()
        .logging_config(
            aws_sdk_bedrock::types::LoggingConfig::builder()
                .s3_config(
                    aws_sdk_bedrock::types::S3Config::builder()
                        .bucket_name(format!("model-artifacts-{ACCOUNT}"))
                        .key_prefix("bedrock/")
                        .build()
                        .unwrap(),
                )
                .text_data_delivery_enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let before = h.findings().await;
    bedrock("PutModelInvocationLoggingConfiguration", &[]).await;
    // Findings elsewhere that the call did not change are left alone.
    for f in h.findings().await.iter().filter(|f| f.scope == "global") {
        assert!(before.contains(f), "{f:?}");
    }
    assert_eq!(
        h.status(logging, "model-invocation-logging").await,
        Some(FindingStatus::Resolved)
    );
    br.delete_model_invocation_logging_configuration()
        .send()
        .await
        .unwrap();
    bedrock("DeleteModelInvocationLoggingConfiguration", &[]).await;
    assert_eq!(
        h.status(logging, "model-invocation-logging").await,
        Some(FindingStatus::Open)
    );

    // A customization job reading the training data makes a custom model.
    br.create_model_customization_job()
        .job_name("example-customization-job")
        .custom_model_name("example-custom-model")
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/fraud-train-exec"))
        .base_model_identifier("amazon.titan-text-express-v1")
        .training_data_config(
            aws_sdk_bedrock::types::TrainingDataConfig::builder()
                .s3_uri(format!("s3://{TRAINING}/labels/train.jsonl"))
                .build(),
        )
        .output_data_config(
            aws_sdk_bedrock::types::OutputDataConfig::builder()
                .s3_uri(format!("s3://model-artifacts-{ACCOUNT}/fine-tune/"))
                .build()
                .unwrap(),
        )
        .hyper_parameters("epochCount", "1")
        .send()
        .await
        .unwrap();
    // The emulator answers GetModelCustomizationJob with timestamps the SDK
    // rejects (a space for `T`): the responder answers it as AWS does.
    let job_body = |status: &str| {
        format!(
            r#"{{"jobArn":"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/examplejob001","jobName":"example-customization-job","outputModelName":"example-custom-model","roleArn":"arn:aws:iam::{ACCOUNT}:role/fraud-train-exec","status":"{status}","creationTime":"2026-11-20T10:00:00Z","baseModelArn":"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1","hyperParameters":{{"epochCount":"1"}},"trainingDataConfig":{{"s3Uri":"s3://{TRAINING}/labels/train.jsonl"}},"validationDataConfig":{{"validators":[]}},"outputDataConfig":{{"s3Uri":"s3://model-artifacts-{ACCOUNT}/fine-tune/"}}}}"#
        )
    };
    let get_job = "GET /model-customization-jobs/example-customization-job";
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_job],
        job_body("InProgress"),
    )]));
    bedrock("CreateModelCustomizationJob", &[]).await;
    let job = h
        .findings()
        .await
        .into_iter()
        .find(|f| f.rule_id == "path_poisonable_training_data")
        .unwrap();
    let detail = h
        .store
        .detail(ACCOUNT, &job.finding_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        serde_json::to_string(&detail.evidence)
            .unwrap()
            .contains("model-customization-job/amazon.titan-text-express-v1:0:8k/examplejob001"),
        "the job reading poisonable data joins the path"
    );
    br.stop_model_customization_job()
        .job_identifier("example-customization-job")
        .send()
        .await
        .unwrap();
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_job],
        job_body("Stopping"),
    )]));
    bedrock("StopModelCustomizationJob", &[]).await;
    let job_arn = format!(
        "arn:aws:bedrock:{REGION}:{ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/examplejob001"
    );
    assert_eq!(
        h.asset(&job_arn).await.unwrap().str_attr("status"),
        Some("Stopping")
    );

    // The custom model the job made appears with the next sweep; its tag
    // and delete calls re-read it. The emulator's custom-model answers have
    // the same timestamp defect: the responder answers as AWS does, with
    // the tags the calls leave.
    let model_arn = format!(
        "arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/examplemodel1"
    );
    let custom_model = |tags: &str| {
        with_agents_quiet(vec![
            Fault::ok_json(
                &["GET /custom-models/"],
                format!(
                    r#"{{"modelArn":"{model_arn}","modelName":"example-custom-model","jobName":"example-customization-job","jobArn":"{job_arn}","baseModelArn":"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1:0:8k","customizationType":"FINE_TUNING","hyperParameters":{{"epochCount":"1"}},"trainingDataConfig":{{"s3Uri":"s3://{TRAINING}/labels/train.jsonl"}},"outputDataConfig":{{"s3Uri":"s3://model-artifacts-{ACCOUNT}/fine-tune/"}},"creationTime":"2026-11-20T10:00:00Z"}}"#
                ),
            ),
            Fault::ok_json(
                &["GET /custom-models"],
                format!(
                    r#"{{"modelSummaries":[{{"modelArn":"{model_arn}","modelName":"example-custom-model","creationTime":"2026-11-20T10:00:00Z","baseModelArn":"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1:0:8k","baseModelName":"Titan Text G1 - Express"}}]}}"#
                ),
            ),
            Fault::ok_json(
                &["POST /listTagsForResource", "custom-model"],
                format!(r#"{{"tags":[{tags}]}}"#),
            ),
        ])
    };
    h.proxy().set(custom_model(""));
    h.sweep("sw-1").await;
    let owner = "governance_asset_without_owner";
    assert!(
        h.open_rules(&model_arn)
            .await
            .is_superset(&set(&[owner, "bedrock_custom_model_without_cmk"])),
        "{:?}",
        h.open_rules(&model_arn).await
    );
    // The samples tag a guardrail; here the call tagged the model.
    let sample_arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/exampleguard1");
    let model_names = [(sample_arn.as_str(), model_arn.as_str())];
    h.proxy()
        .set(custom_model(r#"{"key":"owner","value":"support-eng"}"#));
    h.call("bedrock", "TagResource", &model_names).await;
    assert_eq!(
        h.status(owner, &model_arn).await,
        Some(FindingStatus::Resolved)
    );
    h.proxy().set(custom_model(""));
    h.call("bedrock", "UntagResource", &model_names).await;
    assert_eq!(h.status(owner, &model_arn).await, Some(FindingStatus::Open));
    h.proxy().set(with_agents_quiet(vec![
        Fault::rest_not_found(&["GET /custom-models/"]),
        Fault::ok_json(&["GET /custom-models"], r#"{"modelSummaries":[]}"#),
    ]));
    bedrock("DeleteCustomModel", &[]).await;
    assert!(h.open_rules(&model_arn).await.is_empty());

    // Guardrails, from the responder.
    let weak = "bedrock_guardrail_prompt_attack_weak";
    let get = "GET /guardrails/exampleguard1";
    for (event, strength, status) in [
        ("CreateGuardrail", "LOW", FindingStatus::Open),
        ("UpdateGuardrail", "HIGH", FindingStatus::Resolved),
        ("UpdateGuardrail", "LOW", FindingStatus::Open),
    ] {
        h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
            &[get],
            guardrail_body(strength),
        )]));
        bedrock(event, &[]).await;
        assert_eq!(
            h.status(weak, "guardrail/exampleguard1").await,
            Some(status),
            "{event} {strength}"
        );
    }
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[get])]));
    bedrock("DeleteGuardrail", &[]).await;
    assert!(h.open_rules("guardrail/exampleguard1").await.is_empty());

    // Provisioned throughput, from the responder: it has no owner tag.
    let pt_arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/exampleprov01");
    let pt = "GET /provisioned-model-throughput/";
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[pt],
        format!(
            r#"{{"modelUnits":1,"desiredModelUnits":1,"provisionedModelName":"example-provisioned","provisionedModelArn":"{pt_arn}","modelArn":"{model_arn}","desiredModelArn":"{model_arn}","foundationModelArn":"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1","status":"InService","creationTime":"2026-11-20T10:00:00Z","lastModifiedTime":"2026-11-20T10:00:00Z"}}"#
        ),
    )]));
    for event in [
        "CreateProvisionedModelThroughput",
        "UpdateProvisionedModelThroughput",
    ] {
        bedrock(event, &[]).await;
        assert_eq!(h.open_rules(&pt_arn).await, set(&[owner]), "{event}");
    }
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[pt])]));
    bedrock("DeleteProvisionedModelThroughput", &[]).await;
    assert!(h.open_rules(&pt_arn).await.is_empty());
    h.emu.stop();
}

/// Bedrock Agents answers (REST-JSON) for the example agent and knowledge
/// base of the samples: the agent (with a guardrail or not), its action
/// groups (`group`: the one group's answer, when it has one), its knowledge
/// bases, the knowledge base and its data source (`source`, likewise).
fn agent_faults(
    guardrail: bool,
    group: Option<&str>,
    kbs: &[&str],
    source: Option<&str>,
) -> Vec<Fault> {
    let ts = "2026-11-20T10:00:00Z";
    let agent_arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/EXAMPLEAG1");
    let kb_arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:knowledge-base/EXAMPLEKB1");
    let guard = if guardrail {
        r#","guardrailConfiguration":{"guardrailIdentifier":"exampleguard1","guardrailVersion":"1"}"#
    } else {
        ""
    };
    let mut out = Vec::new();
    match group {
        Some(body) => {
            out.push(Fault::ok_json(
                &["GET /agents/EXAMPLEAG1/agentversions/DRAFT/actiongroups/EXAMPLEAC1"],
                body.to_owned(),
            ));
            out.push(Fault::ok_json(
                &["POST /agents/EXAMPLEAG1/agentversions/DRAFT/actiongroups"],
                format!(r#"{{"actionGroupSummaries":[{{"actionGroupId":"EXAMPLEAC1","actionGroupName":"example-tools","actionGroupState":"ENABLED","updatedAt":"{ts}"}}]}}"#),
            ));
        }
        None => {
            out.push(Fault::rest_not_found(&[
                "GET /agents/EXAMPLEAG1/agentversions/DRAFT/actiongroups/EXAMPLEAC1",
            ]));
            out.push(Fault::ok_json(
                &["POST /agents/EXAMPLEAG1/agentversions/DRAFT/actiongroups"],
                r#"{"actionGroupSummaries":[]}"#,
            ));
        }
    }
    let summaries: Vec<String> = kbs
        .iter()
        .map(|kb| {
            format!(
                r#"{{"knowledgeBaseId":"{kb}","knowledgeBaseState":"ENABLED","updatedAt":"{ts}"}}"#
            )
        })
        .collect();
    out.push(Fault::ok_json(
        &["POST /agents/EXAMPLEAG1/agentversions/DRAFT/knowledgebases"],
        format!(
            r#"{{"agentKnowledgeBaseSummaries":[{}]}}"#,
            summaries.join(",")
        ),
    ));
    out.push(Fault::ok_json(
        &["GET /agents/EXAMPLEAG1"],
        format!(r#"{{"agent":{{"agentId":"EXAMPLEAG1","agentName":"example-agent","agentArn":"{agent_arn}","agentVersion":"DRAFT","agentStatus":"PREPARED","foundationModel":"anthropic.claude-3-5-sonnet-20240620-v1:0","idleSessionTTLInSeconds":600,"agentResourceRoleArn":"arn:aws:iam::{ACCOUNT}:role/support-agent-exec","createdAt":"{ts}","updatedAt":"{ts}"{guard}}}}}"#),
    ));
    match source {
        Some(body) => {
            out.push(Fault::ok_json(
                &["GET /knowledgebases/EXAMPLEKB1/datasources/EXAMPLEDS1"],
                body.to_owned(),
            ));
            out.push(Fault::ok_json(
                &["POST /knowledgebases/EXAMPLEKB1/datasources"],
                format!(r#"{{"dataSourceSummaries":[{{"knowledgeBaseId":"EXAMPLEKB1","dataSourceId":"EXAMPLEDS1","name":"example-docs","status":"AVAILABLE","updatedAt":"{ts}"}}]}}"#),
            ));
        }
        None => {
            out.push(Fault::rest_not_found(&[
                "GET /knowledgebases/EXAMPLEKB1/datasources/EXAMPLEDS1",
            ]));
            out.push(Fault::ok_json(
                &["POST /knowledgebases/EXAMPLEKB1/datasources"],
                r#"{"dataSourceSummaries":[]}"#,
            ));
        }
    }
    out.push(Fault::ok_json(
        &["GET /knowledgebases/EXAMPLEKB1"],
        format!(r#"{{"knowledgeBase":{{"knowledgeBaseId":"EXAMPLEKB1","name":"example-kb","knowledgeBaseArn":"{kb_arn}","roleArn":"arn:aws:iam::{ACCOUNT}:role/support-agent-exec","knowledgeBaseConfiguration":{{"type":"VECTOR","vectorKnowledgeBaseConfiguration":{{"embeddingModelArn":"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"}}}},"storageConfiguration":{{"type":"OPENSEARCH_SERVERLESS","opensearchServerlessConfiguration":{{"collectionArn":"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/examplecoll01","vectorIndexName":"example-index","fieldMapping":{{"vectorField":"embedding","textField":"text","metadataField":"metadata"}}}}}},"status":"ACTIVE","createdAt":"{ts}","updatedAt":"{ts}"}}}}"#),
    ));
    out.push(Fault::ok_json(
        &["GET /tags/arn%3Aaws%3Abedrock"],
        r#"{"tags":{"owner":"support-eng","purpose":"customer-support"}}"#,
    ));
    out.extend(no_agents());
    out
}

fn action_group(confirm: bool) -> String {
    let c = if confirm { "ENABLED" } else { "DISABLED" };
    format!(
        r#"{{"agentActionGroup":{{"agentId":"EXAMPLEAG1","agentVersion":"DRAFT","actionGroupId":"EXAMPLEAC1","actionGroupName":"example-tools","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z","actionGroupExecutor":{{"lambda":"arn:aws:lambda:{REGION}:{ACCOUNT}:function:customer-lookup-tool"}},"functionSchema":{{"functions":[{{"name":"get_customer","requireConfirmation":"{c}"}},{{"name":"email_customer","requireConfirmation":"{c}"}}]}},"actionGroupState":"ENABLED"}}}}"#
    )
}

fn data_source(kms: bool) -> String {
    let sse = if kms {
        format!(
            r#","serverSideEncryptionConfiguration":{{"kmsKeyArn":"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"dataSource":{{"knowledgeBaseId":"EXAMPLEKB1","dataSourceId":"EXAMPLEDS1","name":"example-docs","status":"AVAILABLE","dataSourceConfiguration":{{"type":"S3","s3Configuration":{{"bucketArn":"arn:aws:s3:::{TRAINING}"}}}},"createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z"{sse}}}}}"#
    )
}

/// The mapped Bedrock Agents calls, answered by the responder over the
/// emulator's scenario-4 tools: an agent is created, given a tool that reads
/// customer data and can email it (the excessive-agency path opens), the
/// tool is made to ask for confirmation and then removed, a guardrail and a
/// knowledge base are attached and detached; a knowledge base gains an
/// unencrypted data source, which is then encrypted and removed; both are
/// deleted. Each part is re-read alone.
#[tokio::test(flavor = "multi_thread")]
async fn bedrock_agent_events_rescan_the_changed_part() {
    let h = Harness::start("events-agents", Seed::Agent, Some(no_agents())).await;
    let agents = |event: &'static str| h.call("bedrock", event, &[]);
    let agent = "agent/EXAMPLEAG1";
    let no_guardrail = "bedrock_agent_without_guardrail";
    let agency = "path_agent_excessive_agency";

    h.proxy().set(agent_faults(false, None, &[], None));
    let out = agents("CreateAgent").await;
    eprintln!("CreateAgent: {} requests", out.requests);
    assert!(h.open_rules(agent).await.contains(no_guardrail));
    assert_eq!(h.status(agency, agent).await, None, "no tools yet");

    h.proxy()
        .set(agent_faults(false, Some(&action_group(false)), &[], None));
    let out = agents("CreateAgentActionGroup").await;
    assert_eq!(out.requests, 2, "one action group read: {out:?}");
    assert_eq!(h.status(agency, agent).await, Some(FindingStatus::Open));

    h.proxy()
        .set(agent_faults(false, Some(&action_group(true)), &[], None));
    agents("UpdateAgentActionGroup").await;
    let stored = h
        .asset(&format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:{agent}"))
        .await
        .unwrap();
    let groups = stored.attributes.get("action_groups").unwrap().to_string();
    assert!(
        groups.contains(r#""functions_without_confirmation":[]"#),
        "{groups}"
    );

    // The agent's own configuration: a guardrail, tools kept.
    h.proxy()
        .set(agent_faults(true, Some(&action_group(true)), &[], None));
    let out = agents("UpdateAgent").await;
    assert_eq!(out.requests, 3, "GetAgent and its tags only: {out:?}");
    assert_eq!(
        h.status(no_guardrail, agent).await,
        Some(FindingStatus::Resolved)
    );
    assert_eq!(
        h.status(agency, agent).await,
        Some(FindingStatus::Open),
        "tools kept"
    );

    h.proxy().set(agent_faults(true, None, &[], None));
    agents("DeleteAgentActionGroup").await;
    assert_eq!(h.status(agency, agent).await, Some(FindingStatus::Resolved));

    // Knowledge-base associations.
    let uses_kb = |edges: Vec<String>| edges.iter().any(|e| e.contains("UsesKnowledgeBase"));
    h.proxy()
        .set(agent_faults(true, None, &["EXAMPLEKB1"], None));
    for event in ["AssociateAgentKnowledgeBase", "UpdateAgentKnowledgeBase"] {
        let out = agents(event).await;
        assert_eq!(out.requests, 2, "{event}: {out:?}");
        assert!(uses_kb(h.edges_from(agent).await), "{event}");
    }
    h.proxy().set(agent_faults(true, None, &[], None));
    agents("DisassociateAgentKnowledgeBase").await;
    assert!(!uses_kb(h.edges_from(agent).await));

    // A knowledge base and its data source.
    let kb = "knowledge-base/EXAMPLEKB1";
    let cmk = "bedrock_knowledge_base_without_cmk";
    agents("CreateKnowledgeBase").await;
    assert_eq!(h.status(cmk, kb).await, None, "no data source yet");
    h.proxy()
        .set(agent_faults(true, None, &[], Some(&data_source(false))));
    let out = agents("CreateDataSource").await;
    assert_eq!(out.requests, 2, "one data source read: {out:?}");
    assert_eq!(h.status(cmk, kb).await, Some(FindingStatus::Open));
    agents("UpdateKnowledgeBase").await;
    assert_eq!(
        h.status(cmk, kb).await,
        Some(FindingStatus::Open),
        "sources kept"
    );
    h.proxy()
        .set(agent_faults(true, None, &[], Some(&data_source(true))));
    agents("UpdateDataSource").await;
    assert_eq!(h.status(cmk, kb).await, Some(FindingStatus::Resolved));
    h.proxy()
        .set(agent_faults(true, None, &[], Some(&data_source(false))));
    agents("UpdateDataSource").await;
    assert_eq!(h.status(cmk, kb).await, Some(FindingStatus::Open));
    h.proxy().set(agent_faults(true, None, &[], None));
    agents("DeleteDataSource").await;
    assert_eq!(h.status(cmk, kb).await, Some(FindingStatus::Resolved));

    // Deleted: both gone from the graph, their findings resolved.
    let mut gone = agent_faults(true, None, &[], None);
    gone.insert(
        0,
        Fault::rest_not_found(&["GET /knowledgebases/EXAMPLEKB1"]),
    );
    gone.insert(0, Fault::rest_not_found(&["GET /agents/EXAMPLEAG1"]));
    h.proxy().set(gone);
    agents("DeleteKnowledgeBase").await;
    agents("DeleteAgent").await;
    assert!(
        h.asset(&format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:{kb}"))
            .await
            .is_none()
    );
    assert!(
        h.asset(&format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:{agent}"))
            .await
            .is_none()
    );
    assert!(h.open_rules(agent).await.is_empty());
    h.emu.stop();
}

/// The mapped managed-policy version calls: a new default version of a
/// policy attached to a training role grants everything (the role's finding
/// opens), and setting the first version back as default resolves it.
#[tokio::test(flavor = "multi_thread")]
async fn policy_version_events_rescan_the_policy() {
    let h = Harness::new("events-policy-version").await;
    let iam = aws_sdk_iam::Client::new(&h.sdk);
    let created = iam
        .create_policy()
        .policy_name("example-model-data-access")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{TRAINING}/*"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    iam.attach_role_policy()
        .role_name("fraud-train-exec")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    h.sweep("sw-1").await;
    assert!(h.asset(&arn).await.is_some(), "the policy is in the graph");
    let admin = "identity_ai_role_admin";
    assert_eq!(h.status(admin, "role/fraud-train-exec").await, None);

    iam.create_policy_version()
        .policy_arn(&arn)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let out = h.call("iam", "CreatePolicyVersion", &[]).await;
    assert_eq!(out.requests, 3, "GetPolicy and GetPolicyVersion: {out:?}");
    assert_eq!(
        h.status(admin, "role/fraud-train-exec").await,
        Some(FindingStatus::Open)
    );
    iam.set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    h.call("iam", "SetDefaultPolicyVersion", &[]).await;
    assert_eq!(
        h.status(admin, "role/fraud-train-exec").await,
        Some(FindingStatus::Resolved)
    );
    h.emu.stop();
}

/// GetAgentRuntime's answer (REST-JSON) for the sample's runtime.
fn runtime_body(network_mode: &str) -> String {
    format!(
        r#"{{"agentRuntimeArn":"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/example_runtime-AbCdEf1234","agentRuntimeName":"example_runtime","agentRuntimeId":"example_runtime-AbCdEf1234","agentRuntimeVersion":"1","createdAt":"2026-11-20T10:00:00Z","lastUpdatedAt":"2026-11-20T10:00:00Z","roleArn":"arn:aws:iam::{ACCOUNT}:role/example-agentcore-exec","networkConfiguration":{{"networkMode":"{network_mode}"}},"status":"READY"}}"#
    )
}

/// GetGateway's answer (REST-JSON) for the sample's gateway.
fn gateway_body(authorizer: &str, kms: Option<&str>) -> String {
    let kms = kms
        .map(|k| format!(r#","kmsKeyArn":"{k}""#))
        .unwrap_or_default();
    format!(
        r#"{{"gatewayArn":"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:gateway/example-gateway-abcdef1234","gatewayId":"example-gateway-abcdef1234","name":"example-gateway","roleArn":"arn:aws:iam::{ACCOUNT}:role/example-agentcore-exec","protocolType":"MCP","authorizerType":"{authorizer}","status":"READY","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z"{kms}}}"#
    )
}

/// The mapped Bedrock AgentCore calls, answered by the responder (the
/// emulator has no AgentCore): a public runtime moved into a VPC and
/// deleted; a gateway without an authorizer given one and a customer key,
/// then deleted. Each re-reads the one resource: with the scanner role's
/// AssumeRole and the resource's tags, 3 requests for a runtime and 4 for
/// a gateway (its targets too).
#[tokio::test(flavor = "multi_thread")]
async fn agentcore_events_rescan_runtimes_and_gateways() {
    let h = Harness::start("events-agentcore", Seed::Poisoned, Some(no_agents())).await;
    let agentcore = |event: &'static str| h.call("bedrock-agentcore", event, &[]);
    let runtime = "runtime/example_runtime-AbCdEf1234";
    let public = "bedrock_agentcore_runtime_public_network";
    let get_runtime = "GET /runtimes/example_runtime-AbCdEf1234";

    for (event, mode, status) in [
        ("CreateAgentRuntime", "PUBLIC", FindingStatus::Open),
        ("UpdateAgentRuntime", "VPC", FindingStatus::Resolved),
        ("UpdateAgentRuntime", "PUBLIC", FindingStatus::Open),
    ] {
        h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
            &[get_runtime],
            runtime_body(mode),
        )]));
        let out = agentcore(event).await;
        assert_eq!(
            out.requests, 3,
            "AssumeRole, GetAgentRuntime and its tags: {out:?}"
        );
        assert!(
            out.resource
                .as_deref()
                .is_some_and(|r| r.ends_with(runtime))
        );
        assert_eq!(
            h.status(public, runtime).await,
            Some(status),
            "{event} {mode}"
        );
        assert_eq!(
            h.edges_from(runtime).await,
            vec![format!(
                "ExecutesAs -> arn:aws:iam::{ACCOUNT}:role/example-agentcore-exec"
            )]
        );
    }
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[
            get_runtime,
        ])]));
    agentcore("DeleteAgentRuntime").await;
    assert!(h.open_rules(runtime).await.is_empty());
    assert!(h.edges_from(runtime).await.is_empty());

    let gateway = "gateway/example-gateway-abcdef1234";
    let weak = "bedrock_agentcore_gateway_weak";
    let get_gateway = "GET /gateways/example-gateway-abcdef1234 HTTP";
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_gateway],
        gateway_body("NONE", None),
    )]));
    let out = agentcore("CreateGateway").await;
    assert_eq!(
        out.requests, 4,
        "AssumeRole, GetGateway, its tags and targets: {out:?}"
    );
    assert_eq!(h.status(weak, gateway).await, Some(FindingStatus::Open));
    let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_gateway],
        gateway_body("AWS_IAM", Some(&key)),
    )]));
    agentcore("UpdateGateway").await;
    assert_eq!(h.status(weak, gateway).await, Some(FindingStatus::Resolved));
    assert!(
        h.edges_from(gateway)
            .await
            .iter()
            .any(|e| e.ends_with(key.as_str()))
    );
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[
            get_gateway,
        ])]));
    agentcore("DeleteGateway").await;
    assert!(
        h.asset(&format!(
            "arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:{gateway}"
        ))
        .await
        .is_none()
    );
    assert!(h.edges_from(gateway).await.is_empty());
    h.emu.stop();
}

/// The mapped AgentCore tool calls, answered by the responder (the
/// emulator has no AgentCore): a memory created without a customer key,
/// given one (UpdateMemory re-reads it) and deleted; a public browser and
/// code interpreter created and deleted; a target added to a gateway over
/// plain HTTP, moved to HTTPS, and removed. Each re-reads its one resource
/// (a gateway with its targets).
#[tokio::test(flavor = "multi_thread")]
async fn agentcore_tool_events_rescan_memories_browsers_interpreters_and_targets() {
    let h = Harness::start("events-agentcore-tools", Seed::Poisoned, Some(no_agents())).await;
    let agentcore = |event: &'static str| h.call("bedrock-agentcore", event, &[]);
    let at =
        |kind: &str, id: &str| format!("arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:{kind}/{id}");
    let epoch = 1_795_168_800;

    let memory = "memory/example_memory-AbCdEf1234";
    let get_memory = "GET /memories/example_memory-AbCdEf1234/details";
    let memory_body = |key: &str| {
        format!(
            r#"{{"memory":{{"arn":"{}","id":"example_memory-AbCdEf1234","name":"example_memory","eventExpiryDuration":90,"status":"ACTIVE","createdAt":{epoch},"updatedAt":{epoch}{key}}}}}"#,
            at("memory", "example_memory-AbCdEf1234")
        )
    };
    let unkeyed = "bedrock_agentcore_memory_without_cmk";
    let key = format!(
        r#","encryptionKeyArn":"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab""#
    );
    for (event, key, status) in [
        ("CreateMemory", "", FindingStatus::Open),
        ("UpdateMemory", key.as_str(), FindingStatus::Resolved),
    ] {
        h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
            &[get_memory],
            memory_body(key),
        )]));
        let out = agentcore(event).await;
        assert_eq!(out.requests, 3, "AssumeRole, GetMemory, its tags: {out:?}");
        assert_eq!(h.status(unkeyed, memory).await, Some(status), "{event}");
    }
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[
            get_memory,
        ])]));
    agentcore("DeleteMemory").await;
    assert!(h.open_rules(memory).await.is_empty());

    let browser = "browser-custom/example_browser-AbCdEf1234";
    let get_browser = "GET /browsers/example_browser-AbCdEf1234";
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_browser],
        format!(
            r#"{{"browserId":"example_browser-AbCdEf1234","browserArn":"{}","name":"example_browser","networkConfiguration":{{"networkMode":"PUBLIC"}},"recording":{{"enabled":false}},"status":"READY","createdAt":"2026-11-20T10:00:00Z","lastUpdatedAt":"2026-11-20T10:00:00Z"}}"#,
            at("browser-custom", "example_browser-AbCdEf1234")
        ),
    )]));
    agentcore("CreateBrowser").await;
    // (and, untagged, it has no owner)
    assert!(h.open_rules(browser).await.is_superset(&set(&[
        "bedrock_agentcore_browser_public_network",
        "bedrock_agentcore_browser_recording_disabled"
    ])));
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[
            get_browser,
        ])]));
    agentcore("DeleteBrowser").await;
    assert!(h.open_rules(browser).await.is_empty());

    let interpreter = "code-interpreter-custom/example_interpreter-AbCdEf1234";
    let get_interpreter = "GET /code-interpreters/example_interpreter-AbCdEf1234";
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &[get_interpreter],
        format!(
            r#"{{"codeInterpreterId":"example_interpreter-AbCdEf1234","codeInterpreterArn":"{}","name":"example_interpreter","networkConfiguration":{{"networkMode":"PUBLIC"}},"status":"READY","createdAt":"2026-11-20T10:00:00Z","lastUpdatedAt":"2026-11-20T10:00:00Z"}}"#,
            at("code-interpreter-custom", "example_interpreter-AbCdEf1234")
        ),
    )]));
    agentcore("CreateCodeInterpreter").await;
    assert!(
        h.open_rules(interpreter)
            .await
            .contains("bedrock_agentcore_code_interpreter_public_network")
    );
    h.proxy()
        .set(with_agents_quiet(vec![Fault::rest_not_found(&[
            get_interpreter,
        ])]));
    agentcore("DeleteCodeInterpreter").await;
    assert!(h.open_rules(interpreter).await.is_empty());

    let gateway = "gateway/example-gateway-abcdef1234";
    let weak_target = "bedrock_agentcore_gateway_target_weak";
    let key_arn =
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let target = |endpoint: &str| {
        vec![
            Fault::ok_json(
                &["GET /gateways/example-gateway-abcdef1234/targets/TGT0000001"],
                format!(
                    r#"{{"gatewayArn":"{}","targetId":"TGT0000001","name":"crm-tools","status":"READY","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z","targetConfiguration":{{"mcp":{{"mcpServer":{{"endpoint":"{endpoint}"}}}}}},"credentialProviderConfigurations":[{{"credentialProviderType":"OAUTH"}}]}}"#,
                    at("gateway", "example-gateway-abcdef1234")
                ),
            ),
            Fault::ok_json(
                &["GET /gateways/example-gateway-abcdef1234/targets"],
                r#"{"items":[{"targetId":"TGT0000001","name":"crm-tools","status":"READY","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:00:00Z"}]}"#,
            ),
            Fault::ok_json(
                &["GET /gateways/example-gateway-abcdef1234 HTTP"],
                gateway_body("AWS_IAM", Some(&key_arn)),
            ),
        ]
    };
    for (event, endpoint, status) in [
        (
            "CreateGatewayTarget",
            "http://crm.internal:8080/mcp",
            FindingStatus::Open,
        ),
        (
            "UpdateGatewayTarget",
            "https://crm.example.com/mcp",
            FindingStatus::Resolved,
        ),
    ] {
        h.proxy().set(with_agents_quiet(target(endpoint)));
        let out = agentcore(event).await;
        assert_eq!(
            out.requests, 5,
            "AssumeRole, GetGateway, its tags, its targets and the one target: {out:?}"
        );
        assert_eq!(
            h.status(weak_target, gateway).await,
            Some(status),
            "{event}"
        );
    }
    h.proxy().set(with_agents_quiet(vec![Fault::ok_json(
        &["GET /gateways/example-gateway-abcdef1234 HTTP"],
        gateway_body("AWS_IAM", Some(&key_arn)),
    )]));
    agentcore("DeleteGatewayTarget").await;
    let stored = h
        .asset(&at("gateway", "example-gateway-abcdef1234"))
        .await
        .expect("the gateway stays");
    assert_eq!(stored.attributes["targets"], serde_json::json!([]));
    h.emu.stop();
}
