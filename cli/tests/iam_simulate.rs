//! `aispm iam simulate` as a user runs it: the compiled binary, a file or
//! standard input, JSON out, exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn aispm(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aispm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn request(action: &str) -> Value {
    json!({
        "request": {"principal": "arn:aws:iam::111111111111:role/app", "action": action,
                    "resource": "arn:aws:s3:::bucket/key", "resource_account": "222222222222",
                    "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]}},
        "identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}],
        "resource_policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:*",
             "Resource": "arn:aws:s3:::bucket/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
            {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]},
        "permission_boundary": null,
        "scps": [], "rcps": []
    })
}

#[test]
fn simulate_reads_a_file_and_prints_the_decision_with_its_statements() {
    let dir = std::env::temp_dir().join(format!("aispm-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("req.json");
    std::fs::write(&file, request("s3:GetObject").to_string()).unwrap();
    let out = aispm(&["iam", "simulate", file.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v,
        json!({"decision": "Allowed", "statements": [
            {"policy": "identity_policies[0]", "statement": 0, "sid": "Read", "effect": "Allow"},
            {"policy": "resource_policy", "statement": 0, "effect": "Allow"}]})
    );
}

#[test]
fn simulate_reads_standard_input() {
    let out = aispm(
        &["iam", "simulate", "-"],
        &request("s3:DeleteObject").to_string(),
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "ExplicitlyDenied");
    assert_eq!(v["statements"][0]["sid"], "NoDelete");
    let out = aispm(
        &["iam", "simulate", "-"],
        &request("s3:PutObject").to_string(),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, json!({"decision": "ImplicitlyDenied", "statements": []}));
}

#[test]
fn batch_mode_is_json_lines_and_flags_malformed_lines() {
    let input = format!(
        "{}\n{}\n\n{}\n",
        request("s3:GetObject"),
        json!({"request": {"principal": "arn:aws:iam::111111111111:role/app", "action": "s3GetObject", "resource": "*"}}),
        request("s3:DeleteObject")
    );
    let out = aispm(&["iam", "simulate", "--batch", "-"], &input);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "Allowed");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("`s3GetObject` is not of the form `service:Action`")
    );
    assert_eq!(lines[2]["decision"], "ExplicitlyDenied");
    assert!(String::from_utf8_lossy(&out.stderr).contains("on line(s) 2"));
}

#[test]
fn malformed_requests_say_what_and_where_and_exit_non_zero() {
    let mut bad_policy = request("s3:GetObject");
    bad_policy["identity_policies"][0]["Statement"][0]["Effect"] = json!("Permit");
    let mut unknown_field = request("s3:GetObject");
    unknown_field["identity_policy"] = json!([]);
    let mut bad_principal = request("s3:GetObject");
    bad_principal["request"]["principal"] = json!("alice");
    for (input, expected) in [
        (
            bad_policy.to_string(),
            "identity_policies[0].Statement[0].Effect: must be \"Allow\" or \"Deny\", got \"Permit\"",
        ),
        (unknown_field.to_string(), "unknown field `identity_policy`"),
        (bad_principal.to_string(), "principal `alice` is not"),
        ("{\"request\": ".to_owned(), "EOF while parsing"),
        (String::new(), "the request is empty"),
    ] {
        let out = aispm(&["iam", "simulate", "-"], &input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(stderr.contains(expected), "{input}: {stderr}");
    }
    let missing = aispm(&["iam", "simulate", "/nonexistent/req.json"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read `/nonexistent/req.json`")
    );
}
