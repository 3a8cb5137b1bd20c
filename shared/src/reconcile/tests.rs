//! The reconciler on the in-memory store: the lifecycle of one scope, and
//! what each origin may change in the account's other scopes.

use serde_json::json;

use super::suppressions::Suppressions;
use super::{Origin, ScopeUpdate, Settings, reconcile};
use crate::model::{
    Asset, AssetType, Coverage, Edge, EdgeKind, Evidence, FindingStatus, GLOBAL_REGION, Inventory,
    Timestamp,
};
use crate::rules::RuleConfig;
use crate::store::{EventKind, FindingReads, FindingWrites, MemoryStore, Snapshots};

const ACCOUNT: &str = "111111111111";
const BUCKET: &str = "arn:aws:s3:::train";
const JOB: &str = "arn:aws:sagemaker:us-east-1:111111111111:training-job/t";
const RULE: &str = "s3_ai_bucket_versioning_disabled";

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_795_000_000_000 + minutes * 60_000)
}

fn sweep(id: &str, minutes: i64) -> Origin {
    Origin::Sweep {
        id: id.to_owned(),
        at: at(minutes),
    }
}

fn event(id: &str, minutes: i64) -> Origin {
    Origin::Event {
        id: id.to_owned(),
        at: at(minutes),
    }
}

/// The global scope: one unversioned bucket.
fn global() -> Inventory {
    let mut b = Asset::new(BUCKET, AssetType::S3Bucket, "train", ACCOUNT, GLOBAL_REGION);
    b.set("versioning", Some(json!("Suspended")));
    let mut inv = Inventory {
        assets: vec![b],
        coverage: vec![Coverage::assessed(ACCOUNT, GLOBAL_REGION, "s3.buckets")],
        ..Inventory::default()
    };
    inv.mark_provenance("s3.buckets");
    inv
}

/// The region: a training job, reading the bucket or not.
fn region(reads: bool) -> Inventory {
    let job = Asset::new(
        JOB,
        AssetType::SagemakerTrainingJob,
        "t",
        ACCOUNT,
        "us-east-1",
    );
    let mut inv = Inventory {
        assets: vec![job],
        coverage: vec![Coverage::assessed(
            ACCOUNT,
            "us-east-1",
            "sagemaker.training_jobs",
        )],
        ..Inventory::default()
    };
    if reads {
        inv.edges.push(Edge::new(
            JOB,
            BUCKET,
            EdgeKind::ReadsData,
            Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        ));
    }
    inv.mark_provenance("sagemaker.training_jobs");
    inv
}

async fn apply(store: &MemoryStore, origin: &Origin, scope: &str, fresh: Inventory) -> u64 {
    let snapshot = store.account(ACCOUNT).await.unwrap();
    reconcile_in(store, &snapshot, origin, scope, fresh, &[]).await
}

/// Reconciles `scope` on a given stored snapshot (read earlier or now).
async fn reconcile_in(
    store: &MemoryStore,
    snapshot: &crate::store::AccountSnapshot,
    origin: &Origin,
    scope: &str,
    fresh: Inventory,
    reread: &[&str],
) -> u64 {
    let rules = RuleConfig::default();
    let suppressions = Suppressions::default();
    reconcile(
        store,
        Settings {
            rules: &rules,
            suppressions: &suppressions,
        },
        snapshot,
        ScopeUpdate {
            origin,
            account_id: ACCOUNT,
            scope,
            fresh,
            reread: reread.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
    .await
    .unwrap()
    .changed
}

async fn bucket_finding(store: &MemoryStore) -> Option<crate::store::FindingState> {
    let id = crate::rules::finding_id(RULE, BUCKET);
    store.state(ACCOUNT, &id).await.unwrap()
}

#[tokio::test]
async fn a_sweep_opens_a_finding_once_and_a_replay_changes_nothing() {
    let store = MemoryStore::new();
    let s1 = sweep("sw-1", 0);
    apply(&store, &s1, GLOBAL_REGION, global()).await;
    // The regional task sees the job reading the stored bucket: the finding
    // on the global bucket opens here, in the first sweep.
    apply(&store, &s1, "us-east-1", region(true)).await;
    let f = bucket_finding(&store).await.expect("opened");
    assert_eq!(f.status, FindingStatus::Open);
    assert_eq!(f.scope, GLOBAL_REGION, "owned by the bucket's scope");
    assert_eq!(f.first_seen, at(0).to_string());
    // The same task again (a redelivered message) changes nothing.
    assert_eq!(apply(&store, &s1, "us-east-1", region(true)).await, 0);
    assert_eq!(apply(&store, &s1, GLOBAL_REGION, global()).await, 0);
    let history = store.history(ACCOUNT, &f.finding_id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].by.as_deref(), Some("sw-1"));
}

#[tokio::test]
async fn concurrent_tasks_that_read_before_either_wrote_still_open_cross_scope_findings() {
    // Two tasks of one sweep read the empty account at once; each writes
    // without having seen the other. Whichever writes second must notice the
    // other scope changed under it and judge again.
    for global_first in [true, false] {
        let store = MemoryStore::new();
        let s1 = sweep("sw-1", 0);
        let before = store.account(ACCOUNT).await.unwrap();
        let tasks = [(GLOBAL_REGION, global()), ("us-east-1", region(true))];
        let order: Vec<_> = if global_first {
            tasks.into_iter().collect()
        } else {
            tasks.into_iter().rev().collect()
        };
        for (scope, fresh) in order {
            reconcile_in(&store, &before, &s1, scope, fresh, &[]).await;
        }
        let f = bucket_finding(&store).await;
        let f = f.unwrap_or_else(|| panic!("not opened (global first: {global_first})"));
        assert_eq!(f.status, FindingStatus::Open);
        assert_eq!(f.scope, GLOBAL_REGION);
        let history = store.history(ACCOUNT, &f.finding_id).await.unwrap();
        assert_eq!(history.len(), 1, "opened once");
    }
}

#[tokio::test]
async fn a_sweep_task_leaves_other_scopes_findings_to_their_owner() {
    let store = MemoryStore::new();
    let s1 = sweep("sw-1", 0);
    apply(&store, &s1, GLOBAL_REGION, global()).await;
    apply(&store, &s1, "us-east-1", region(true)).await;
    // Next sweep's regional task: the job no longer reads the bucket. The
    // bucket's finding belongs to the global scope; the regional task may be
    // reading the bucket from the previous sweep, so it does not resolve it.
    apply(&store, &sweep("sw-2", 60), "us-east-1", region(false)).await;
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!(f.status, FindingStatus::Open);
    // The owner's task of that sweep resolves it.
    apply(&store, &sweep("sw-2", 60), GLOBAL_REGION, global()).await;
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!(f.status, FindingStatus::Resolved);
    assert_eq!(f.resolved_at.as_deref(), Some(at(60).to_string().as_str()));
}

#[tokio::test]
async fn an_event_resolves_a_finding_it_ends_in_another_scope() {
    let store = MemoryStore::new();
    let s1 = sweep("sw-1", 0);
    apply(&store, &s1, GLOBAL_REGION, global()).await;
    apply(&store, &s1, "us-east-1", region(true)).await;
    // An event re-read the job: it no longer reads the bucket. Its view of
    // the global scope is the current stored one, so the finding it ends is
    // resolved now, at the event's time, and history names the event.
    let changed = apply(&store, &event("ev-1", 5), "us-east-1", region(false)).await;
    // Both of the bucket's AI-data findings (versioning, public access
    // block) end with the job's read.
    assert_eq!(changed, 2);
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!(f.status, FindingStatus::Resolved);
    let history = store.history(ACCOUNT, &f.finding_id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.kind, EventKind::Resolved);
    assert_eq!(last.by.as_deref(), Some("event:ev-1"));
    assert_eq!(last.at, at(5).to_string());
    // The event joining the job to the bucket again reopens it.
    apply(&store, &event("ev-2", 6), "us-east-1", region(true)).await;
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!((f.status, f.occurrence), (FindingStatus::Open, 2));
}

#[tokio::test]
async fn an_older_observation_changes_nothing() {
    let store = MemoryStore::new();
    apply(&store, &sweep("sw-2", 60), GLOBAL_REGION, global()).await;
    apply(&store, &sweep("sw-2", 60), "us-east-1", region(true)).await;
    // A late event from before the sweep: the store keeps the newer state.
    assert_eq!(
        apply(&store, &event("late", 30), "us-east-1", region(false)).await,
        0
    );
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!(f.status, FindingStatus::Open);
    assert_eq!(f.last_seen, at(60).to_string());
}

#[tokio::test]
async fn the_scope_snapshot_is_written_with_its_provenance() {
    let store = MemoryStore::new();
    apply(&store, &sweep("sw-1", 0), "us-east-1", region(true)).await;
    let snap = store.account(ACCOUNT).await.unwrap();
    let job = snap
        .items
        .iter()
        .find(|i| matches!(&i.part, crate::store::Part::Asset(a) if a.arn == JOB))
        .expect("the job is stored");
    assert_eq!(
        (job.scope.as_str(), job.collector.as_str()),
        ("us-east-1", "sagemaker.training_jobs")
    );
    let listed = store
        .list(&crate::store::FindingFilter::default())
        .await
        .unwrap();
    assert!(listed.iter().all(|f| f.account_id == ACCOUNT));
}

/// The global scope with the bucket's versioning as given.
fn global_with(versioning: &str) -> Inventory {
    let mut inv = global();
    inv.assets[0].set("versioning", Some(json!(versioning)));
    inv
}

/// Reconciles the global scope on a given stored snapshot.
async fn reconcile_on(
    store: &MemoryStore,
    snapshot: &crate::store::AccountSnapshot,
    origin: &Origin,
    fresh: Inventory,
    reread: &[&str],
) {
    reconcile_in(store, snapshot, origin, GLOBAL_REGION, fresh, reread).await;
}

async fn stored_versioning(store: &MemoryStore) -> Option<serde_json::Value> {
    store
        .account(ACCOUNT)
        .await
        .unwrap()
        .items
        .into_iter()
        .find_map(|i| match i.part {
            crate::store::Part::Asset(a) if a.arn == BUCKET => {
                a.attributes.get("versioning").cloned()
            }
            _ => None,
        })
}

/// The harmful order: a sweep's collectors read the bucket (versioned), an
/// event re-reads it after versioning was suspended and opens the finding,
/// then the sweep writes its older view. The finding stays open, the stored
/// bucket stays the event's, and the next event judges from it.
#[tokio::test]
async fn a_stale_sweep_cannot_undo_what_a_later_event_saw() {
    for snapshot_read_before_the_event in [false, true] {
        let store = MemoryStore::new();
        apply(&store, &sweep("sw-1", 0), "us-east-1", region(true)).await;
        apply(
            &store,
            &sweep("sw-1", 0),
            GLOBAL_REGION,
            global_with("Enabled"),
        )
        .await;
        assert!(bucket_finding(&store).await.is_none());
        // sweep 2 starts at minute 10 and its collectors see versioning on.
        let stale_view = global_with("Enabled");
        let early = store.account(ACCOUNT).await.unwrap();
        // minute 11: versioning suspended; the event re-reads the bucket.
        let now = store.account(ACCOUNT).await.unwrap();
        reconcile_on(
            &store,
            &now,
            &event("ev-1", 11),
            global_with("Suspended"),
            &[BUCKET],
        )
        .await;
        let f = bucket_finding(&store)
            .await
            .expect("the event opens the finding");
        assert_eq!(f.status, FindingStatus::Open);
        // sweep 2 writes its older view.
        let snapshot = if snapshot_read_before_the_event {
            early
        } else {
            store.account(ACCOUNT).await.unwrap()
        };
        reconcile_on(&store, &snapshot, &sweep("sw-2", 10), stale_view, &[]).await;
        let f = bucket_finding(&store).await.unwrap();
        assert_eq!(
            f.status,
            FindingStatus::Open,
            "stale sweep resolved it (snapshot read before the event: {snapshot_read_before_the_event})"
        );
        assert_eq!(stored_versioning(&store).await, Some(json!("Suspended")));
        // The next event on the scope (another resource) judges the stored truth.
        let now = store.account(ACCOUNT).await.unwrap();
        let view = super::view::stored_scope(&now, GLOBAL_REGION);
        reconcile_on(&store, &now, &event("ev-2", 12), view, &[]).await;
        assert_eq!(
            bucket_finding(&store).await.unwrap().status,
            FindingStatus::Open
        );
        // A later sweep that sees versioning back on resolves it.
        apply(
            &store,
            &sweep("sw-3", 20),
            GLOBAL_REGION,
            global_with("Enabled"),
        )
        .await;
        assert_eq!(
            bucket_finding(&store).await.unwrap().status,
            FindingStatus::Resolved
        );
    }
}

/// A stale sweep does not reopen what a later event resolved.
#[tokio::test]
async fn a_stale_sweep_does_not_reopen_what_a_later_event_resolved() {
    let store = MemoryStore::new();
    apply(&store, &sweep("sw-1", 0), "us-east-1", region(true)).await;
    apply(
        &store,
        &sweep("sw-1", 0),
        GLOBAL_REGION,
        global_with("Suspended"),
    )
    .await;
    assert_eq!(
        bucket_finding(&store).await.unwrap().status,
        FindingStatus::Open
    );
    let now = store.account(ACCOUNT).await.unwrap();
    reconcile_on(
        &store,
        &now,
        &event("ev-1", 11),
        global_with("Enabled"),
        &[BUCKET],
    )
    .await;
    assert_eq!(
        bucket_finding(&store).await.unwrap().status,
        FindingStatus::Resolved
    );
    // sweep 2 (minute 10) read the bucket before the fix.
    apply(
        &store,
        &sweep("sw-2", 10),
        GLOBAL_REGION,
        global_with("Suspended"),
    )
    .await;
    let f = bucket_finding(&store).await.unwrap();
    assert_eq!(f.status, FindingStatus::Resolved, "{f:?}");
    assert_eq!(f.occurrence, 1);
}

/// A stale sweep does not open a finding from a resource a later event
/// re-read and found fine: the rules judge the stored, later observation.
#[tokio::test]
async fn a_stale_sweep_does_not_open_what_a_later_event_saw_fixed() {
    let store = MemoryStore::new();
    apply(&store, &sweep("sw-1", 0), "us-east-1", region(true)).await;
    apply(
        &store,
        &sweep("sw-1", 0),
        GLOBAL_REGION,
        global_with("Enabled"),
    )
    .await;
    // sweep 2 (minute 10) reads the bucket while versioning is briefly off;
    // the event of minute 11 re-reads it back on.
    let now = store.account(ACCOUNT).await.unwrap();
    reconcile_on(
        &store,
        &now,
        &event("ev-1", 11),
        global_with("Enabled"),
        &[BUCKET],
    )
    .await;
    apply(
        &store,
        &sweep("sw-2", 10),
        GLOBAL_REGION,
        global_with("Suspended"),
    )
    .await;
    assert!(
        bucket_finding(&store).await.is_none(),
        "opened from the stale view"
    );
    assert_eq!(stored_versioning(&store).await, Some(json!("Enabled")));
}
