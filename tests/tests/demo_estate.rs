//! Integration tests on the demo organization, seeded once into this test
//! binary's own moto server and scanned through the real `aispm` binary.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::collections::BTreeSet;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aispm_tests::emulator::Emulator;
use aispm_tests::proxy::{Fault, FaultProxy, RandomFaults};
use aispm_tests::scenarios;
use aispm_tests::seed::{Estate, seed};
use serde_json::Value;

fn estate() -> &'static Estate {
    static ESTATE: OnceLock<Estate> = OnceLock::new();
    ESTATE.get_or_init(|| {
        let url = Emulator::shared().url.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(seed(&url)).expect("seeding the demo estate")
        })
        .join()
        .expect("seed thread")
    })
}

/// Runs the real binary with test credentials and nothing else from the
/// caller's AWS environment.
fn aispm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run aispm")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "aispm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

const REGIONS: &str = "us-east-1,eu-west-1";

fn org_inventory() -> &'static Value {
    static INV: OnceLock<Value> = OnceLock::new();
    INV.get_or_init(|| {
        estate();
        let url = &Emulator::shared().url;
        json_of(&aispm(&[
            "inventory",
            "--endpoint-url",
            url,
            "--regions",
            REGIONS,
            "--organization",
            "--format",
            "json",
        ]))
    })
}

fn org_scan() -> &'static (Value, Value, Value) {
    static SCAN: OnceLock<(Value, Value, Value)> = OnceLock::new();
    SCAN.get_or_init(|| {
        estate();
        let url = &Emulator::shared().url;
        let out = aispm(&[
            "scan",
            "--endpoint-url",
            url,
            "--regions",
            REGIONS,
            "--organization",
            "--format",
            "json",
            "--stats",
        ]);
        let stats: Value = serde_json::from_slice(
            out.stderr
                .split(|b| *b == b'\n')
                .find(|l| l.starts_with(b"{"))
                .unwrap_or(b"{}"),
        )
        .expect("stats json on stderr");
        let (findings, gaps) = split(json_of(&out));
        (findings, stats, gaps)
    })
}

/// The findings array split into findings and `not_assessed` elements.
fn split(all: Value) -> (Value, Value) {
    let (gaps, findings): (Vec<Value>, Vec<Value>) = all
        .as_array()
        .expect("a JSON array")
        .iter()
        .cloned()
        .partition(|f| f["status"] == "not_assessed");
    (Value::Array(findings), Value::Array(gaps))
}

#[test]
fn inventory_reports_every_seeded_asset_per_type_account_and_region() {
    let est = estate();
    let inv = org_inventory();
    let found: BTreeSet<(String, String, String, String)> = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap().to_owned(),
                a["region"].as_str().unwrap().to_owned(),
                a["asset_type"].as_str().unwrap().to_owned(),
                a["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = est
        .assets
        .iter()
        .filter(|s| {
            !found.contains(&(
                s.account_id.clone(),
                s.region.clone(),
                s.asset_type.to_owned(),
                s.name.clone(),
            ))
        })
        .collect();
    assert!(missing.is_empty(), "not discovered: {missing:#?}");
    // Every account of the organization was entered.
    let accounts: BTreeSet<&str> = inv["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect();
    for a in [&est.management, &est.ml_platform, &est.data_science] {
        assert!(accounts.contains(a.as_str()), "account {a} not scanned");
    }
}

#[test]
fn inventory_derives_the_expected_edges_with_evidence() {
    let est = estate();
    let inv = org_inventory();
    let assets = inv["assets"].as_array().unwrap();
    let edges = inv["edges"].as_array().unwrap();
    for e in &est.edges {
        let from_arns: Vec<&str> = assets
            .iter()
            .filter(|a| {
                a["account_id"] == e.account_id.as_str() && a["name"] == e.from_name.as_str()
            })
            .map(|a| a["arn"].as_str().unwrap())
            .collect();
        let hit = edges.iter().find(|x| {
            let from = x["from"].as_str().unwrap();
            (from_arns.contains(&from) || from.contains(&e.from_name))
                && x["kind"] == e.kind
                && x["to"].as_str().unwrap().contains(&e.to_contains)
        });
        let hit = hit.unwrap_or_else(|| panic!("missing edge {e:?}"));
        assert!(
            hit["evidence"]["source"].as_str().unwrap().contains(':'),
            "edge without evidence: {hit}"
        );
        assert!(!hit["evidence"]["field"].as_str().unwrap().is_empty());
    }
}

#[test]
fn organization_scan_lists_what_it_could_not_judge_in_the_same_array() {
    let (_, stats, gaps) = org_scan();
    let gaps = gaps.as_array().unwrap();
    assert!(!gaps.is_empty());
    for g in gaps {
        for key in [
            "rule_id",
            "title",
            "account_id",
            "region",
            "collector",
            "reason",
            "detail",
        ] {
            assert!(g[key].is_string(), "{key} missing in {g}");
        }
        assert!(!g["title"].as_str().unwrap().is_empty(), "{g}");
    }
    // moto answers ListGuardrails with a 500: every guardrail rule says so
    // in every account and region instead of passing.
    let est = estate();
    for region in REGIONS.split(',') {
        assert!(
            gaps.iter()
                .any(|g| g["rule_id"] == "bedrock_guardrail_prompt_attack_weak"
                    && g["account_id"] == est.ml_platform.as_str()
                    && g["region"] == region
                    && g["collector"] == "bedrock.guardrails"
                    && g["reason"] == "api_unavailable"),
            "{region}: {gaps:?}"
        );
    }
    assert_eq!(
        stats["coverage"]["rules_not_assessed"].as_u64(),
        Some(gaps.len() as u64)
    );
}

/// The fault mix a bad minute of AWS looks like, with a fixed seed.
const BAD_MINUTE: RandomFaults = RandomFaults {
    seed: 16,
    throttle: 0.20,
    server_error: 0.05,
    reset: 0.01,
};

/// `(rule_id, resource_arn, account_id, region, severity)` of each finding.
fn finding_keys(findings: &Value) -> Vec<String> {
    let mut keys: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["rule_id"], f["resource_arn"], f["account_id"], f["region"], f["severity"]
            )
        })
        .collect();
    keys.sort();
    keys
}

/// `(rule_id, account_id, region, collector, reason)` of each gap.
fn gap_keys(gaps: &Value) -> Vec<String> {
    let mut keys: Vec<String> = gaps
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {} {} {} {}",
                g["rule_id"], g["account_id"], g["region"], g["collector"], g["reason"]
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn throttling_5xx_and_resets_change_no_finding() {
    let (clean, clean_stats, clean_gaps) = org_scan();
    let proxy = FaultProxy::start_random(Emulator::shared().port, BAD_MINUTE).expect("proxy");
    let started = Instant::now();
    let out = aispm(&[
        "scan",
        "--endpoint-url",
        &proxy.url,
        "--regions",
        REGIONS,
        "--organization",
        "--format",
        "json",
    ]);
    let took = started.elapsed();
    let (findings, gaps) = split(json_of(&out));
    let counts = proxy.counts();
    eprintln!(
        "clean scan {} ms, under faults {} ms; proxy: {counts:?}",
        clean_stats["wall_time_ms"],
        took.as_millis()
    );
    assert!(
        counts.throttled > 20 && counts.server_errors > 5,
        "the faults were injected: {counts:?}"
    );
    let keys = finding_keys(&findings);
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "duplicates under faults");
    assert_eq!(keys, finding_keys(clean), "findings changed under faults");
    assert_eq!(
        gap_keys(&gaps),
        gap_keys(clean_gaps),
        "not-assessed records changed under faults"
    );
}

#[test]
fn organization_scan_returns_typed_findings_from_all_accounts_and_regions() {
    let est = estate();
    let (findings, stats, _) = org_scan();
    let list = findings.as_array().expect("array of findings");
    assert!(!list.is_empty());
    let severities = ["critical", "high", "medium", "low", "informational"];
    for f in list {
        for key in [
            "id",
            "rule_id",
            "title",
            "severity",
            "status",
            "account_id",
            "region",
            "resource_arn",
            "resource_type",
        ] {
            assert!(f[key].is_string(), "{key} missing or not a string in {f}");
        }
        assert!(severities.contains(&f["severity"].as_str().unwrap()));
        let score = f["risk_score"].as_u64().expect("risk_score is a number");
        assert!(score <= 100);
        assert!(
            f["evidence"].as_array().is_some_and(|e| !e.is_empty()),
            "no evidence in {f}"
        );
        assert!(f["remediation"]["text"].is_string());
        for fw in [
            "owasp_llm",
            "owasp_agentic",
            "mitre_atlas",
            "nist_ai_rmf",
            "aws_security_hub",
        ] {
            assert!(f["frameworks"][fw].is_array(), "frameworks.{fw} missing");
        }
    }
    let accounts: BTreeSet<&str> = list
        .iter()
        .map(|f| f["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        accounts,
        BTreeSet::from([
            est.management.as_str(),
            est.ml_platform.as_str(),
            est.data_science.as_str()
        ])
    );
    let regions: BTreeSet<&str> = list.iter().map(|f| f["region"].as_str().unwrap()).collect();
    assert!(
        regions.contains("us-east-1") && regions.contains("eu-west-1"),
        "{regions:?}"
    );
    // Sorted by risk, highest first.
    let scores: Vec<u64> = list
        .iter()
        .map(|f| f["risk_score"].as_u64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    // Scenario 2: the attack path from the outside writer through the training
    // bucket to the model and endpoint ranks first, names the jobs and the
    // model, and links the bucket's own finding, which ranks right below it.
    let top = &list[0];
    assert_eq!(top["rule_id"], "path_poisonable_training_data");
    assert_eq!(top["severity"], "critical");
    assert!(
        top["resource_arn"]
            .as_str()
            .unwrap()
            .contains("fraud-training-data")
    );
    let evidence = |f: &Value, field: &str| {
        f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["value"].to_string())
            .unwrap_or_default()
    };
    assert!(evidence(top, "read_by").contains("training-job/fraud-scoring-train-2026-11"));
    assert!(evidence(top, "models").contains("model/fraud-scoring-llm"));
    let bucket = list
        .iter()
        .find(|f| f["rule_id"] == "s3_bucket_writable_outside_org")
        .expect("the bucket's own finding");
    assert!(evidence(bucket, "used_by").contains("training-job/fraud-scoring-train-2026-11"));
    assert!(bucket["related"].as_array().unwrap().contains(&top["id"]));
    assert!(top["related"].as_array().unwrap().contains(&bucket["id"]));
    // The same bucket is readable from the data-science account: a second
    // path names its roles that hold all of S3 there.
    let inside = list
        .iter()
        .find(|f| f["rule_id"] == "path_cross_account_training_data")
        .expect("the cross-account path on the training bucket");
    assert_eq!(inside["resource_arn"], top["resource_arn"]);
    let reach = evidence(inside, "other_accounts_principals");
    assert!(reach.contains("role/ds-feature-eng-exec"), "{reach}");
    assert!(!reach.contains("\"write\""), "read-only grant: {reach}");
    assert!(
        !reach.contains("aispm-scanner"),
        "the scanner is denied reads: {reach}"
    );
    assert!(stats["http_requests"].as_u64().unwrap() > 0);
    assert!(stats["requests_by_service"]["SageMaker"].is_object());
}

#[test]
fn an_api_the_emulator_lacks_is_not_assessed_never_a_pass() {
    let est = estate();
    let inv = org_inventory();
    let cov = inv["coverage"].as_array().unwrap();
    // moto has no ListFeatureGroups: a feature group exists, nothing is
    // reported about it, and coverage says why.
    let rec = cov
        .iter()
        .find(|c| {
            c["account_id"] == est.ml_platform.as_str()
                && c["region"] == "us-east-1"
                && c["collector"] == "sagemaker.feature_groups"
        })
        .expect("feature group coverage record");
    assert_eq!(rec["status"], "not_assessed");
    assert_eq!(rec["reason"], "api_unavailable");
    assert!(
        rec["detail"]
            .as_str()
            .unwrap()
            .contains("ListFeatureGroups")
    );
    // Bedrock guardrails answer 500 in moto.
    assert!(
        cov.iter()
            .any(|c| c["collector"] == "bedrock.guardrails" && c["status"] == "not_assessed")
    );
    // And a rule whose input could not be read says so instead of passing.
    let url = &Emulator::shared().url;
    let out = aispm(&[
        "scan",
        "--endpoint-url",
        url,
        "--regions",
        "us-east-1",
        "--format",
        "table",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not assessed") && text.contains("bedrock.guardrails"),
        "{text}"
    );
}

#[test]
fn a_broken_member_role_is_recorded_and_other_accounts_are_still_scanned() {
    let est = estate();
    let emu = Emulator::shared();
    let proxy = FaultProxy::start(emu.port, vec![Fault::deny_assume_role(&est.data_science)])
        .expect("proxy");
    let out = aispm(&[
        "inventory",
        "--endpoint-url",
        &proxy.url,
        "--regions",
        "us-east-1",
        "--organization",
        "--format",
        "json",
    ]);
    let inv = json_of(&out);
    let cov = inv["coverage"].as_array().unwrap();
    let broken = cov
        .iter()
        .find(|c| c["account_id"] == est.data_science.as_str())
        .expect("a record for the broken account");
    assert_eq!(broken["collector"], "account");
    assert_eq!(broken["status"], "not_assessed");
    assert_eq!(broken["reason"], "assume_role_failed");
    assert!(
        broken["detail"].as_str().unwrap().contains("AccessDenied"),
        "{broken}"
    );
    let scanned: BTreeSet<&str> = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert!(scanned.contains(est.ml_platform.as_str()));
    assert!(scanned.contains(est.management.as_str()));
    assert!(!scanned.contains(est.data_science.as_str()));
}

/// A suppressions file with an invalid expiry (written by the test).
const BAD_SUPPRESSIONS: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/bad-suppressions.json");

#[test]
fn bad_input_fails_fast_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["scan", "--regions", "us-east-7"],
            "unknown region `us-east-7`",
        ),
        (
            &["scan", "--regions", "us-east-1", "--accounts", "12345"],
            "malformed account id `12345`",
        ),
        (
            &[
                "scan",
                "--regions",
                "us-east-1",
                "--endpoint-url",
                "ftp://x",
            ],
            "invalid --endpoint-url",
        ),
        (
            &[
                "scan",
                "--regions",
                "us-east-1",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ],
            "could not identify the caller",
        ),
        (
            &[
                "scan",
                "--regions",
                "us-east-1",
                "--suppressions",
                "/nonexistent/suppressions.json",
            ],
            "cannot read --suppressions /nonexistent/suppressions.json",
        ),
        (
            &[
                "scan",
                "--regions",
                "us-east-1",
                "--suppressions",
                BAD_SUPPRESSIONS,
            ],
            "suppressions[0].expires: `soon` is not an RFC 3339 time",
        ),
    ];
    std::fs::write(
        BAD_SUPPRESSIONS,
        r#"{"suppressions": [{"rule": "*", "resource": "*", "reason": "r", "owner": "o", "expires": "soon"}]}"#,
    )
    .unwrap();
    for (args, expected) in cases {
        let started = Instant::now();
        let out = aispm(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn missing_credentials_are_reported_not_retried_forever() {
    let out = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args([
            "scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .env_clear()
        .env("HOME", std::env::temp_dir().join("aispm-no-home"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS credentials found"));
}

#[test]
fn usage_errors_exit_2_and_help_documents_exit_codes() {
    let out = aispm(&["scan"]);
    assert_eq!(out.status.code(), Some(2));
    let help = aispm(&["scan", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes"));
}

#[test]
fn scanner_policy_covers_every_call() {
    let (_, stats, _) = org_scan();
    let policy: Value =
        serde_json::from_str(include_str!("../../infra/scanner-policy.json")).unwrap();
    let allowed: BTreeSet<String> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_lowercase())
        .collect();
    let prefix = |service: &str| match service {
        "SageMaker" => "sagemaker",
        "Bedrock" | "Bedrock Agent" => "bedrock",
        "Bedrock AgentCore Control" => "bedrock-agentcore",
        "IAM" => "iam",
        "KMS" => "kms",
        "Lambda" => "lambda",
        "OpenSearchServerless" => "aoss",
        "Organizations" => "organizations",
        "S3" | "S3 Control" => "s3",
        "S3Vectors" => "s3vectors",
        "STS" => "sts",
        "Secrets Manager" => "secretsmanager",
        "EC2" => "ec2",
        other => panic!("unmapped service {other}"),
    };
    // Operations whose IAM action has another name.
    let action = |service: &str, op: &str| -> String {
        let p = prefix(service);
        let name = match (p, op) {
            ("s3", "ListBuckets") => "ListAllMyBuckets",
            ("s3", "GetPublicAccessBlock") if service == "S3" => "GetBucketPublicAccessBlock",
            ("s3", "GetPublicAccessBlock") => "GetAccountPublicAccessBlock",
            ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
            _ => op,
        };
        format!("{p}:{name}").to_lowercase()
    };
    for (service, ops) in stats["requests_by_service"].as_object().unwrap() {
        for op in ops.as_object().unwrap().keys() {
            // AssumeRole is the caller's permission, not the scanner role's.
            if service == "STS" && op == "AssumeRole" {
                continue;
            }
            let a = action(service, op);
            assert!(allowed.contains(&a), "infra/scanner-policy.json lacks {a}");
        }
    }
    let denied = policy["Statement"][1]["Action"].to_string();
    assert!(denied.contains("secretsmanager:GetSecretValue") && denied.contains("s3:GetObject"));
}

/// The scanner role reads metadata only: its explicit Deny names every
/// data-plane read and invoke of the services it scans, and none of the
/// actions it needs.
#[test]
fn scanner_role_denies_every_data_plane_read_and_invoke() {
    let policy: Value =
        serde_json::from_str(include_str!("../../infra/scanner-policy.json")).unwrap();
    let actions = |i: usize| -> BTreeSet<String> {
        policy["Statement"][i]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_lowercase())
            .collect()
    };
    let (allowed, denied) = (actions(0), actions(1));
    assert_eq!(policy["Statement"][1]["Effect"], "Deny");
    for a in [
        "secretsmanager:GetSecretValue",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:InvokeAgent",
        "bedrock:InvokeInlineAgent",
        "bedrock:InvokeFlow",
        "bedrock:Retrieve",
        "bedrock:RetrieveAndGenerate",
        "bedrock-agentcore:InvokeAgentRuntime",
        "sagemaker:InvokeEndpoint",
        "sagemaker:InvokeEndpointAsync",
        "sagemaker:InvokeEndpointWithResponseStream",
        "s3vectors:GetVectors",
        "s3vectors:QueryVectors",
        "lambda:InvokeFunction",
        "kms:Decrypt",
    ] {
        assert!(denied.contains(&a.to_lowercase()), "not denied: {a}");
    }
    assert!(
        allowed.is_disjoint(&denied),
        "denied and needed: {:?}",
        allowed.intersection(&denied).collect::<Vec<_>>()
    );
}

#[test]
fn access_denied_and_throttling_become_not_assessed_with_their_reason() {
    let est = estate();
    let emu = Emulator::shared();
    let proxy = FaultProxy::start(
        emu.port,
        vec![
            Fault::json_error(
                "secretsmanager.ListSecrets",
                400,
                "AccessDeniedException",
                "User is not authorized to perform: secretsmanager:ListSecrets",
            ),
            Fault::json_error(
                "SageMaker.ListNotebookInstances",
                400,
                "ThrottlingException",
                "Rate exceeded",
            ),
        ],
    )
    .expect("proxy");
    let out = aispm(&[
        "scan",
        "--endpoint-url",
        &proxy.url,
        "--regions",
        "us-east-1",
        "--accounts",
        &est.ml_platform,
        "--format",
        "json",
    ]);
    let (findings, gaps) = split(json_of(&out));
    // The array itself says which rules could not judge, and why.
    let gap = |rule: &str| {
        gaps.as_array()
            .unwrap()
            .iter()
            .find(|g| g["rule_id"] == rule)
            .map(|g| (g["collector"].clone(), g["reason"].clone()))
    };
    assert_eq!(
        gap("secretsmanager_ai_secret_without_rotation"),
        Some(("secretsmanager.secrets".into(), "access_denied".into())),
        "{gaps}"
    );
    assert_eq!(
        gap("sagemaker_notebook_without_kms"),
        Some(("sagemaker.notebook_instances".into(), "throttled".into())),
        "{gaps}"
    );
    // Nothing is claimed about what could not be read.
    assert!(
        !findings.as_array().unwrap().iter().any(|f| {
            f["rule_id"] == "secretsmanager_ai_secret_without_rotation"
                || f["rule_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("sagemaker_notebook")
        }),
        "findings from unreadable data: {findings}"
    );
    let inv = json_of(&aispm(&[
        "inventory",
        "--endpoint-url",
        &proxy.url,
        "--regions",
        "us-east-1",
        "--accounts",
        &est.ml_platform,
        "--format",
        "json",
    ]));
    let cov = inv["coverage"].as_array().unwrap();
    let reason = |collector: &str| {
        cov.iter()
            .find(|c| c["collector"] == collector)
            .map(|c| (c["status"].clone(), c["reason"].clone()))
    };
    assert_eq!(
        reason("secretsmanager.secrets"),
        Some(("not_assessed".into(), "access_denied".into()))
    );
    assert_eq!(
        reason("sagemaker.notebook_instances"),
        Some(("not_assessed".into(), "throttled".into()))
    );
    // Everything else in the account was still read.
    assert_eq!(
        reason("sagemaker.endpoints"),
        Some(("assessed".into(), Value::Null))
    );
}

/// The seeded agent as plain moto serves it: its id (moto makes one up).
fn seeded_agent_id() -> String {
    org_inventory()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset_type"] == "bedrock_agent" && a["name"] == "customer-support-agent")
        .and_then(|a| a["attributes"]["agent_id"].as_str())
        .expect("the support agent is discovered on plain moto")
        .to_owned()
}

/// moto serves the agent itself (list, get, tags) and lacks its action
/// groups: only those are answered by a loopback responder here, as AWS
/// answers them.
#[test]
fn agent_tools_are_discovered_from_action_groups_with_their_evidence() {
    let est = estate();
    let emu = Emulator::shared();
    let proxy = FaultProxy::start(
        emu.port,
        scenarios::action_group_responses(&est.ml_platform, &seeded_agent_id()),
    )
    .expect("proxy");
    let inv = json_of(&aispm(&[
        "inventory",
        "--endpoint-url",
        &proxy.url,
        "--regions",
        "us-east-1",
        "--accounts",
        &est.ml_platform,
        "--format",
        "json",
    ]));
    let agent = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset_type"] == "bedrock_agent")
        .expect("the agent is discovered");
    assert_eq!(agent["name"], "customer-support-agent");
    assert_eq!(agent["tags"]["owner"], "support-eng");
    assert!(
        agent["attributes"].get("guardrail_id").is_none(),
        "no guardrail: {agent}"
    );
    let groups = agent["attributes"]["action_groups"]
        .as_array()
        .expect("action groups read");
    assert_eq!(
        groups[0]["functions_without_confirmation"],
        serde_json::json!(["get_customer", "email_customer"])
    );
    let agent_arn = agent["arn"].as_str().unwrap();
    let edges = inv["edges"].as_array().unwrap();
    let tool = edges
        .iter()
        .find(|e| {
            e["from"] == agent_arn
                && e["kind"] == "invokes_tool"
                && e["evidence"]["source"] == "bedrock-agent:GetAgentActionGroup"
        })
        .expect("agent -> tool edge from the action group");
    assert!(
        tool["to"]
            .as_str()
            .unwrap()
            .ends_with("function:customer-lookup-tool")
    );
    // The same link is also proven by the Lambda's resource policy.
    assert!(edges.iter().any(|e| e["from"] == agent_arn
        && e["kind"] == "invokes_tool"
        && e["evidence"]["source"] == "lambda:GetPolicy"));
    assert!(edges.iter().any(|e| {
        e["from"] == agent_arn
            && e["kind"] == "executes_as"
            && e["to"]
                .as_str()
                .unwrap()
                .ends_with("role/support-agent-exec")
    }));
    let cov = inv["coverage"].as_array().unwrap();
    assert!(
        cov.iter()
            .any(|c| c["collector"] == "bedrock_agent.action_groups" && c["status"] == "assessed")
    );
}

/// `aispm scan --organization` on plain moto (no responder for any Bedrock
/// Agents call) finds the seeded agent and both knowledge bases, judges them
/// (the agent has no guardrail; the partner-fed knowledge base is a RAG
/// poisoning path), and lists what moto cannot serve (action groups, the
/// agent's knowledge-base associations, data sources) as not assessed.
#[test]
fn organization_scan_on_plain_moto_finds_agents_and_knowledge_bases() {
    let est = estate();
    let inv = org_inventory();
    let assets = inv["assets"].as_array().unwrap();
    let named = |t: &str| -> BTreeSet<String> {
        assets
            .iter()
            .filter(|a| a["asset_type"] == t && a["account_id"] == est.ml_platform.as_str())
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        named("bedrock_agent"),
        BTreeSet::from(["customer-support-agent".to_owned()])
    );
    assert_eq!(
        named("bedrock_knowledge_base"),
        BTreeSet::from(["partner-faq".to_owned(), "support-docs".to_owned()])
    );
    let (findings, _, gaps) = org_scan();
    let has = |rule: &str, tail: &str| {
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == rule && f["resource_arn"].as_str().unwrap().contains(tail))
    };
    let agent_id = seeded_agent_id();
    assert!(has(
        "bedrock_agent_without_guardrail",
        &format!("agent/{agent_id}")
    ));
    let kb = assets.iter().find(|a| a["name"] == "partner-faq").unwrap();
    let rag = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "path_rag_poisoning")
        .expect("the partner-fed knowledge base is a RAG poisoning path");
    assert_eq!(rag["resource_arn"], kb["arn"]);
    assert_eq!(rag["severity"], "critical");
    let sources = rag["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "poisonable_sources")
        .unwrap();
    assert_eq!(
        sources["value"],
        serde_json::json!([format!("arn:aws:s3:::partner-faq-docs-{}", est.ml_platform)])
    );
    assert!(
        !findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "path_rag_poisoning"
                && f["resource_arn"].as_str().unwrap().contains("support-docs")),
        "the support knowledge base reads a bucket nobody outside can write"
    );
    let lacking: BTreeSet<&str> = gaps
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["account_id"] == est.ml_platform.as_str() && g["region"] == "us-east-1")
        .filter_map(|g| g["collector"].as_str())
        .collect();
    for c in ["bedrock_agent.action_groups", "bedrock_agent.data_sources"] {
        assert!(
            lacking.contains(c),
            "{c} is not assessed on moto: {lacking:?}"
        );
    }
    assert!(!lacking.contains("bedrock_agent.agents"), "{lacking:?}");
    assert!(
        !lacking.contains("bedrock_agent.knowledge_bases"),
        "{lacking:?}"
    );
}

/// The prototyping notebook's start-up script holds a Hugging Face token:
/// the finding names the script, line and kind, and no output carries the
/// token itself (the scripts are scanned in memory, never stored).
#[test]
fn lifecycle_script_secrets_are_named_never_shown() {
    let (findings, _, _) = org_scan();
    let f = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "sagemaker_notebook_lifecycle_secrets")
        .expect("the token in genai-prototyping's script is found");
    assert!(
        f["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with("notebook-instance/genai-prototyping")
    );
    assert_eq!(
        f["evidence"][0]["value"],
        serde_json::json!([{"script": "OnStart", "line": 5, "kind": "hugging_face_token"}])
    );
    for out in [findings.to_string(), org_inventory().to_string()] {
        assert!(
            !out.contains("hf_DemoOnly"),
            "the token leaked into an output"
        );
    }
}

#[test]
fn member_account_template_embeds_the_scanner_policy() {
    let template: Value =
        serde_json::from_str(include_str!("../../infra/member-account.json")).unwrap();
    let policy: Value =
        serde_json::from_str(include_str!("../../infra/scanner-policy.json")).unwrap();
    let role = &template["Resources"]["ScannerRole"]["Properties"];
    assert_eq!(role["Policies"][0]["PolicyDocument"], policy);
    // trusted only by the central scanner and on-event functions' roles,
    // with the ExternalId
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    let principals: Vec<&str> = trust["Principal"]["AWS"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Fn::Sub"].as_str().unwrap())
        .collect();
    assert_eq!(principals.len(), 2, "{principals:?}");
    assert!(principals[0].ends_with(":role/${ScanFunctionRoleName}"));
    assert!(principals[1].ends_with(":role/${OnEventFunctionRoleName}"));
    assert_eq!(
        trust["Condition"]["StringEquals"]["sts:ExternalId"]["Ref"],
        "ExternalId"
    );
}

/// The remediator role in the member template: the catalog's policy
/// (`infra/remediator-policy.json`, itself kept equal to the catalog by a
/// unit test), created only with EnableRemediation=true, trusted only by
/// the central remediate function's role with the ExternalId.
#[test]
fn member_account_template_embeds_the_remediator_policy() {
    let template: Value =
        serde_json::from_str(include_str!("../../infra/member-account.json")).unwrap();
    let policy: Value =
        serde_json::from_str(include_str!("../../infra/remediator-policy.json")).unwrap();
    assert_eq!(policy, aispm_shared::remediate::role::catalog_role_policy());
    let role = &template["Resources"]["RemediatorRole"];
    assert_eq!(role["Condition"], "CreateRemediator");
    assert_eq!(
        template["Parameters"]["EnableRemediation"]["Default"],
        "false"
    );
    assert_eq!(role["Properties"]["Policies"][0]["PolicyDocument"], policy);
    assert_eq!(
        role["Properties"]["Policies"].as_array().map(Vec::len),
        Some(1)
    );
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().map(Vec::len), Some(1));
    let principals = trust[0]["Principal"]["AWS"].as_array().unwrap();
    assert_eq!(principals.len(), 1);
    assert!(
        principals[0]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with(":role/${RemediateFunctionRoleName}")
    );
    assert_eq!(
        trust[0]["Condition"]["StringEquals"]["sts:ExternalId"]["Ref"],
        "ExternalId"
    );
    // The scanner role stays read-only: none of the catalog's writes.
    let scanner = &template["Resources"]["ScannerRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"][0]["Action"];
    for write in [
        "iam:UpdateAccessKey",
        "s3:PutBucketPolicy",
        "iam:PutRolePolicy",
    ] {
        assert!(
            !scanner.as_array().unwrap().iter().any(|a| a == write),
            "{write}"
        );
    }
}

/// The full findings list of the demo estate, pinned: every seeded weakness
/// yields its finding, no correctly configured asset is flagged (the
/// artifacts and logs buckets, the churn-analysis notebook, the processing
/// job, the Studio domain, the registry), and attack paths rank above their
/// parts. Account ids and the emulator's random suffixes are normalised.
#[test]
fn demo_findings_are_pinned() {
    let est = estate();
    let (findings, _, _) = org_scan();
    let accounts = [
        (est.management.as_str(), "<management>"),
        (est.ml_platform.as_str(), "<ml-platform>"),
        (est.data_science.as_str(), "<data-science>"),
    ];
    let normalise = |arn: &str| {
        let mut out = arn.to_owned();
        for (id, name) in accounts {
            out = out.replace(id, name);
        }
        // Secrets end in `-` and six random characters; collection ids are
        // random too (access key findings name their user, not the key).
        if out.contains(":secret:") {
            out.truncate(out.len().saturating_sub(7));
        }
        if let Some(i) = out.find(":collection/") {
            out.replace_range(i + ":collection/".len().., "<id>");
        }
        // The emulator makes up agent and knowledge-base ids (8 characters
        // after the name).
        if out.contains(":agent/") || out.contains(":knowledge-base/") {
            out.truncate(out.len().saturating_sub(8));
            out.push_str("<id>");
        }
        out
    };
    let mut lines: Vec<(u64, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let risk = f["risk_score"].as_u64().unwrap();
            let line = format!(
                "{risk:>3} {:<8} {:<10} {} {}\n    {}",
                f["severity"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
                f["rule_id"].as_str().unwrap(),
                normalise(f["resource_arn"].as_str().unwrap()),
                f["title"].as_str().unwrap(),
            );
            (risk, line)
        })
        .collect();
    lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let text: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
    insta::assert_snapshot!("demo_findings", text.join("\n"));
}

/// The graph carries the IAM engine's answers as edges: the training role can
/// read the training bucket and write the artifacts, the outside account and
/// anonymous users reach the buckets their policies open.
#[test]
fn inventory_graph_has_iam_derived_edges() {
    let est = estate();
    let inv = org_inventory();
    let edges = inv["edges"].as_array().unwrap();
    let has = |from: &str, kind: &str, to: &str, field: &str| {
        edges.iter().any(|e| {
            e["from"].as_str().unwrap().ends_with(from)
                && e["kind"] == kind
                && e["to"].as_str().unwrap().contains(to)
                && e["evidence"]["source"] == "aispm:iam-engine"
                && e["evidence"]["field"].as_str().unwrap().starts_with(field)
        })
    };
    let ml = &est.ml_platform;
    assert!(has(
        ":role/ml-training-exec",
        "can_read",
        &format!("fraud-training-data-{ml}"),
        "s3:GetObject"
    ));
    assert!(has(
        &format!("fraud-training-data-{ml}"),
        "reachable_by",
        aispm_tests::seed::OUTSIDE_ACCOUNT,
        "s3:PutObject"
    ));
    assert!(has(
        &format!("support-rag-docs-{ml}"),
        "reachable_by",
        "*",
        "s3:GetObject"
    ));
    assert!(
        !has(&format!("ml-model-artifacts-{ml}"), "reachable_by", "", ""),
        "the hardened artifacts bucket is reachable by nobody outside"
    );
}
