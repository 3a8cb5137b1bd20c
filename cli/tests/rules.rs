//! `aispm rules list|show` from the compiled binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::process::{Command, Output};

fn aispm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aispm"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn list_prints_every_rule_and_json_carries_the_metadata() {
    let out = aispm(&["rules", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("identity_role_trust_any_principal") && l.contains("critical"))
    );
    let json = aispm(&["rules", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), text.lines().count());
    assert!(
        rules
            .iter()
            .all(|r| r["id"].is_string()
                && r["nist_ai_rmf"].as_array().is_some_and(|n| !n.is_empty()))
    );
}

#[test]
fn show_prints_one_rule_or_names_the_unknown_id() {
    let out = aispm(&["rules", "show", "identity_ai_role_admin"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("identity_ai_role_admin [critical]"));
    assert!(text.contains("OWASP LLM    LLM06"));
    assert!(text.contains("OWASP ASI    ASI03"));
    assert!(text.contains("Security Hub IAM.1\n"));
    let json = aispm(&["rules", "show", "s3_bucket_public_read", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["severity"], "high");
    let missing = aispm(&["rules", "show", "no_such_rule"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no rule `no_such_rule`"));
}

#[test]
fn docs_prints_what_docs_rules_md_holds() {
    let out = aispm(&["rules", "docs"]);
    assert!(out.status.success());
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), file);
}
