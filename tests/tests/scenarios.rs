//! The four scenarios of BRIEF section 4, each on its own fresh emulator:
//! the exact findings aispm reports, their severity, the attack path ranked
//! first in the account, and the assets and findings it links.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests fail loudly"
)]

use std::process::Command;

use aispm_tests::emulator::Emulator;
use aispm_tests::proxy::{Fault, FaultProxy};
use aispm_tests::scenarios::{self, ACCOUNT, REGION};
use serde_json::Value;

/// Runs `aispm scan` on the scenario account through `endpoint`.
fn scan(endpoint: &str) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args([
            "scan",
            "--endpoint-url",
            endpoint,
            "--regions",
            REGION,
            "--accounts",
            ACCOUNT,
            "--format",
            "json",
        ])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run aispm");
    assert!(
        out.status.success(),
        "aispm scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).expect("findings json");
    all.into_iter()
        .filter(|f| f["status"] != "not_assessed")
        .collect()
}

fn seeded(seed: impl std::future::Future<Output = anyhow::Result<()>>) {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(seed)
        .expect("seeding the scenario");
}

/// `(rule_id, last segment of the resource ARN, severity)` per finding, in rank order.
fn summary(findings: &[Value]) -> Vec<(String, String, String)> {
    findings
        .iter()
        .map(|f| {
            let arn = f["resource_arn"].as_str().unwrap();
            let name = arn.rsplit(['/', ':']).next().unwrap().to_owned();
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                name,
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn evidence<'a>(f: &'a Value, field: &str) -> &'a Value {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .map(|e| &e["value"])
        .unwrap_or(&Value::Null)
}

/// Checks the path is first, outranks everything else, and links exactly the
/// findings on its assets (both ways); returns the path's assets.
fn assert_path_first(findings: &[Value], rule: &str) -> Vec<String> {
    let path = &findings[0];
    assert_eq!(path["rule_id"], rule, "{:#?}", summary(findings));
    assert_eq!(path["severity"], "critical");
    for other in &findings[1..] {
        assert!(
            path["risk_score"].as_u64() > other["risk_score"].as_u64()
                || other["rule_id"].as_str().unwrap().starts_with("path_")
                || path["risk_score"] == 100,
            "{} does not outrank {}",
            path["rule_id"],
            other["rule_id"]
        );
    }
    let assets: Vec<String> = evidence(path, "assets")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let mut parts: Vec<&Value> = findings[1..]
        .iter()
        .filter(|f| assets.iter().any(|a| f["resource_arn"] == a.as_str()))
        .collect();
    parts.sort_by_key(|f| f["id"].as_str().unwrap().to_owned());
    let want: Vec<&Value> = parts.iter().map(|f| &f["id"]).collect();
    let have: Vec<&Value> = path["related"].as_array().unwrap().iter().collect();
    assert_eq!(have, want, "the path links the findings on its assets");
    for p in parts {
        assert_eq!(p["related"], serde_json::json!([path["id"]]), "{p}");
    }
    assets
}

fn expect(findings: &[Value], want: &[(&str, &str, &str)]) {
    let mut have = summary(findings);
    have.sort();
    let mut want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    want.sort();
    assert_eq!(have, want);
}

fn on_path(assets: &[String], suffix: &str) -> bool {
    assets.iter().any(|a| a.ends_with(suffix))
}

#[test]
fn scenario_1_unregistered_llm_reading_production_data() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::unregistered_llm(&emu.url));
    let findings = scan(&emu.url);
    emu.stop();
    // The emulator stores no model network isolation (it always answers
    // false), so that finding is real for what was seeded.
    expect(
        &findings,
        &[
            (
                "path_unowned_endpoint_reads_data",
                "internal-llm",
                "critical",
            ),
            (
                "identity_ai_role_broad_data_access",
                "internal-llm-exec",
                "high",
            ),
            (
                "sagemaker_model_network_isolation_disabled",
                "internal-llm",
                "high",
            ),
            ("sagemaker_model_without_vpc", "internal-llm", "medium"),
            (
                "sagemaker_model_image_not_from_vpc_registry",
                "internal-llm",
                "medium",
            ),
            (
                "sagemaker_endpoint_model_not_from_registry",
                "internal-llm",
                "low",
            ),
            ("governance_asset_without_owner", "internal-llm", "medium"),
            ("governance_asset_without_owner", "internal-llm", "medium"),
            (
                "bedrock_invocation_logging_disabled",
                "model-invocation-logging",
                "medium",
            ),
        ],
    );
    let assets = assert_path_first(&findings, "path_unowned_endpoint_reads_data");
    let path = &findings[0];
    assert!(
        path["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with("endpoint/internal-llm")
    );
    for part in [
        "endpoint-config/internal-llm-config",
        "model/internal-llm",
        "role/internal-llm-exec",
    ] {
        assert!(on_path(&assets, part), "{part} not on {assets:?}");
    }
    let reads = evidence(path, "data_reads");
    assert!(reads["dynamodb:Scan"].is_array(), "{reads}");
    assert!(reads["rds-data:ExecuteStatement"].is_array(), "{reads}");
    assert!(
        reads.get("s3:GetObject").is_none(),
        "the model's own artifacts are not production data: {reads}"
    );
    assert!(evidence(path, "owner").is_null());
}

#[test]
fn scenario_2_training_data_writable_from_outside() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let findings = scan(&emu.url);
    emu.stop();
    expect(
        &findings,
        &[
            (
                "path_poisonable_training_data",
                "training-data-123456789012",
                "critical",
            ),
            (
                "s3_bucket_writable_outside_org",
                "training-data-123456789012",
                // A named partner account, not anyone: high (public write is
                // `s3_bucket_public_write`, critical).
                "high",
            ),
            (
                "s3_ai_bucket_no_public_access_block",
                "training-data-123456789012",
                "medium",
            ),
            (
                "sagemaker_model_network_isolation_disabled",
                "fraud-scoring",
                "high",
            ),
            ("sagemaker_model_without_vpc", "fraud-scoring", "medium"),
            (
                "sagemaker_model_image_not_from_vpc_registry",
                "fraud-scoring",
                "medium",
            ),
            (
                "sagemaker_endpoint_model_not_from_registry",
                "fraud-scoring",
                "low",
            ),
            (
                "bedrock_invocation_logging_disabled",
                "model-invocation-logging",
                "medium",
            ),
        ],
    );
    let assets = assert_path_first(&findings, "path_poisonable_training_data");
    let path = &findings[0];
    assert_eq!(path["risk_score"], 100);
    assert!(
        evidence(path, "read_by")
            .to_string()
            .contains("training-job/fraud-train-2026-11")
    );
    assert!(
        evidence(path, "models")
            .to_string()
            .contains("model/fraud-scoring")
    );
    assert!(
        evidence(path, "endpoints")
            .to_string()
            .contains("endpoint/fraud-scoring")
    );
    assert!(
        evidence(path, "steps")
            .to_string()
            .contains(scenarios::OUTSIDE_ACCOUNT),
        "the outside writer is on the path"
    );
    for part in [
        "training-job/fraud-train-2026-11",
        "model-artifacts-123456789012",
        "model/fraud-scoring",
        "endpoint/fraud-scoring",
    ] {
        assert!(on_path(&assets, part), "{part} not on {assets:?}");
    }
}

#[test]
fn scenario_3_exposed_genai_key() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let findings = scan(&emu.url);
    emu.stop();
    let key = findings
        .iter()
        .find(|f| f["rule_id"] == "identity_access_key_can_invoke_models")
        .expect("the key's own finding");
    let key_id = key["resource_arn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let secret = findings
        .iter()
        .find(|f| f["rule_id"] == "secretsmanager_ai_secret_without_rotation")
        .expect("the secret's finding");
    let secret_name = secret["resource_arn"]
        .as_str()
        .unwrap()
        .rsplit(['/', ':'])
        .next()
        .unwrap()
        .to_owned();
    expect(
        &findings,
        &[
            (
                "path_exposed_key_blast_radius",
                "vendor-chatbot-integration",
                "critical",
            ),
            (
                "identity_invoke_without_guardrail_enforcement",
                "vendor-chatbot-integration",
                "medium",
            ),
            (
                "identity_compromised_key_quarantine_attached",
                "vendor-chatbot-integration",
                "critical",
            ),
            (
                "identity_ai_full_access_policy_attached",
                "vendor-chatbot-integration",
                "high",
            ),
            (
                "secretsmanager_ai_secret_without_rotation",
                &secret_name,
                "high",
            ),
            ("identity_access_key_can_invoke_models", &key_id, "medium"),
            (
                "bedrock_invocation_logging_disabled",
                "model-invocation-logging",
                "medium",
            ),
        ],
    );
    assert!(secret_name.starts_with("openai-api-key"));
    let assets = assert_path_first(&findings, "path_exposed_key_blast_radius");
    let path = &findings[0];
    assert!(
        on_path(&assets, &key_id),
        "the exposed key is on the path: {assets:?}"
    );
    let radius = evidence(path, "blast_radius");
    assert!(
        radius["invoke"]["bedrock:InvokeModel"].is_array(),
        "{radius}"
    );
    assert!(
        evidence(path, "AttachedManagedPolicies")
            .to_string()
            .contains("AWSCompromisedKeyQuarantineV2")
    );
    assert_eq!(path["remediation"]["action"], "deactivate_access_key");
}

#[test]
fn scenario_4_overprivileged_agent() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::overprivileged_agent(&emu.url));
    // The account has no guardrail: AWS answers ListGuardrails with an empty
    // list, which moto cannot (it answers 500, and a list that could not be
    // read is no evidence of "none").
    let mut faults = scenarios::bedrock_agent_responses(ACCOUNT);
    faults.extend([
        Fault::ok_json(&["GET /guardrails HTTP"], r#"{"guardrails":[]}"#),
        Fault::ok_json(&["GET /guardrails?"], r#"{"guardrails":[]}"#),
    ]);
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let findings = scan(&proxy.url);
    emu.stop();
    expect(
        &findings,
        &[
            ("path_agent_excessive_agency", "SUPPORTAG1", "critical"),
            ("bedrock_agent_without_guardrail", "SUPPORTAG1", "high"),
            (
                "bedrock_guardrails_missing",
                "model-invocation-logging",
                "medium",
            ),
            (
                "bedrock_invocation_logging_disabled",
                "model-invocation-logging",
                "medium",
            ),
            (
                "bedrock_runtime_without_vpc_endpoint",
                "model-invocation-logging",
                "medium",
            ),
        ],
    );
    let assets = assert_path_first(&findings, "path_agent_excessive_agency");
    let path = &findings[0];
    for part in ["function:customer-lookup-tool", "role/support-tools-lambda"] {
        assert!(on_path(&assets, part), "{part} not on {assets:?}");
    }
    let tools = evidence(path, "tools").to_string();
    assert!(
        tools.contains("dynamodb:Scan") && tools.contains("table/customers"),
        "{tools}"
    );
    assert!(tools.contains("ses:SendEmail"), "{tools}");
    assert!(evidence(path, "guardrailConfiguration").is_null());
    assert_eq!(
        evidence(path, "functions_without_confirmation"),
        &serde_json::json!([["get_customer", "email_customer"]])
    );
    assert_eq!(path["remediation"]["action"], "require_action_confirmation");
}
