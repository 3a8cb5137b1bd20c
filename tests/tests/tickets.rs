//! Each ticket sink's lifecycle against a receiver on 127.0.0.1 that
//! speaks its API (`aispm_tests::sinks`): a finding opened, changed,
//! resolved and seen again gets its ticket opened, updated, closed and
//! reopened, each exactly once, while two syncs run at once and the
//! receiver takes the first request of each step but answers too late.
//! Over the in-memory store (the DynamoDB store passes the same contract);
//! the emulator tests at the end run the CLI and the compiled function.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use aispm_shared::model::{AssetType, FindingStatus, Frameworks, Remediation, Severity, Timestamp};
use aispm_shared::store::{
    Change, EventKind, FindingDetail, FindingEvent, FindingState, FindingWrites, MemoryStore,
};
use aispm_shared::tickets::config::TicketConfig;
use aispm_shared::tickets::http::{Client, Retry};
use aispm_shared::tickets::sync::{Ticketing, sync_all};
use aispm_tests::sinks::{self as testsink, Receiver};

const ACCOUNT: &str = "111111111111";

fn state(risk: u8) -> FindingState {
    FindingState {
        finding_id: "f1".to_owned(),
        rule_id: "sagemaker_notebook_root_access".to_owned(),
        title: "Notebook with root access".to_owned(),
        severity: Severity::High,
        risk_score: risk,
        status: FindingStatus::Open,
        account_id: ACCOUNT.to_owned(),
        region: "us-east-1".to_owned(),
        scope: "us-east-1".to_owned(),
        resource_arn: "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb".to_owned(),
        resource_type: AssetType::SagemakerNotebookInstance,
        access_key_id: None,
        first_seen: "2026-12-01T00:00:00Z".to_owned(),
        last_seen: "2026-12-01T00:00:00Z".to_owned(),
        resolved_at: None,
        occurrence: 1,
        disposition: None,
        detail_hash: "h1".to_owned(),
        version: 1,
    }
}

fn detail() -> FindingDetail {
    FindingDetail {
        evidence: vec![aispm_shared::model::FindingEvidence::new(
            "sagemaker:DescribeNotebookInstance",
            "RootAccess",
            "Enabled",
        )],
        remediation: Remediation {
            text: "Turn root access off".to_owned(),
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

fn event(kind: EventKind, note: Option<&str>) -> FindingEvent {
    FindingEvent {
        finding_id: "f1".to_owned(),
        at: "2026-12-01T00:00:00Z".to_owned(),
        kind,
        occurrence: 1,
        severity: Severity::High,
        risk_score: 80,
        by: None,
        note: note.map(str::to_owned),
    }
}

/// A store holding finding `f1` at `risk`.
async fn store_with(risk: u8) -> MemoryStore {
    let store = MemoryStore::new();
    let c = Change {
        state: state(risk),
        expected_version: None,
        detail: Some(detail()),
        events: vec![event(EventKind::Opened, None)],
    };
    store.apply(&c).await.unwrap();
    store
}

/// Moves `f1` to a new state (its version one more).
async fn set(store: &MemoryStore, f: impl FnOnce(&mut FindingState)) {
    let mut st = store.state(ACCOUNT, "f1").await.unwrap().unwrap();
    let expected = Some(st.version);
    f(&mut st);
    st.version += 1;
    let c = Change {
        state: st,
        expected_version: expected,
        detail: None,
        events: vec![],
    };
    assert_eq!(
        store.apply(&c).await.unwrap(),
        aispm_shared::store::Applied::Done
    );
}

fn client() -> Client {
    Client::new(Retry {
        attempts: 4,
        base: Duration::from_millis(20),
        max: Duration::from_millis(200),
        timeout: Duration::from_millis(600),
    })
    .unwrap()
}

fn config(sink: serde_json::Value) -> TicketConfig {
    let text = serde_json::json!({"sinks": {"s": sink}, "routes": [{"sink": "s", "min_severity": "high"}],
                                  "finding_url": "https://aispm.example/findings/{id}"});
    TicketConfig::parse(&text.to_string()).unwrap()
}

/// Syncs twice at once (as two invocations would) and returns what was
/// delivered.
async fn sync_twice(store: &MemoryStore, cfg: &TicketConfig, secret: &str) -> usize {
    let secrets = BTreeMap::from([("s".to_owned(), secret.to_owned())]);
    let client = client();
    let ous = BTreeMap::new();
    let t = Ticketing {
        config: cfg,
        secrets: &secrets,
        client: &client,
        dead_letters: None,
        ou_paths: &ous,
    };
    let now = Timestamp::now();
    let (a, b) = tokio::join!(sync_all(store, &t, now), sync_all(store, &t, now));
    let delivered = a.unwrap().count("delivered") + b.unwrap().count("delivered");
    let again = sync_all(store, &t, now).await.unwrap();
    assert_eq!(
        again.deliveries.len(),
        0,
        "a repeated sync sends nothing: {:?}",
        again.deliveries
    );
    delivered
}

/// Walks `f1` through open → change → resolve → return, checking after
/// each step with `check(receiver, step)`; the first delivery of each step
/// meets a receiver that takes the request and answers too late.
async fn lifecycle(
    r: &Receiver,
    cfg: &TicketConfig,
    secret: &str,
    check: impl Fn(&Receiver, &str),
) {
    let store = store_with(80).await;
    r.with(|s| s.late = 1);
    assert_eq!(sync_twice(&store, cfg, secret).await, 1);
    check(r, "opened");
    set(&store, |s| s.risk_score = 95).await;
    r.with(|s| s.late = 1);
    assert_eq!(sync_twice(&store, cfg, secret).await, 1);
    check(r, "updated");
    set(&store, |s| s.status = FindingStatus::Resolved).await;
    r.with(|s| s.late = 1);
    assert_eq!(sync_twice(&store, cfg, secret).await, 1);
    check(r, "resolved");
    set(&store, |s| {
        s.status = FindingStatus::Open;
        s.occurrence = 2;
    })
    .await;
    r.with(|s| s.late = 1);
    assert_eq!(sync_twice(&store, cfg, secret).await, 1);
    check(r, "reopened");
    r.with(|s| assert!(s.refused.is_empty(), "refused: {:?}", s.refused));
}

#[tokio::test]
async fn generic_webhook_lifecycle_once_per_event() {
    let r = testsink::start(testsink::generic).await;
    // SAFETY of the test: the variable is this test's own.
    let cfg = config(
        serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url), "secret_env": "UNUSED_IN_TEST"}),
    );
    lifecycle(&r, &cfg, "s3cret", |r, step| {
        r.with(|s| {
            let events: Vec<&str> = s
                .posts
                .iter()
                .map(|p| p["event"].as_str().unwrap())
                .collect();
            let want = ["opened", "updated", "resolved", "reopened"];
            let n = want.iter().position(|w| *w == step).unwrap() + 1;
            assert_eq!(events, want[..n], "after {step}");
            let last = s.posts.last().unwrap();
            assert_eq!(last["finding"]["url"], "https://aispm.example/findings/f1");
            assert_eq!(last["finding"]["evidence"][0]["field"], "RootAccess");
        })
    })
    .await;
}

#[tokio::test]
async fn pagerduty_lifecycle_triggers_and_resolves_one_alert() {
    let r = testsink::start(testsink::pagerduty).await;
    let cfg = config(
        serde_json::json!({"type": "pagerduty", "url": r.url, "secret_env": "UNUSED_IN_TEST"}),
    );
    lifecycle(&r, &cfg, "R0UTING", |r, step| {
        r.with(|s| {
            let alert = &s.objects["f1"];
            let want = match step {
                "resolved" => "resolved",
                _ => "triggered",
            };
            assert_eq!(alert["status"], want, "after {step}");
            let triggers = if step == "reopened" { 2 } else { 1 };
            assert_eq!(alert["triggers"], triggers, "after {step}");
        })
    })
    .await;
}

#[tokio::test]
async fn jira_lifecycle_one_issue_commented_closed_and_reopened() {
    let r = testsink::start(testsink::jira).await;
    let cfg = config(
        serde_json::json!({"type": "jira", "url": r.url, "project": "MLSEC",
                                        "user": "bot@acme.example", "secret_env": "UNUSED_IN_TEST"}),
    );
    lifecycle(&r, &cfg, "t0ken", |r, step| {
        r.with(|s| {
            assert_eq!(s.objects.len(), 1, "one issue after {step}");
            let issue = &s.objects["MLSEC-1"];
            let status = issue["fields"]["status"]["statusCategory"]["key"]
                .as_str()
                .unwrap();
            let comments = issue["comments"].as_array().unwrap().len();
            let (want_status, want_comments) = match step {
                "opened" => ("new", 0),
                "updated" => ("new", 1),
                "resolved" => ("done", 2),
                _ => ("new", 3),
            };
            assert_eq!(
                (status, comments),
                (want_status, want_comments),
                "after {step}"
            );
            assert!(
                issue["fields"]["labels"]
                    .as_array()
                    .unwrap()
                    .contains(&serde_json::json!("aispm-f1"))
            );
        })
    })
    .await;
}

#[tokio::test]
async fn servicenow_lifecycle_one_incident_noted_resolved_and_reopened() {
    let r = testsink::start(testsink::servicenow).await;
    let cfg = config(
        serde_json::json!({"type": "servicenow", "url": r.url, "user": "aispm",
                                        "assignment_group": "ml-platform", "secret_env": "UNUSED_IN_TEST"}),
    );
    lifecycle(&r, &cfg, "pw", |r, step| {
        r.with(|s| {
            assert_eq!(s.objects.len(), 1, "one incident after {step}");
            let inc = s.objects.values().next().unwrap();
            let want = if step == "resolved" { "6" } else { "1" };
            assert_eq!(inc["state"], want, "after {step}");
            assert_eq!(inc["correlation_id"], "f1");
            assert_eq!(inc["assignment_group"], "ml-platform");
            let notes = inc["work_notes"].as_str().unwrap();
            let keys = [
                "f1:1:opened:1",
                "f1:1:updated:2",
                "f1:1:resolved:3",
                "f1:2:reopened:4",
            ];
            let n = ["opened", "updated", "resolved", "reopened"]
                .iter()
                .position(|w| *w == step)
                .unwrap()
                + 1;
            for k in &keys[..n] {
                assert_eq!(
                    notes.matches(k).count(),
                    1,
                    "{k} once after {step}: {notes}"
                );
            }
        })
    })
    .await;
}

#[tokio::test]
async fn slack_gets_one_message_per_event() {
    let r = testsink::start(testsink::slack).await;
    let cfg = config(
        serde_json::json!({"type": "slack", "url": format!("{}/services/T000/B000/XXXX", r.url)}),
    );
    lifecycle(&r, &cfg, "", |r, step| {
        r.with(|s| {
            let want = ["Opened", "Updated", "Resolved", "Reopened"];
            let n = ["opened", "updated", "resolved", "reopened"]
                .iter()
                .position(|w| *w == step)
                .unwrap()
                + 1;
            let got: Vec<&str> = s
                .posts
                .iter()
                .map(|p| p["text"].as_str().unwrap().split(':').next().unwrap())
                .collect();
            assert_eq!(got, want[..n], "after {step}");
            let header = s.posts[0]["blocks"][0]["text"]["text"].as_str().unwrap();
            assert_eq!(header, "[HIGH] Notebook with root access");
        })
    })
    .await;
    // Down (503) is tried again; the message is posted once.
    let store = store_with(80).await;
    let before = r.with(|s| s.posts.len());
    r.with(|s| s.down = 1);
    assert_eq!(sync_twice(&store, &cfg, "").await, 1);
    r.with(|s| assert_eq!(s.posts.len(), before + 1));
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_the_event_stays_owed() {
    let r = testsink::start(testsink::pagerduty).await;
    let cfg = config(
        serde_json::json!({"type": "pagerduty", "url": r.url, "secret_env": "UNUSED_IN_TEST"}),
    );
    let store = store_with(80).await;
    let secrets = BTreeMap::from([("s".to_owned(), "WRONG".to_owned())]);
    let client = client();
    let ous = BTreeMap::new();
    let t = Ticketing {
        config: &cfg,
        secrets: &secrets,
        client: &client,
        dead_letters: None,
        ou_paths: &ous,
    };
    let report = sync_all(&store, &t, Timestamp::now()).await.unwrap();
    assert_eq!(report.count("failed"), 1);
    assert!(
        report.deliveries[0]
            .error
            .as_deref()
            .unwrap()
            .contains("400")
    );
    r.with(|s| assert_eq!(s.got.len(), 1, "a 400 is tried once"));
    // Still owed: the next sync (with the right key) delivers it.
    let secrets = BTreeMap::from([("s".to_owned(), "R0UTING".to_owned())]);
    let t = Ticketing {
        secrets: &secrets,
        ..t
    };
    assert_eq!(
        sync_all(&store, &t, Timestamp::now())
            .await
            .unwrap()
            .count("delivered"),
        1
    );
}

#[tokio::test]
async fn a_sink_down_for_a_while_gets_the_event_after_backoff() {
    let r = testsink::start(testsink::generic).await;
    let cfg = config(
        serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url), "secret_env": "UNUSED_IN_TEST"}),
    );
    let store = store_with(80).await;
    r.with(|s| s.down = 2);
    assert_eq!(sync_twice(&store, &cfg, "s3cret").await, 1);
    r.with(|s| {
        assert_eq!(s.got.len(), 3, "two 503s, then delivered");
        assert_eq!(s.posts.len(), 1);
    });
}

/// A sink that answers 429 with `Retry-After: 1` gets the next attempt no
/// sooner than it asked (the client's own backoff here is 20 ms).
#[tokio::test]
async fn a_throttled_delivery_waits_as_long_as_the_sink_asks() {
    let r = testsink::start(testsink::generic).await;
    let cfg = config(
        serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url), "secret_env": "UNUSED_IN_TEST"}),
    );
    let store = store_with(80).await;
    r.with(|s| s.throttled = 1);
    let secrets = BTreeMap::from([("s".to_owned(), "s3cret".to_owned())]);
    let client = Client::new(Retry {
        attempts: 3,
        base: Duration::from_millis(20),
        max: Duration::from_secs(5),
        timeout: Duration::from_secs(2),
    })
    .unwrap();
    let ous = BTreeMap::new();
    let t = Ticketing {
        config: &cfg,
        secrets: &secrets,
        client: &client,
        dead_letters: None,
        ou_paths: &ous,
    };
    let started = std::time::Instant::now();
    let report = sync_all(&store, &t, Timestamp::now()).await.unwrap();
    assert_eq!(report.count("delivered"), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    r.with(|s| assert_eq!((s.got.len(), s.posts.len()), (2, 1)));
}

/// The generic webhook's signature, as a receiver checks it with the
/// snippet in `docs/tickets.md`: a delivered request verifies, the same
/// body changed by one byte does not, nor a request signed too long ago.
#[tokio::test]
async fn the_documented_snippet_verifies_a_delivery_and_refuses_a_changed_byte() {
    let r = testsink::start(testsink::generic).await;
    let cfg = config(
        serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url), "secret_env": "UNUSED_IN_TEST"}),
    );
    let store = store_with(80).await;
    assert_eq!(sync_twice(&store, &cfg, "s3cret").await, 1);
    let got = r.with(|s| s.got[0].clone());
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tickets.md"))
        .unwrap();
    let snippet = doc
        .split("<!-- verify-snippet -->\n```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the verification snippet in docs/tickets.md");
    let dir = std::env::temp_dir().join(format!("aispm-snippet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("verify.py");
    std::fs::write(
        &script,
        format!(
            "{snippet}\nimport sys\nbody = open(sys.argv[3], 'rb').read()\n\
             now = float(sys.argv[4]) if len(sys.argv) > 4 else None\n\
             sys.exit(0 if verify(sys.argv[1].encode(), sys.argv[2], body, now) else 1)\n"
        ),
    )
    .unwrap();
    let header = got.header("x-aispm-signature").to_owned();
    let check = |body: &[u8], now: Option<&str>| {
        let path = dir.join("body");
        std::fs::write(&path, body).unwrap();
        let mut cmd = std::process::Command::new("python3");
        cmd.arg(&script).arg("s3cret").arg(&header).arg(&path);
        if let Some(n) = now {
            cmd.arg(n);
        }
        cmd.status().unwrap().success()
    };
    assert!(check(&got.body, None), "the delivered body verifies");
    let mut changed = got.body.clone();
    let i = changed.iter().position(|b| *b == b'8').unwrap();
    changed[i] = b'9';
    assert!(!check(&changed, None), "one byte changed: refused");
    let t: i64 = header
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert!(
        !check(&got.body, Some(&(t + 301).to_string())),
        "outside the replay window: refused"
    );
    assert!(check(&got.body, Some(&(t + 299).to_string())));
    let _ = std::fs::remove_dir_all(&dir);
}

// --- On the emulator: the CLI after a sweep, the dead-letter queue, the
// compiled function.

mod on_the_emulator {
    use std::process::Command;

    use aispm_tests::emulator::Emulator;
    use aispm_tests::scenarios::{self, ACCOUNT, REGION};
    use aispm_tests::sinks::{self as testsink, Receiver};
    use serde_json::Value;

    const TABLE: &str = "tickets";

    /// `aispm ARGS` on the emulator with the store in table `tickets`.
    fn aispm(url: &str, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
            .args(args)
            .args(["--endpoint-url", url, "--table", TABLE])
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AISPM_TEST_HOOK_SECRET", "s3cret")
            .output()
            .expect("run aispm")
    }

    fn aispm_json(url: &str, args: &[&str]) -> Value {
        let out = aispm(url, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// The exposed-key scenario swept into the store; its open findings.
    fn swept(rt: &tokio::runtime::Runtime, url: &str) -> usize {
        rt.block_on(scenarios::exposed_key(url)).unwrap();
        sweep(url)
    }

    fn sweep(url: &str) -> usize {
        let v = aispm_json(
            url,
            &[
                "sweep",
                "--local",
                "--queue",
                TABLE,
                "--regions",
                REGION,
                "--accounts",
                ACCOUNT,
                "--format",
                "json",
            ],
        );
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "open")
            .count()
    }

    /// A routing configuration sending every finding to the generic
    /// receiver `r`.
    /// `secret_file` names a file (holding `s3cret`) for the DLQ test,
    /// the environment for the others.
    fn config_file(r: &Receiver, name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("aispm-tickets-{name}-{}.json", std::process::id()));
        let mut sink = serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url)});
        if name == "dlq" {
            let secret = path.with_extension("secret");
            std::fs::write(&secret, "s3cret\n").unwrap();
            sink["secret_file"] = serde_json::json!(secret);
        } else {
            sink["secret_env"] = serde_json::json!("AISPM_TEST_HOOK_SECRET");
        }
        let cfg = serde_json::json!({
            "sinks": {"soc": sink},
            "routes": [{"sink": "soc", "min_severity": "informational"}]
        });
        std::fs::write(&path, cfg.to_string()).unwrap();
        path
    }

    fn outcomes(deliveries: &Value) -> Vec<String> {
        deliveries
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["event"].as_str().unwrap(),
                    d["outcome"].as_str().unwrap()
                )
            })
            .collect()
    }

    /// A sweep then a sync opens one ticket per open finding; a repeated
    /// sync sends nothing; after the key is deactivated and swept again,
    /// a sync closes its ticket and nothing else; the links say so.
    #[test]
    fn a_sweep_then_a_sync_opens_tickets_a_fix_closes_them_and_a_repeat_sends_nothing() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = Emulator::start().unwrap();
        let url = emu.url.as_str();
        let open = swept(&rt, url);
        assert!(open >= 2, "the scenario has open findings");
        let r = rt.block_on(testsink::start(testsink::generic));
        let cfg = config_file(&r, "sync");
        let cfg = cfg.to_str().unwrap();
        let sync = || {
            aispm_json(
                url,
                &[
                    "tickets", "sync", "--local", "--config", cfg, "--format", "json",
                ],
            )
        };
        let first = sync();
        assert_eq!(
            outcomes(&first),
            vec!["opened delivered".to_owned(); open],
            "{first:#}"
        );
        r.with(|s| assert_eq!(s.posts.len(), open));
        assert_eq!(
            sync(),
            serde_json::json!([]),
            "a repeated sync sends nothing"
        );
        // Every open high-risk finding is now escalated (ticketed).
        let m = aispm_json(url, &["metrics", "--format", "json"]);
        let h = &m["high_risk"];
        assert!(h["escalated"].as_u64().unwrap() >= 1, "{h}");
        assert_eq!(h["unhandled"], 0, "{h}");
        // The fix: the exposed key is deactivated, and the next sweep sees it.
        rt.block_on(async {
            let iam =
                aws_sdk_iam::Client::new(&aispm_tests::seed::emulator_config(url, REGION).await);
            let user = "vendor-chatbot-integration";
            let keys = iam.list_access_keys().user_name(user).send().await.unwrap();
            for k in keys.access_key_metadata() {
                iam.update_access_key()
                    .user_name(user)
                    .access_key_id(k.access_key_id().unwrap())
                    .status(aws_sdk_iam::types::StatusType::Inactive)
                    .send()
                    .await
                    .unwrap();
            }
        });
        let still_open = sweep(url);
        assert!(
            still_open < open,
            "deactivating the key resolves its findings"
        );
        // Its ticket closes; findings still open whose risk or evidence
        // changed with it (the key is inactive now) get an update.
        let after = outcomes(&sync());
        let resolved = after.iter().filter(|o| *o == "resolved delivered").count();
        assert_eq!(resolved, open - still_open, "{after:?}");
        assert!(
            after
                .iter()
                .all(|o| o == "resolved delivered" || o == "updated delivered"),
            "{after:?}"
        );
        assert_eq!(sync(), serde_json::json!([]));
        r.with(|s| {
            assert_eq!(s.posts.len(), open + after.len());
            assert!(s.refused.is_empty(), "{:?}", s.refused);
        });
        let links = aispm_json(url, &["tickets", "list", "--format", "json"]);
        let links = links.as_array().unwrap();
        assert_eq!(links.len(), open);
        assert_eq!(
            links.iter().filter(|l| l["open"] == true).count(),
            still_open
        );
        // A configuration naming an unknown sink is refused, naming it.
        let bad =
            std::env::temp_dir().join(format!("aispm-tickets-bad-{}.json", std::process::id()));
        std::fs::write(&bad, r#"{"sinks": {}, "routes": [{"sink": "soc"}]}"#).unwrap();
        let out = aispm(
            url,
            &[
                "tickets",
                "sync",
                "--local",
                "--config",
                bad.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("routes[0].sink: no sink named `soc`"), "{err}");
        emu.stop();
    }

    /// Routes by OU: the account sits in the `ml` OU, so a route to `ml`
    /// (or to the root) sends its findings, one to a sibling OU does not.
    #[test]
    fn routes_by_ou_follow_the_accounts_place_in_the_organization() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = Emulator::start().unwrap();
        let url = emu.url.as_str();
        let (root, ml, other) = rt.block_on(scenarios::account_in_ml_ou(url)).unwrap();
        let open = swept(&rt, url);
        let (to_ml, to_other, to_root) = (
            rt.block_on(testsink::start(testsink::generic)),
            rt.block_on(testsink::start(testsink::generic)),
            rt.block_on(testsink::start(testsink::generic)),
        );
        let sink = |r: &Receiver| serde_json::json!({"type": "generic", "url": format!("{}/hook", r.url), "secret_env": "AISPM_TEST_HOOK_SECRET"});
        let cfg = serde_json::json!({
            "sinks": {"ml": sink(&to_ml), "other": sink(&to_other), "root": sink(&to_root)},
            "routes": [{"sink": "ml", "min_severity": "informational", "ous": ml},
                       {"sink": "other", "min_severity": "informational", "ous": [other]},
                       {"sink": "root", "min_severity": "informational", "ous": [root]}]
        });
        let path =
            std::env::temp_dir().join(format!("aispm-tickets-ou-{}.json", std::process::id()));
        std::fs::write(&path, cfg.to_string()).unwrap();
        let out = aispm_json(
            url,
            &[
                "tickets",
                "sync",
                "--local",
                "--config",
                path.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        let per_sink = |name: &str| {
            out.as_array()
                .unwrap()
                .iter()
                .filter(|d| d["sink"] == name)
                .count()
        };
        assert_eq!(
            (per_sink("ml"), per_sink("other"), per_sink("root")),
            (open, 0, open),
            "{out:#}"
        );
        to_ml.with(|s| assert_eq!(s.posts.len(), open));
        to_other.with(|s| assert!(s.got.is_empty()));
        let _ = std::fs::remove_file(path);
        emu.stop();
    }

    /// A sink down for the whole retry window loses nothing: every event
    /// waits in the dead-letter queue (a sync leaves them there), and once
    /// the sink is back `aispm tickets replay` delivers each exactly once.
    #[test]
    fn a_sink_down_for_the_whole_retry_window_loses_nothing() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = Emulator::start().unwrap();
        let url = emu.url.as_str();
        let open = swept(&rt, url);
        let dlq = rt.block_on(async {
            let sqs =
                aws_sdk_sqs::Client::new(&aispm_tests::seed::emulator_config(url, REGION).await);
            sqs.create_queue()
                .queue_name("aispm-tickets-dlq")
                .send()
                .await
                .unwrap()
                .queue_url()
                .unwrap()
                .to_owned()
        });
        let r = rt.block_on(testsink::start(testsink::generic));
        r.with(|s| s.down = 10_000);
        let cfg = config_file(&r, "dlq");
        let args = |cmd: &str| -> Vec<String> {
            let mut a: Vec<String> = vec!["tickets".into(), cmd.into()];
            if cmd == "sync" {
                a.push("--local".into());
            }
            a.extend(
                [
                    "--config",
                    cfg.to_str().unwrap(),
                    "--dead-letter-queue-url",
                    &dlq,
                    "--attempts",
                    "2",
                    "--format",
                    "json",
                ]
                .map(String::from),
            );
            a
        };
        let run = |cmd: &str| {
            let a = args(cmd);
            aispm_json(url, &a.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let first = run("sync");
        assert_eq!(
            outcomes(&first),
            vec!["opened parked".to_owned(); open],
            "{first:#}"
        );
        assert_eq!(
            run("sync"),
            serde_json::json!([]),
            "parked events are left to replay"
        );
        r.with(|s| {
            assert_eq!(s.got.len(), 2 * open, "two attempts each");
            s.down = 0;
        });
        let replayed = run("replay");
        assert_eq!(
            outcomes(&replayed),
            vec!["opened delivered".to_owned(); open],
            "{replayed:#}"
        );
        assert_eq!(run("sync"), serde_json::json!([]));
        assert_eq!(run("replay"), serde_json::json!([]), "the queue is empty");
        r.with(|s| assert_eq!(s.posts.len(), open, "each event once"));
        emu.stop();
    }

    /// The compiled ticket function, run as Lambda runs it, on a findings
    /// stream batch shaped like `events/dynamodb/`: the finding it names is
    /// ticketed once, and the same batch again sends nothing.
    #[test]
    fn the_compiled_ticket_function_tickets_what_the_stream_touches() {
        use aispm_tests::runtime_api::Outcome;
        use std::time::Duration;
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = Emulator::start().unwrap();
        let url = emu.url.as_str();
        swept(&rt, url);
        let listed = aispm_json(url, &["findings", "list", "--format", "json"]);
        let id = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["status"] == "open")
            .unwrap()["finding_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut batch: Value = serde_json::from_str(include_str!(
            "../../events/dynamodb/findings-stream-batch.json"
        ))
        .unwrap();
        batch["Records"][0]["dynamodb"]["Keys"]["sk"] = serde_json::json!({"S": format!("F#{id}")});
        let batch = batch.to_string();
        let r = rt.block_on(testsink::start(testsink::generic));
        // The signing secret in Secrets Manager, read by the function.
        let secret_arn = rt.block_on(async {
            let sm = aws_sdk_secretsmanager::Client::new(
                &aispm_tests::seed::emulator_config(url, REGION).await,
            );
            let out = sm
                .create_secret()
                .name("aispm/ticket-webhook")
                .secret_string("s3cret")
                .send()
                .await
                .unwrap();
            out.arn().unwrap().to_owned()
        });
        let config = serde_json::json!({
            "sinks": {"soc": {"type": "generic", "url": format!("{}/hook", r.url), "secret_arn": secret_arn}},
            "routes": [{"sink": "soc", "min_severity": "informational"}]
        })
        .to_string();
        let f = aispm_tests::runtime_api::Function::start(
            env!("CARGO_BIN_EXE_aispm-fn-ticket-e2e"),
            "aispm-ticket",
            &[
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
                ("AWS_REGION", REGION),
                ("AWS_ENDPOINT_URL", url),
                ("AISPM_TABLE", TABLE),
                ("AISPM_REGIONS", REGION),
                ("AISPM_TICKET_CONFIG", &config),
            ],
        )
        .unwrap();
        let invoke = |event: &str| {
            let rid = f.api.invoke(event);
            match f.api.outcome(&rid, Duration::from_secs(120)).unwrap() {
                Outcome::Response(body) => serde_json::from_str::<Value>(&body).unwrap(),
                Outcome::Error(e) => panic!("ticket failed: {e}"),
            }
        };
        let first = invoke(&batch);
        // The sample's other finding ids are not stored.
        assert_eq!(first["outcomes"]["delivered"], 1, "{first:#}");
        assert_eq!(first["batchItemFailures"], serde_json::json!([]));
        let again = invoke(&batch);
        assert_eq!(again["deliveries"], serde_json::json!([]), "{again:#}");
        r.with(|s| {
            assert_eq!(s.posts.len(), 1);
            assert_eq!(s.posts[0]["finding"]["id"], id.as_str());
        });
        let logs = f.stop();
        for line in logs.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(v.get("level").is_some(), "{line}");
        }
        emu.stop();
    }
}

/// Routes by owner tag hold on the stream's path (the ticket function) as on
/// a full sync: the resource's tags come from the stored snapshot.
#[tokio::test]
async fn the_stream_path_routes_by_owner_tag_too() {
    use aispm_shared::store::{Part, SnapshotDiff, SnapshotItem, Snapshots};
    let r = testsink::start(testsink::generic).await;
    let hook = format!("{}/hook", r.url);
    let secret = std::env::temp_dir().join(format!("aispm-owner-{}.secret", std::process::id()));
    std::fs::write(&secret, "s3cret").unwrap();
    let cfg = TicketConfig::parse(
        &serde_json::json!({
            "sinks": {"ml": {"type": "generic", "url": hook, "secret_file": secret},
                      "web": {"type": "generic", "url": hook, "secret_file": secret}},
            "routes": [{"sink": "ml", "owner": "ml-team"}, {"sink": "web", "owner": "web-team"}]
        })
        .to_string(),
    )
    .unwrap();
    let store = store_with(80).await;
    let mut asset = aispm_shared::model::Asset::new(
        state(80).resource_arn,
        AssetType::SagemakerNotebookInstance,
        "nb",
        ACCOUNT,
        "us-east-1",
    );
    asset.tags.insert("owner".into(), "ml-team".into());
    let diff = SnapshotDiff {
        put: vec![SnapshotItem::new(
            "us-east-1",
            "sagemaker.notebooks",
            Part::Asset(asset),
        )],
        delete: vec![],
        at: None,
    };
    store.write_snapshot(ACCOUNT, &diff).await.unwrap();
    let sdk = aws_types::SdkConfig::builder().build();
    let mut runner = aispm_shared::tickets::run::Runner::new(&sdk, cfg, None, Retry::default())
        .await
        .unwrap();
    let ds = runner
        .sync_ids(&store, &["f1".to_owned()], Timestamp::now())
        .await
        .unwrap();
    let sinks: Vec<&str> = ds.iter().map(|d| d.sink.as_str()).collect();
    assert_eq!(sinks, ["ml"], "{ds:?}");
    let _ = std::fs::remove_file(secret);
}
