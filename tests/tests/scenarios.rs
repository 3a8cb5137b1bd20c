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
use aispm_tests::proxy::FaultProxy;
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
                "critical",
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
    let proxy = FaultProxy::start(emu.port, scenarios::bedrock_agent_responses(ACCOUNT)).unwrap();
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

/// `aispm ARGS` on a scenario's emulator, with the store in table
/// `remediation`: its JSON output.
fn aispm_json(url: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args(args)
        .args(["--endpoint-url", url, "--table", "remediation"])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run aispm");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Sweeps the scenario account into the store: the rules of its open findings.
fn sweep_open_rules(url: &str) -> Vec<String> {
    let swept = aispm_json(
        url,
        &[
            "sweep",
            "--local",
            "--queue",
            "remediation",
            "--regions",
            REGION,
            "--accounts",
            ACCOUNT,
            "--format",
            "json",
        ],
    );
    let mut rules: Vec<String> = swept["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "open")
        .map(|f| f["rule_id"].as_str().unwrap().to_owned())
        .collect();
    rules.sort();
    rules
}

/// The records of one action that were not skipped.
fn records_of(plan: &Value, action: &str) -> Vec<Value> {
    plan.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action && r["status"] != "skipped")
        .cloned()
        .collect()
}

/// A remediation policy that runs one action in auto mode, all others off.
fn auto_only(action: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("aispm-{action}-{}.json", std::process::id()));
    let policy = serde_json::json!({"default_mode": "off", "actions": {action: {"mode": "auto"}}});
    std::fs::write(&path, policy.to_string()).unwrap();
    path
}

/// Scenario 3's fix, as far as this version applies it: a dry run changes
/// nothing; `auto` deactivates exactly the exposed key (state before and
/// after recorded) and its rescan resolves the key's finding (verified,
/// noted in the finding's history, the audit logs planned, applied,
/// verified); a second run changes and logs nothing; the other findings are
/// left alone; rollback reactivates the key, the finding reopens, and a
/// later run does not redo it.
#[test]
fn scenario_3_the_exposed_key_is_deactivated_once_and_the_rescan_resolves_it() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let iam = rt.block_on(async {
        aws_sdk_iam::Client::new(&aispm_tests::seed::emulator_config(&emu.url, REGION).await)
    });
    let key_status = || {
        rt.block_on(
            iam.list_access_keys()
                .user_name("vendor-chatbot-integration")
                .send(),
        )
        .unwrap()
        .access_key_metadata()
        .iter()
        .map(|k| k.status().unwrap().as_str().to_owned())
        .collect::<Vec<_>>()
    };
    let url = emu.url.as_str();
    assert!(sweep_open_rules(url).contains(&"identity_access_key_can_invoke_models".to_owned()));
    assert_eq!(key_status(), ["Active"]);

    // A dry run (no policy) plans the deactivation and changes nothing.
    let dry = aispm_json(url, &["remediate", "--local", "--format", "json"]);
    let planned = records_of(&dry, "deactivate_access_key");
    assert!(!planned.is_empty());
    assert!(planned.iter().all(|r| r["status"] == "dry_run"));
    assert_eq!(key_status(), ["Active"]);

    // Auto for that one action: the key is deactivated, before and after
    // recorded; every other action stays off.
    let policy = auto_only("deactivate_access_key");
    let policy = policy.to_str().unwrap();
    let applied = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    let done = records_of(&applied, "deactivate_access_key");
    assert_eq!(
        done.len(),
        1,
        "one change for the key's findings: {done:#?}"
    );
    let id = done[0]["action_id"].as_str().unwrap().to_owned();
    assert_eq!(done[0]["status"], "verified", "{:#}", done[0]);
    assert_eq!(done[0]["before"]["Status"], "Active");
    assert_eq!(done[0]["after"]["Status"], "Inactive");
    assert_eq!(key_status(), ["Inactive"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] != "deactivate_access_key")
            .all(|r| r["status"] == "skipped")
    );
    // Verified by the rescan: the finding it fixed is resolved already, and
    // its history notes the remediation.
    let finding = done[0]["finding_id"].as_str().unwrap().to_owned();
    let shown = aispm_json(url, &["findings", "show", &finding, "--format", "json"]);
    assert_eq!(shown["finding"]["status"], "resolved", "{shown:#}");
    let notes: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "remediation")
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&id) && n.contains("verified")),
        "{notes:?}"
    );
    // The audit: planned, applied, verified, each with who and when.
    let audit = aispm_json(url, &["remediation", "show", &id, "--format", "json"]);
    let log: Vec<&str> = audit["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    // The dry run before it is in the audit too.
    assert_eq!(
        log,
        ["dry_run", "planned", "applied", "verified"],
        "{audit:#}"
    );
    assert!(
        audit["log"][2]["by"]
            .as_str()
            .unwrap()
            .starts_with("aispm remediate (")
    );
    assert_eq!(audit["log"][2]["before"]["Status"], "Active");

    // Twice: nothing more is changed or logged.
    let again = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    assert!(
        records_of(&again, "deactivate_access_key")
            .iter()
            .all(|r| r["action_id"] == id.as_str() && r["status"] == "verified"),
        "{again:#}"
    );
    assert_eq!(key_status(), ["Inactive"]);
    let audit = aispm_json(url, &["remediation", "show", &id, "--format", "json"]);
    assert_eq!(audit["log"].as_array().unwrap().len(), 4);

    // The sweep agrees; the rest stays open.
    let still = sweep_open_rules(url);
    assert!(
        !still.contains(&"identity_access_key_can_invoke_models".to_owned()),
        "{still:?}"
    );
    assert!(
        still.contains(&"secretsmanager_ai_secret_without_rotation".to_owned()),
        "{still:?}"
    );

    // Rollback restores the state before, the finding reopens, and a later
    // run does not redo what a person undid.
    let back = aispm_json(url, &["remediation", "rollback", &id, "--format", "json"]);
    assert_eq!(back["status"], "rolled_back", "{back:#}");
    assert_eq!(back["after"]["Status"], "Active");
    assert_eq!(key_status(), ["Active"]);
    let shown = aispm_json(url, &["findings", "show", &finding, "--format", "json"]);
    assert_eq!(shown["finding"]["status"], "open", "{shown:#}");
    let third = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    assert!(
        records_of(&third, "deactivate_access_key").is_empty(),
        "{third:#}"
    );
    assert_eq!(key_status(), ["Active"]);
    let listed = aispm_json(url, &["remediation", "list", "--format", "json"]);
    let statuses: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert!(
        statuses.contains(&("deactivate_access_key", "rolled_back")),
        "{statuses:?}"
    );
    assert!(
        !statuses.contains(&("deactivate_access_key", "verified")),
        "{statuses:?}"
    );
    let _ = std::fs::remove_file(policy);
    emu.stop();
}

/// Scenario 2's bucket gets its public access block: before (none) and
/// after (all four on) recorded, a second run changes nothing, the rescan
/// resolves the missing-block finding, and the outside-write finding (a
/// named account's grant, which the block does not remove) stays open.
#[test]
fn scenario_2_the_training_bucket_gets_its_public_access_block() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let url = emu.url.as_str();
    assert!(sweep_open_rules(url).contains(&"s3_ai_bucket_no_public_access_block".to_owned()));
    let policy = auto_only("s3_block_public_access");
    let policy = policy.to_str().unwrap();
    let applied = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    let done = records_of(&applied, "s3_block_public_access");
    assert_eq!(done.len(), 1, "{applied:#}");
    assert_eq!(done[0]["status"], "verified", "{:#}", done[0]);
    assert!(
        done[0]["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with(":::training-data-123456789012")
    );
    assert_eq!(done[0]["before"], Value::Null);
    assert_eq!(
        done[0]["after"],
        serde_json::json!({"BlockPublicAcls": true, "IgnorePublicAcls": true,
                           "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
    );
    let again = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    // Resolved by the rescan: nothing is planned again.
    assert!(
        records_of(&again, "s3_block_public_access")
            .iter()
            .all(|r| r["status"] == "verified")
    );
    let still = sweep_open_rules(url);
    assert!(
        !still.contains(&"s3_ai_bucket_no_public_access_block".to_owned()),
        "{still:?}"
    );
    assert!(
        still.contains(&"s3_bucket_writable_outside_org".to_owned()),
        "{still:?}"
    );
    let _ = std::fs::remove_file(policy);
    emu.stop();
}

/// The blast-radius cap on the emulator: two exposed keys, a cap of one per
/// run: the riskier key is deactivated, the other is left active, and its
/// record says the cap stopped it.
#[test]
fn the_blast_radius_cap_changes_nothing_beyond_it_and_says_so() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let iam = rt.block_on(async {
        aws_sdk_iam::Client::new(&aispm_tests::seed::emulator_config(&emu.url, REGION).await)
    });
    rt.block_on(async {
        iam.create_user().user_name("second-bot").send().await?;
        iam.attach_user_policy()
            .user_name("second-bot")
            .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
            .send()
            .await?;
        iam.create_access_key()
            .user_name("second-bot")
            .send()
            .await?;
        anyhow::Ok(())
    })
    .unwrap();
    let status = |user: &str| {
        rt.block_on(iam.list_access_keys().user_name(user).send())
            .unwrap()
            .access_key_metadata()[0]
            .status()
            .unwrap()
            .as_str()
            .to_owned()
    };
    let url = emu.url.as_str();
    sweep_open_rules(url);
    let path = std::env::temp_dir().join(format!("aispm-cap-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"default_mode": "off",
            "actions": {"deactivate_access_key": {"mode": "auto", "max_per_run": 1}}}"#,
    )
    .unwrap();
    let plan = aispm_json(
        url,
        &[
            "remediate",
            "--local",
            "--policy",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let applied = records_of(&plan, "deactivate_access_key");
    assert_eq!(applied.len(), 1, "{plan:#}");
    assert_eq!(applied[0]["status"], "verified");
    let capped: Vec<&Value> = plan
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|w| w.contains("blast-radius cap"))
        })
        .collect();
    assert!(!capped.is_empty(), "{plan:#}");
    assert!(
        capped
            .iter()
            .all(|r| r["action"] == "deactivate_access_key")
    );
    let mut statuses = [status("vendor-chatbot-integration"), status("second-bot")];
    statuses.sort();
    assert_eq!(statuses, ["Active", "Inactive"]);
    let _ = std::fs::remove_file(path);
    emu.stop();
}
