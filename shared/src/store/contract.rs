//! The store contract: what every [`Store`] must do, as one executable
//! check. [`super::MemoryStore`] runs it in the unit tests, and
//! [`super::DynamoStore`] on the emulator (`tests/tests/store_contract.rs`),
//! so the reconciler's tests on the memory store say something about the
//! table.
//!
//! Run it on an empty store: it writes sweeps, tasks, snapshot items and
//! findings of its own accounts (`000000000001`, `000000000002`).

use std::collections::BTreeSet;

use super::{
    Applied, Change, EventKind, FindingDetail, FindingEvent, FindingFilter, FindingState, Part,
    SnapshotDiff, SnapshotItem, Store, StoreError, SweepRecord, TaskRecord,
};
use crate::model::{Asset, AssetType, Coverage, FindingStatus, Frameworks, Remediation, Severity};

/// A clause of the contract the store broke, or a store error on the way.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// The store answered, but not as the contract says.
    #[error("store contract: {0}")]
    Broken(String),
    /// A store call failed.
    #[error("store contract: {step}: {source}")]
    Store {
        /// The step that failed.
        step: &'static str,
        /// The failure.
        #[source]
        source: StoreError,
    },
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(ContractError::Broken(format!($($msg)+)));
        }
    };
}

trait Step<T> {
    fn at(self, step: &'static str) -> Result<T, ContractError>;
}

impl<T> Step<T> for Result<T, StoreError> {
    fn at(self, step: &'static str) -> Result<T, ContractError> {
        self.map_err(|source| ContractError::Store { step, source })
    }
}

const A1: &str = "000000000001";
const A2: &str = "000000000002";
const T1: &str = "2026-11-24T01:00:00.000Z";
const T2: &str = "2026-11-24T02:00:00.000Z";

fn sweep(id: &str, at: &str) -> SweepRecord {
    SweepRecord {
        sweep_id: id.to_owned(),
        started_at: at.to_owned(),
        accounts: vec![A1.to_owned()],
        regions: vec!["us-east-1".to_owned()],
        expected_tasks: 2,
        done_tasks: 0,
    }
}

fn task(sweep_id: &str, scope: &str) -> TaskRecord {
    TaskRecord {
        sweep_id: sweep_id.to_owned(),
        account_id: A1.to_owned(),
        scope: scope.to_owned(),
        finished_at: T1.to_owned(),
        assets: 1,
        findings: 1,
        changed: 1,
        not_assessed: vec![],
    }
}

fn state(account: &str, id: &str, risk: u8, status: FindingStatus) -> FindingState {
    FindingState {
        finding_id: id.to_owned(),
        rule_id: format!("rule_{id}"),
        title: "t".to_owned(),
        severity: Severity::High,
        risk_score: risk,
        status,
        account_id: account.to_owned(),
        region: "us-east-1".to_owned(),
        scope: "us-east-1".to_owned(),
        resource_arn: format!("arn:aws:s3:::{id}"),
        resource_type: AssetType::S3Bucket,
        access_key_id: None,
        first_seen: T1.to_owned(),
        last_seen: T1.to_owned(),
        resolved_at: None,
        occurrence: 1,
        disposition: None,
        detail_hash: "h".to_owned(),
        version: 1,
    }
}

fn event(id: &str, at: &str, kind: EventKind) -> FindingEvent {
    FindingEvent {
        finding_id: id.to_owned(),
        at: at.to_owned(),
        kind,
        occurrence: 1,
        severity: Severity::High,
        risk_score: 50,
        by: Some("contract".to_owned()),
        note: None,
    }
}

fn detail(text: &str) -> FindingDetail {
    FindingDetail {
        evidence: vec![],
        remediation: Remediation {
            text: text.to_owned(),
            action: None,
        },
        frameworks: Frameworks {
            owasp_llm: vec![],
            owasp_agentic: vec![],
            mitre_atlas: vec![],
            nist_ai_rmf: vec![],
            aws_security_hub: vec![],
        },
        related: vec![],
    }
}

fn opened(st: FindingState) -> Change {
    let ev = event(&st.finding_id, &st.first_seen, EventKind::Opened);
    Change {
        state: st,
        expected_version: None,
        detail: Some(detail("fix")),
        events: vec![ev],
    }
}

/// Runs the whole contract on an empty store.
pub async fn check<S: Store>(store: &S) -> Result<(), ContractError> {
    sweeps(store).await?;
    snapshots(store).await?;
    findings(store).await?;
    journal(store).await
}

/// The journal: a head is created once, changed only over the version it
/// was read at, each change logged once and in order; kinds do not mix.
async fn journal<S: Store>(store: &S) -> Result<(), ContractError> {
    use serde_json::json;
    let head = |body: serde_json::Value| super::JournalHead {
        id: "r1".to_owned(),
        version: 0,
        body,
    };
    let first = store
        .journal_write("test", &head(json!({"s": 1})), None, &json!({"e": 1}))
        .await
        .at("journal create")?;
    ensure!(first == Applied::Done, "a new journal record was refused");
    let again = store
        .journal_write("test", &head(json!({"s": 9})), None, &json!({"e": 9}))
        .await
        .at("journal create again")?;
    ensure!(
        again == Applied::Conflict,
        "a journal record was created twice"
    );
    let stale = store
        .journal_write("test", &head(json!({"s": 9})), Some(7), &json!({"e": 9}))
        .await
        .at("journal stale write")?;
    ensure!(
        stale == Applied::Conflict,
        "a write over a version that is not stored went through"
    );
    let second = store
        .journal_write("test", &head(json!({"s": 2})), Some(1), &json!({"e": 2}))
        .await
        .at("journal change")?;
    ensure!(
        second == Applied::Done,
        "a change over the stored version was refused"
    );
    let stored = store.journal_head("test", "r1").await.at("journal head")?;
    ensure!(
        stored.as_ref().map(|h| (h.version, &h.body)) == Some((2, &json!({"s": 2}))),
        "journal head is {stored:?}, expected version 2 with the second body"
    );
    let log = store.journal_log("test", "r1").await.at("journal log")?;
    ensure!(
        log == [json!({"e": 1}), json!({"e": 2})],
        "journal log is {log:?}, expected the two accepted entries in order"
    );
    store
        .journal_write("other", &head(json!({"o": 1})), None, &json!({}))
        .await
        .at("journal other kind")?;
    let heads = store.journal_heads("test").await.at("journal heads")?;
    ensure!(
        heads.len() == 1 && heads[0].id == "r1",
        "journal heads of one kind are {heads:?}"
    );
    ensure!(
        store
            .journal_head("test", "r2")
            .await
            .at("journal missing")?
            .is_none(),
        "an unknown journal record was found"
    );
    Ok(())
}

/// Sweeps and tasks: recorded, read back, the newest found, each task
/// counted once.
async fn sweeps<S: Store>(store: &S) -> Result<(), ContractError> {
    ensure!(
        store.latest_sweep().await.at("latest_sweep")?.is_none(),
        "an empty store has a latest sweep"
    );
    store
        .create_sweep(&sweep("sw-20261124T010000000Z-a", T1))
        .await
        .at("create_sweep")?;
    store
        .create_sweep(&sweep("sw-20261124T020000000Z-b", T2))
        .await
        .at("create_sweep")?;
    let got = store.sweep("sw-20261124T010000000Z-a").await.at("sweep")?;
    ensure!(
        got == Some(sweep("sw-20261124T010000000Z-a", T1)),
        "sweep read back as {got:?}"
    );
    ensure!(
        store.sweep("sw-none").await.at("sweep")?.is_none(),
        "an unknown sweep was found"
    );
    let latest = store.latest_sweep().await.at("latest_sweep")?;
    ensure!(
        latest.as_ref().map(|s| s.sweep_id.as_str()) == Some("sw-20261124T020000000Z-b"),
        "latest sweep is {latest:?}, not the one started last"
    );
    let id = "sw-20261124T020000000Z-b";
    ensure!(
        store.task(id, A1, "global").await.at("task")?.is_none(),
        "a task is done before it completed"
    );
    ensure!(
        store
            .complete_task(&task(id, "global"))
            .await
            .at("complete_task")?,
        "the first completion of a task was not counted"
    );
    ensure!(
        !store
            .complete_task(&task(id, "global"))
            .await
            .at("complete_task")?,
        "a redelivered task was counted twice"
    );
    store
        .complete_task(&task(id, "us-east-1"))
        .await
        .at("complete_task")?;
    let done = store.sweep(id).await.at("sweep")?;
    ensure!(
        done.as_ref()
            .is_some_and(|s| s.done_tasks == 2 && s.is_complete()),
        "two tasks done, sweep says {done:?}"
    );
    ensure!(
        store.task(id, A1, "global").await.at("task")? == Some(task(id, "global")),
        "task record not read back"
    );
    let mut scopes: Vec<String> = store
        .tasks(id)
        .await
        .at("tasks")?
        .into_iter()
        .map(|t| t.scope)
        .collect();
    scopes.sort();
    ensure!(
        scopes == ["global", "us-east-1"],
        "tasks of the sweep: {scopes:?}"
    );
    match store.complete_task(&task("sw-unknown", "global")).await {
        Err(StoreError::NotFound(_)) => {}
        other => {
            return Err(ContractError::Broken(format!(
                "a task of an unknown sweep: {other:?}"
            )));
        }
    }
    Ok(())
}

/// Snapshot items: written by diff, read back per account with their scope,
/// collector and hash, deleted by key.
async fn snapshots<S: Store>(store: &S) -> Result<(), ContractError> {
    let bucket = |name: &str| {
        Part::Asset(Asset::new(
            format!("arn:aws:s3:::{name}"),
            AssetType::S3Bucket,
            name,
            A1,
            "us-east-1",
        ))
    };
    let a = SnapshotItem::new("global", "s3.buckets", bucket("a"));
    let b = SnapshotItem::new("global", "s3.buckets", bucket("b"));
    let cov = SnapshotItem::new(
        "us-east-1",
        "kms.keys",
        Part::Coverage(Coverage::assessed(A1, "us-east-1", "kms.keys")),
    );
    let diff = SnapshotDiff {
        put: vec![a.clone(), b.clone(), cov.clone()],
        delete: vec![],
        at: None,
    };
    store.write_snapshot(A1, &diff).await.at("write_snapshot")?;
    let snap = store.account(A1).await.at("account")?;
    let keys: BTreeSet<&str> = snap.items.iter().map(|i| i.sk.as_str()).collect();
    ensure!(
        keys == BTreeSet::from([a.sk.as_str(), b.sk.as_str(), cov.sk.as_str()]),
        "account items: {keys:?}"
    );
    ensure!(
        snap.items.iter().any(|i| i == &a),
        "item not read back whole (scope, key, collector, hash, part)"
    );
    ensure!(
        store.account(A2).await.at("account")?.items.is_empty(),
        "another account's items leak"
    );
    let diff = SnapshotDiff {
        put: vec![],
        delete: vec![b.sk.clone()],
        at: None,
    };
    store.write_snapshot(A1, &diff).await.at("write_snapshot")?;
    let left: Vec<String> = store
        .account(A1)
        .await
        .at("account")?
        .items
        .into_iter()
        .map(|i| i.sk)
        .collect();
    ensure!(
        !left.contains(&b.sk) && left.contains(&a.sk),
        "after deleting one item: {left:?}"
    );
    observed_writes(store, bucket).await
}

/// An observed write never replaces or deletes a later observation, and
/// replaces an earlier one.
async fn observed_writes<S: Store>(
    store: &S,
    bucket: impl Fn(&str) -> Part,
) -> Result<(), ContractError> {
    const T1: &str = "2026-01-01T00:00:01.000Z";
    const T2: &str = "2026-01-01T00:00:02.000Z";
    const T3: &str = "2026-01-01T00:00:03.000Z";
    let mut event = bucket("observed");
    if let Part::Asset(a) = &mut event {
        a.set("public", serde_json::json!(true));
    }
    let later = SnapshotItem::new("global", "s3.buckets", event).observed(T2);
    let stale = SnapshotItem::new("global", "s3.buckets", bucket("observed")).observed(T1);
    let write = |put: Vec<SnapshotItem>, delete: Vec<String>, at: &str| SnapshotDiff {
        put,
        delete,
        at: Some(at.to_owned()),
    };
    store
        .write_snapshot(A1, &write(vec![later.clone()], vec![], T2))
        .await
        .at("write_snapshot")?;
    store
        .write_snapshot(A1, &write(vec![stale.clone()], vec![], T1))
        .await
        .at("write_snapshot")?;
    store
        .write_snapshot(A1, &write(vec![], vec![later.sk.clone()], T1))
        .await
        .at("write_snapshot")?;
    let held = |snap: super::AccountSnapshot| snap.items.into_iter().find(|i| i.sk == later.sk);
    let now = held(store.account(A1).await.at("account")?);
    ensure!(
        now.as_ref() == Some(&later),
        "an older observation replaced or deleted a later one: {now:?}"
    );
    let newest = SnapshotItem::new("global", "s3.buckets", bucket("observed")).observed(T3);
    store
        .write_snapshot(A1, &write(vec![newest.clone()], vec![], T3))
        .await
        .at("write_snapshot")?;
    let now = held(store.account(A1).await.at("account")?);
    ensure!(
        now.as_ref() == Some(&newest),
        "a later observation did not replace an earlier one: {now:?}"
    );
    store
        .write_snapshot(A1, &write(vec![], vec![newest.sk.clone()], T3))
        .await
        .at("write_snapshot")?;
    let now = held(store.account(A1).await.at("account")?);
    ensure!(now.is_none(), "an observed delete did not delete: {now:?}");
    Ok(())
}

/// Findings: versioned writes (a stale version is a conflict and changes
/// nothing), detail and history kept, reads by key and by id, lists
/// filtered and riskiest first.
async fn findings<S: Store>(store: &S) -> Result<(), ContractError> {
    let f1 = state(A1, "f1", 40, FindingStatus::Open);
    ensure!(
        store.apply(&opened(f1.clone())).await.at("apply")? == Applied::Done,
        "a new finding was not written"
    );
    ensure!(
        store.apply(&opened(f1.clone())).await.at("apply")? == Applied::Conflict,
        "a second creation of one finding was not a conflict"
    );
    let mut next = f1.clone();
    next.last_seen = T2.to_owned();
    next.risk_score = 70;
    next.version = 2;
    let update = Change {
        state: next.clone(),
        expected_version: Some(1),
        detail: Some(detail("fix it now")),
        events: vec![event("f1", T2, EventKind::RiskChanged)],
    };
    ensure!(
        store.apply(&update).await.at("apply")? == Applied::Done,
        "an update at the stored version was not written"
    );
    let stale = Change {
        state: f1.clone(),
        expected_version: Some(1),
        detail: None,
        events: vec![],
    };
    ensure!(
        store.apply(&stale).await.at("apply")? == Applied::Conflict,
        "a write at a stale version went through"
    );
    ensure!(
        store.state(A1, "f1").await.at("state")? == Some(next.clone()),
        "state after a conflict is not the last good write"
    );
    ensure!(
        store.finding("f1").await.at("finding")? == Some(next.clone()),
        "finding by id not found"
    );
    ensure!(
        store.finding("none").await.at("finding")?.is_none(),
        "an unknown finding was found"
    );
    let d = store.detail(A1, "f1").await.at("detail")?;
    ensure!(
        d.as_ref().map(|d| d.remediation.text.as_str()) == Some("fix it now"),
        "detail is {d:?}"
    );
    let kinds: Vec<EventKind> = store
        .history(A1, "f1")
        .await
        .at("history")?
        .into_iter()
        .map(|e| e.kind)
        .collect();
    ensure!(
        kinds == [EventKind::Opened, EventKind::RiskChanged],
        "history oldest first: {kinds:?}"
    );
    for (account, id, risk, status) in [
        (A1, "f2", 90, FindingStatus::Open),
        (A2, "f3", 80, FindingStatus::Resolved),
        (A2, "f4", 10, FindingStatus::Open),
    ] {
        store
            .apply(&opened(state(account, id, risk, status)))
            .await
            .at("apply")?;
    }
    let ids = |v: Vec<FindingState>| v.into_iter().map(|s| s.finding_id).collect::<Vec<_>>();
    let all = ids(store.list(&FindingFilter::default()).await.at("list")?);
    ensure!(all == ["f2", "f3", "f1", "f4"], "riskiest first: {all:?}");
    let open = ids(store
        .list(&FindingFilter {
            status: Some(FindingStatus::Open),
            ..FindingFilter::default()
        })
        .await
        .at("list")?);
    ensure!(open == ["f2", "f1", "f4"], "open findings: {open:?}");
    let a2 = ids(store
        .list(&FindingFilter {
            account_id: Some(A2.to_owned()),
            ..FindingFilter::default()
        })
        .await
        .at("list")?);
    ensure!(a2 == ["f3", "f4"], "account {A2}: {a2:?}");
    let by_rule = ids(store
        .list(&FindingFilter {
            rule_id: Some("rule_f4".to_owned()),
            ..FindingFilter::default()
        })
        .await
        .at("list")?);
    ensure!(by_rule == ["f4"], "rule rule_f4: {by_rule:?}");
    let snap = store.account(A2).await.at("account")?;
    let mut in_account = ids(snap.findings);
    in_account.sort();
    ensure!(
        in_account == ["f3", "f4"],
        "the account snapshot holds its findings: {in_account:?}"
    );
    Ok(())
}
