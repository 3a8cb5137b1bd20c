//! Bad input fails fast, against the real `aispm` binary: a malformed or
//! untracked event is answered before any network call, and an endpoint that
//! accepts connections but never answers fails `event`, `sweep`, `scan`,
//! `findings` and `metrics` within seconds, with the cause.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A loopback port whose connections are accepted by the kernel and never
/// answered.
fn silent_endpoint() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

fn sample(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(path)
}

/// Runs `aispm ARGS` with test credentials; returns its output and how long
/// it took.
fn aispm(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    (out, started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn malformed_and_untracked_events_are_answered_without_the_network() {
    let (_l, url) = silent_endpoint();
    let dir = std::env::temp_dir().join(format!("aispm-fail-fast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty-detail.json");
    std::fs::write(
        &empty,
        r#"{"id": "1", "detail-type": "AWS API Call via CloudTrail", "account": "111122223333",
            "region": "us-east-1", "time": "2026-11-20T10:00:00Z", "detail": {}}"#,
    )
    .unwrap();
    let (out, took) = aispm(&["event", empty.to_str().unwrap(), "--endpoint-url", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no `detail.eventSource`"),
        "{}",
        stderr(&out)
    );
    assert!(
        took < Duration::from_secs(5),
        "malformed event took {took:?}"
    );

    let mut unmapped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample("cloudtrail/s3/PutBucketPolicy.json")).unwrap(),
    )
    .unwrap();
    unmapped["detail"]["eventName"] = "GetObject".into();
    let file = dir.join("unmapped.json");
    std::fs::write(&file, unmapped.to_string()).unwrap();
    let (out, took) = aispm(&["event", file.to_str().unwrap(), "--endpoint-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["handled"], false);
    assert!(
        took < Duration::from_secs(5),
        "untracked event took {took:?}"
    );
}

#[test]
fn a_silent_endpoint_fails_event_sweep_and_scan_within_seconds() {
    let (_l, url) = silent_endpoint();
    let policy = sample("cloudtrail/s3/PutBucketPolicy.json");
    let (out, took) = aispm(&["event", policy.to_str().unwrap(), "--endpoint-url", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("sts:GetCallerIdentity") && err.contains("timed out"),
        "{err}"
    );
    assert!(took < Duration::from_secs(20), "event took {took:?}");

    let (out, took) = aispm(&[
        "sweep",
        "--local",
        "--regions",
        "us-east-1",
        "--endpoint-url",
        &url,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sts:GetCallerIdentity"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(20), "sweep took {took:?}");

    let (out, took) = aispm(&["scan", "--regions", "us-east-1", "--endpoint-url", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sts:GetCallerIdentity"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(20), "scan took {took:?}");
}

#[test]
fn a_silent_endpoint_fails_findings_and_metrics_within_seconds() {
    let (_l, url) = silent_endpoint();
    for args in [
        &["findings", "list"][..],
        &["findings", "show", "f-0000000000000000"],
        &["metrics"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--endpoint-url", url.as_str()]);
        let (out, took) = aispm(&a);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("cannot reach the findings store") && err.contains("timed out"),
            "{args:?}: {err}"
        );
        assert!(took < Duration::from_secs(20), "{args:?} took {took:?}");
    }
}
