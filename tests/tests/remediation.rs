//! Remediation on the emulator, through the `aispm` binary: each action
//! this version applies, on a scenario's estate: a dry run changes nothing
//! in the account; `auto` changes the target, its rescan verifies it, a
//! second run changes nothing; rollback restores the account's state. The
//! blast-radius cap, and scenario 2's and 3's fixes end to end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests fail loudly"
)]

use std::process::Command;

use aispm_tests::emulator::Emulator;
use aispm_tests::scenarios::{self, ACCOUNT, REGION};
use serde_json::Value;

fn seeded(seed: impl std::future::Future<Output = anyhow::Result<()>>) {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(seed)
        .expect("seeding the scenario");
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
    // The posture metrics count it as remediated by aispm.
    let m = aispm_json(url, &["metrics", "--format", "json"]);
    assert_eq!(m["time_to_remediate"]["identity"]["by_aispm"], 1, "{m:#}");

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
    assert_eq!(
        done[0]["before"],
        serde_json::json!({"PublicAccessBlock": null})
    );
    assert_eq!(
        done[0]["after"],
        serde_json::json!({"PublicAccessBlock": {"BlockPublicAcls": true, "IgnorePublicAcls": true,
                           "BlockPublicPolicy": true, "RestrictPublicBuckets": true}})
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

/// What the actions can change in the scenario account, read with the SDK:
/// every user (attached and inline policies, boundary, key statuses), every
/// role (the same), every bucket's policy and public access block, and
/// Bedrock invocation logging.
async fn account_state(url: &str) -> Value {
    use std::collections::BTreeMap;
    let cfg = aispm_tests::seed::emulator_config(url, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let mut users = BTreeMap::new();
    for u in iam.list_users().send().await.unwrap().users() {
        let name = u.user_name();
        let got = iam.get_user().user_name(name).send().await.unwrap();
        let mut attached: Vec<String> = iam
            .list_attached_user_policies()
            .user_name(name)
            .send()
            .await
            .unwrap()
            .attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_owned())
            .collect();
        attached.sort();
        let mut inline = BTreeMap::new();
        for p in iam
            .list_user_policies()
            .user_name(name)
            .send()
            .await
            .unwrap()
            .policy_names()
        {
            let doc = iam
                .get_user_policy()
                .user_name(name)
                .policy_name(p)
                .send()
                .await
                .unwrap();
            inline.insert(p.clone(), doc.policy_document().to_owned());
        }
        let keys: Vec<String> = iam
            .list_access_keys()
            .user_name(name)
            .send()
            .await
            .unwrap()
            .access_key_metadata()
            .iter()
            .map(|k| format!("{:?} {:?}", k.access_key_id(), k.status()))
            .collect();
        users.insert(
            name.to_owned(),
            serde_json::json!({"attached": attached, "inline": inline, "keys": keys,
                "boundary": got.user().and_then(|u| u.permissions_boundary())
                    .and_then(|b| b.permissions_boundary_arn())}),
        );
    }
    let mut roles = BTreeMap::new();
    for r in iam.list_roles().send().await.unwrap().roles() {
        let name = r.role_name();
        let got = iam.get_role().role_name(name).send().await.unwrap();
        let mut attached: Vec<String> = iam
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
            .unwrap()
            .attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_owned())
            .collect();
        attached.sort();
        let mut inline = BTreeMap::new();
        for p in iam
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .unwrap()
            .policy_names()
        {
            let doc = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(p)
                .send()
                .await
                .unwrap();
            inline.insert(p.clone(), doc.policy_document().to_owned());
        }
        roles.insert(
            name.to_owned(),
            serde_json::json!({"attached": attached, "inline": inline,
                "boundary": got.role().and_then(|r| r.permissions_boundary())
                    .and_then(|b| b.permissions_boundary_arn())}),
        );
    }
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(true)
            .build(),
    );
    let mut buckets = BTreeMap::new();
    for b in s3.list_buckets().send().await.unwrap().buckets() {
        let name = b.name().unwrap();
        let policy = s3
            .get_bucket_policy()
            .bucket(name)
            .send()
            .await
            .ok()
            .and_then(|p| p.policy().map(str::to_owned));
        let block = s3
            .get_public_access_block()
            .bucket(name)
            .send()
            .await
            .ok()
            .map(|b| format!("{:?}", b.public_access_block_configuration()));
        buckets.insert(
            name.to_owned(),
            serde_json::json!({"policy": policy, "block": block}),
        );
    }
    let logging = aws_sdk_bedrock::Client::new(&cfg)
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .unwrap();
    let sm = aws_sdk_secretsmanager::Client::new(&cfg);
    let mut secrets = BTreeMap::new();
    for s in sm.list_secrets().send().await.unwrap().secret_list() {
        let d = sm
            .describe_secret()
            .secret_id(s.arn().unwrap())
            .send()
            .await
            .unwrap();
        secrets.insert(
            s.name().unwrap().to_owned(),
            // Never set and turned off are the same state.
            serde_json::json!({"rotation_enabled": d.rotation_enabled().unwrap_or(false)}),
        );
    }
    // Agents where the endpoint serves them (the scenario 4 responder).
    let ba = aws_sdk_bedrockagent::Client::new(&cfg);
    let mut agents = BTreeMap::new();
    if let Ok(list) = ba.list_agents().send().await {
        for a in list.agent_summaries() {
            let got = ba.get_agent().agent_id(a.agent_id()).send().await.unwrap();
            let mut groups = Vec::new();
            let list = ba
                .list_agent_action_groups()
                .agent_id(a.agent_id())
                .agent_version("DRAFT")
                .send()
                .await
                .unwrap();
            for g in list.action_group_summaries() {
                let group = ba
                    .get_agent_action_group()
                    .agent_id(a.agent_id())
                    .agent_version("DRAFT")
                    .action_group_id(g.action_group_id())
                    .send()
                    .await
                    .unwrap();
                groups.push(format!(
                    "{:?}",
                    group.agent_action_group().and_then(|g| g.function_schema())
                ));
            }
            agents.insert(
                a.agent_id().to_owned(),
                serde_json::json!({
                    "guardrail": format!("{:?}", got.agent().and_then(|a| a.guardrail_configuration())),
                    "action_groups": groups}),
            );
        }
    }
    let kms = aws_sdk_kms::Client::new(&cfg);
    let mut keys = BTreeMap::new();
    for k in kms.list_keys().send().await.unwrap().keys() {
        let id = k.key_id().unwrap();
        let rotation = kms
            .get_key_rotation_status()
            .key_id(id)
            .send()
            .await
            .unwrap();
        keys.insert(id.to_owned(), rotation.key_rotation_enabled());
    }
    serde_json::json!({"users": users, "roles": roles, "buckets": buckets, "secrets": secrets,
                       "agents": agents, "keys": keys,
                       "bedrock_logging": format!("{:?}", logging.logging_config())})
}

/// One action's whole life on a scenario's estate: a dry run changes
/// nothing in the account; `auto` changes it and each change is verified
/// by its rescan (resolved, or for a mitigation, read back as made with the
/// finding left open); a second run changes nothing and logs nothing;
/// rolling every change back restores the account's state exactly.
fn action_lifecycle(url: &str, action: &str, settings: Value) -> Vec<Value> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = || rt.block_on(account_state(url));
    let open = sweep_open_rules(url);
    let policy = |mode: &str| {
        let mut entry = settings.clone();
        entry["mode"] = Value::from(mode);
        let path =
            std::env::temp_dir().join(format!("aispm-{action}-{mode}-{}.json", std::process::id()));
        std::fs::write(
            &path,
            serde_json::json!({"default_mode": "off", "actions": {action: entry}}).to_string(),
        )
        .unwrap();
        path
    };
    let remediate = |mode: &str| {
        let path = policy(mode);
        let out = aispm_json(
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
        let _ = std::fs::remove_file(path);
        out
    };
    let original = state();

    let dry = remediate("dry_run");
    let planned = records_of(&dry, action);
    assert!(
        !planned.is_empty(),
        "{action}: nothing planned for {open:?}: {dry:#}"
    );
    assert!(planned.iter().all(|r| r["status"] == "dry_run"), "{dry:#}");
    assert_eq!(
        state(),
        original,
        "{action}: the dry run changed the account"
    );

    let auto = remediate("auto");
    let done = records_of(&auto, action);
    assert!(!done.is_empty(), "{auto:#}");
    for r in &done {
        assert_eq!(r["status"], "verified", "{action}: {r:#}");
    }
    let changed: Vec<Value> = done
        .iter()
        .filter(|r| r["before"] != r["after"])
        .cloned()
        .collect();
    assert!(!changed.is_empty(), "{action}: nothing changed: {done:#?}");
    let fixed = state();
    assert_ne!(fixed, original, "{action}: the account did not change");

    let logs = |id: &str| {
        aispm_json(url, &["remediation", "show", id, "--format", "json"])["log"]
            .as_array()
            .unwrap()
            .len()
    };
    let logged: Vec<usize> = changed
        .iter()
        .map(|r| logs(r["action_id"].as_str().unwrap()))
        .collect();
    let again = remediate("auto");
    assert!(
        records_of(&again, action)
            .iter()
            .all(|r| r["status"] == "verified" || r["status"] == "dry_run"),
        "{again:#}"
    );
    assert_eq!(
        state(),
        fixed,
        "{action}: the second run changed the account"
    );
    let relogged: Vec<usize> = changed
        .iter()
        .map(|r| logs(r["action_id"].as_str().unwrap()))
        .collect();
    assert_eq!(relogged, logged, "{action}: the second run logged again");

    for r in &changed {
        let id = r["action_id"].as_str().unwrap();
        let back = aispm_json(url, &["remediation", "rollback", id, "--format", "json"]);
        assert_eq!(back["status"], "rolled_back", "{action}: {back:#}");
        // A stopped training job stays stopped: a hold restores its holds.
        let restored = |s: &Value| match action {
            "hold_training" => s["Holds"].clone(),
            _ => s.clone(),
        };
        assert_eq!(
            restored(&back["after"]),
            restored(&r["before"]),
            "{action}: {back:#}"
        );
    }
    assert_eq!(
        state(),
        original,
        "{action}: rollback did not restore the account"
    );
    changed
}

/// Scenario 1's execution role with broad data access: an explicit deny of
/// egress and data actions, and a permissions boundary (mitigations: the
/// role's finding stays open); the region's Bedrock invocation logging.
#[test]
fn role_mitigations_and_bedrock_logging_apply_verify_and_roll_back() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::unregistered_llm(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let boundary = rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let iam = aws_sdk_iam::Client::new(&cfg);
        let p = iam
            .create_policy()
            .policy_name("ml-workload-boundary")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:*","s3:GetObject"],"Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&cfg)
                .force_path_style(true)
                .build(),
        )
        .create_bucket()
            .bucket("invocation-logs-123456789012")
            .send()
            .await
            .unwrap();
        p.policy().unwrap().arn().unwrap().to_owned()
    });
    action_lifecycle(&emu.url, "deny_data_exfiltration", serde_json::json!({}));
    action_lifecycle(
        &emu.url,
        "attach_permissions_boundary",
        serde_json::json!({"boundary_arn": boundary}),
    );
    action_lifecycle(
        &emu.url,
        "enable_bedrock_invocation_logging",
        serde_json::json!({"log_bucket": "invocation-logs-123456789012"}),
    );
    emu.stop();
}

/// Scenario 3's user: AWS attached an older quarantine policy; aispm
/// attaches the current one (a mitigation: the key's findings stay open
/// until it is deactivated), and rollback detaches only what it attached;
/// then the key's deactivation, whose rollback reactivates it.
#[test]
fn key_quarantine_and_deactivation_apply_verify_and_roll_back() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    action_lifecycle(&emu.url, "quarantine_access_key", serde_json::json!({}));
    action_lifecycle(&emu.url, "deactivate_access_key", serde_json::json!({}));
    emu.stop();
}

/// Scenario 3's AI-provider secret without rotation: rotation turned on
/// with the policy's rotation function (moto invokes functions without
/// Docker once configured so), verified by the rescan, turned off again
/// by the rollback.
#[test]
fn secret_rotation_is_turned_on_verified_and_rolled_back() {
    let emu = Emulator::start().unwrap();
    emu.configure(r#"{"lambda": {"use_docker": false}}"#)
        .unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rotator = rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let role = aws_sdk_iam::Client::new(&cfg)
            .create_role()
            .role_name("secret-rotator")
            .assume_role_policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            )
            .send()
            .await
            .unwrap();
        aws_sdk_lambda::Client::new(&cfg)
            .create_function()
            .function_name("openai-key-rotator")
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(role.role().unwrap().arn())
            .handler("app.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_smithy_types::Blob::new(EMPTY_ZIP.to_vec()))
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .function_arn()
            .unwrap()
            .to_owned()
    });
    let changed = action_lifecycle(
        &emu.url,
        "rotate_secret",
        serde_json::json!({"rotation_lambda_arn": rotator, "rotation_days": 7}),
    );
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(changed[0]["before"]["RotationEnabled"], false);
    assert_eq!(changed[0]["after"]["RotationEnabled"], true);
    emu.stop();
}

/// An empty zip archive (moto keeps the code it is given).
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// Scenario 2's training bucket: its public access block, put and removed.
#[test]
fn bucket_public_access_block_applies_verifies_and_rolls_back() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    action_lifecycle(&emu.url, "s3_block_public_access", serde_json::json!({}));
    emu.stop();
}

/// Scenario 2's foreign-write statement: removed from the bucket policy and
/// nothing else (the rest of the text kept byte for byte), verified by the
/// rescan, put back by the rollback.
#[test]
fn the_foreign_write_statement_is_removed_verified_and_put_back() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let url = emu.url.as_str();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bucket = format!("training-data-{ACCOUNT}");
    let s3 = rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(url, REGION).await;
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&cfg)
                .force_path_style(true)
                .build(),
        )
    });
    // The bank's own statements around the partner's, laid out by hand.
    let written = format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
      "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
      "Condition": {{"Bool": {{"aws:SecureTransport": "false"}}}}}},
    {{"Sid":"PartnerLabelDelivery","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::999988887777:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{bucket}/labels/*"}},
    {{"Sid": "TeamRead", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}},
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{bucket}/*"}}
  ]
}}"#
    );
    rt.block_on(
        s3.put_bucket_policy()
            .bucket(&bucket)
            .policy(&written)
            .send(),
    )
    .unwrap();
    let policy_text = || {
        rt.block_on(s3.get_bucket_policy().bucket(&bucket).send())
            .ok()
            .and_then(|p| p.policy().map(str::to_owned))
    };
    let original = policy_text().expect("the seeded bucket has a policy");
    let changed = action_lifecycle(url, "s3_remove_foreign_write", serde_json::json!({}));
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let before = changed[0]["before"]["Policy"].as_str().unwrap();
    let after = changed[0]["after"]["Policy"].as_str().unwrap();
    assert_eq!(before, original);
    assert_eq!(before, written, "the emulator keeps the text as written");
    // The text after is the text before with one piece cut out: the
    // statement that named the outside account.
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(prefix + suffix >= after.len(), "{before}\n---\n{after}");
    let cut = &before[prefix..before.len() - (after.len() - prefix.min(after.len()))];
    assert!(cut.contains("999988887777"), "cut: {cut}");
    assert!(!after.contains("999988887777"), "{after}");
    assert_eq!(policy_text().as_deref(), Some(original.as_str()));
    emu.stop();
}

/// Approval mode on scenario 2: both fixes wait for a person and change
/// nothing; asking twice asks once; the denied one stays denied on later
/// runs; the approved one is applied at once and verified by its rescan.
#[test]
fn approval_requests_wait_and_are_approved_or_denied() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let url = emu.url.as_str();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = || rt.block_on(account_state(url));
    sweep_open_rules(url);
    let path = std::env::temp_dir().join(format!("aispm-approval-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"default_mode": "off", "approval_ttl_hours": 24, "actions": {
             "s3_remove_foreign_write": {"mode": "approval"},
             "s3_block_public_access": {"mode": "approval"}}}"#,
    )
    .unwrap();
    let remediate = || {
        aispm_json(
            url,
            &[
                "remediate",
                "--local",
                "--policy",
                path.to_str().unwrap(),
                "--format",
                "json",
            ],
        )
    };
    let original = state();
    let first = remediate();
    let foreign = records_of(&first, "s3_remove_foreign_write");
    let block = records_of(&first, "s3_block_public_access");
    assert_eq!((foreign.len(), block.len()), (1, 1), "{first:#}");
    assert_eq!(foreign[0]["status"], "awaiting_approval");
    assert_eq!(block[0]["status"], "awaiting_approval");
    assert_eq!(state(), original, "a request changed the account");
    let foreign_id = foreign[0]["action_id"].as_str().unwrap().to_owned();
    let block_id = block[0]["action_id"].as_str().unwrap().to_owned();
    let show = |id: &str| aispm_json(url, &["remediation", "show", id, "--format", "json"]);
    assert!(show(&foreign_id)["expires_at"].is_string());

    // Asked twice: one request, logged once.
    remediate();
    assert_eq!(show(&foreign_id)["log"].as_array().unwrap().len(), 1);

    // Denied: it stays denied.
    let denied = aispm_json(
        url,
        &[
            "remediation",
            "deny",
            &block_id,
            "--reason",
            "partner delivery exception until Friday",
            "--by",
            "alice",
            "--format",
            "json",
        ],
    );
    assert_eq!(denied["status"], "skipped");
    let third = remediate();
    let again = records_of(&third, "s3_block_public_access");
    assert!(again.is_empty(), "denied is not asked again: {third:#}");
    assert_eq!(state(), original);

    // Approved: applied at once and verified.
    let approved = aispm_json(
        url,
        &[
            "remediation",
            "approve",
            &foreign_id,
            "--by",
            "bob",
            "--note",
            "CHG-1234",
            "--format",
            "json",
        ],
    );
    assert_eq!(approved["status"], "verified", "{approved:#}");
    assert_ne!(state(), original);
    let log: Vec<(String, String)> = show(&foreign_id)["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap().to_owned(),
                e["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        log.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["awaiting_approval", "planned", "applied", "verified"]
    );
    assert!(log[1..].iter().all(|(_, by)| by == "bob"), "{log:?}");
    // Approving twice is refused, naming why.
    let twice = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args(["remediation", "approve", &foreign_id])
        .args(["--endpoint-url", url, "--table", "remediation"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("not awaiting approval"),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );
    let _ = std::fs::remove_file(path);
    emu.stop();
}

/// The compiled remediate function, run as Lambda runs it, on a findings
/// stream batch shaped like `events/dynamodb/`: the opened key finding is
/// remediated under the function's policy (deactivated, verified), a
/// finding no longer stored and the records that trigger nothing are
/// passed over, and the same batch again changes and logs nothing.
#[test]
fn the_compiled_remediate_function_acts_on_the_findings_stream() {
    use aispm_tests::runtime_api::Outcome;
    use std::time::Duration;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let url = emu.url.as_str();
    sweep_open_rules(url);
    let listed = aispm_json(url, &["findings", "list", "--format", "json"]);
    let key_finding = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "identity_access_key_can_invoke_models")
        .expect("the key's finding")["finding_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut batch: Value = serde_json::from_str(include_str!(
        "../../events/dynamodb/findings-stream-batch.json"
    ))
    .unwrap();
    let image = &mut batch["Records"][0]["dynamodb"]["NewImage"];
    image["finding_id"] = serde_json::json!({"S": key_finding});
    image["sk"] = serde_json::json!({"S": format!("F#{key_finding}")});
    let batch = batch.to_string();
    let policy =
        r#"{"default_mode": "off", "actions": {"deactivate_access_key": {"mode": "auto"}}}"#;
    let f = start_remediate(url, policy, &[]);
    let invoke = |event: &str| {
        let id = f.api.invoke(event);
        match f.api.outcome(&id, Duration::from_secs(120)).unwrap() {
            Outcome::Response(body) => serde_json::from_str::<Value>(&body).unwrap(),
            Outcome::Error(e) => panic!("remediate failed: {e}"),
        }
    };
    let first = invoke(&batch);
    // The opened key finding is known; the reopened sample id is not stored.
    assert_eq!(first["findings"], 1, "{first:#}");
    let done: Vec<&Value> = first["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "deactivate_access_key")
        .collect();
    assert_eq!(done.len(), 1, "{first:#}");
    assert_eq!(done[0]["status"], "verified", "{first:#}");
    assert_eq!(done[0]["after"]["Status"], "Inactive");
    let id = done[0]["action_id"].as_str().unwrap().to_owned();
    let logged = || {
        aispm_json(url, &["remediation", "show", &id, "--format", "json"])["log"]
            .as_array()
            .unwrap()
            .len()
    };
    let entries = logged();
    let by = aispm_json(url, &["remediation", "show", &id, "--format", "json"])["log"][0]["by"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(by.starts_with("aispm-remediate ("), "{by}");
    // Delivered again (a stream retry): nothing more.
    let again = invoke(&batch);
    assert_eq!(logged(), entries, "{again:#}");
    let logs = f.stop();
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
    emu.stop();
}

/// A run that fails midway: two exposed keys, and the remediator's second
/// write (the other user's key) is refused by IAM through the loopback fault
/// proxy. The first key is deactivated and verified; the second record says
/// the write failed and nothing was changed (its state after is its state
/// before, read back), the key stays active and its finding open.
#[test]
fn a_write_that_fails_midway_changes_nothing_and_leaves_the_finding_open() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let iam = rt.block_on(async {
        aws_sdk_iam::Client::new(&aispm_tests::seed::emulator_config(&emu.url, REGION).await)
    });
    let second = rt
        .block_on(async {
            iam.create_user().user_name("second-bot").send().await?;
            iam.attach_user_policy()
                .user_name("second-bot")
                .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
                .send()
                .await?;
            let k = iam
                .create_access_key()
                .user_name("second-bot")
                .send()
                .await?;
            anyhow::Ok(k.access_key().unwrap().access_key_id().to_owned())
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
    sweep_open_rules(&emu.url);
    let proxy = FaultProxy::start(
        emu.port,
        vec![Fault {
            needles: vec![
                "Action=UpdateAccessKey".to_owned(),
                format!("AccessKeyId={second}"),
            ],
            status: 403,
            content_type: "text/xml".to_owned(),
            body: format!(
                "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::{ACCOUNT}:assumed-role/aispm-remediator/aispm is not authorized to perform: iam:UpdateAccessKey on resource: user second-bot</Message></Error><RequestId>4b1c2f6e-0000-4000-8000-000000000001</RequestId></ErrorResponse>"
            ),
            then: Vec::new(),
        }],
    )
    .unwrap();
    let policy = auto_only("deactivate_access_key");
    let run = aispm_json(
        &proxy.url,
        &[
            "remediate",
            "--local",
            "--policy",
            policy.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let records = records_of(&run, "deactivate_access_key");
    let of = |user: &str| {
        records
            .iter()
            .find(|r| {
                r["resource_arn"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("user/{user}"))
            })
            .unwrap_or_else(|| panic!("no record for {user}: {run:#}"))
            .clone()
    };
    let first = of("vendor-chatbot-integration");
    let failed = of("second-bot");
    assert_eq!(first["status"], "verified", "{first:#}");
    assert_eq!(failed["status"], "failed", "{failed:#}");
    let why = failed["reason"].as_str().unwrap();
    assert!(
        why.contains("the write failed")
            && why.contains("AccessDenied")
            && why.contains("nothing was changed"),
        "{why}"
    );
    assert_eq!(failed["before"], failed["after"]);
    assert_eq!(failed["before"]["Status"], "Active");
    assert_eq!(status("vendor-chatbot-integration"), "Inactive");
    assert_eq!(status("second-bot"), "Active");
    let finding = failed["finding_id"].as_str().unwrap();
    let shown = aispm_json(&emu.url, &["findings", "show", finding, "--format", "json"]);
    assert_eq!(shown["finding"]["status"], "open");
    // The audit says the same.
    let id = failed["action_id"].as_str().unwrap();
    let audit = aispm_json(&emu.url, &["remediation", "show", id, "--format", "json"]);
    assert_eq!(audit["status"], "failed");
    let _ = std::fs::remove_file(policy);
    emu.stop();
}

/// The support agent's answers of scenario 4 (a loopback responder: moto
/// has no Bedrock Agents API), made stateful for the guardrail: UpdateAgent
/// with a guardrail makes later reads see it (and the agent not prepared
/// until PrepareAgent), UpdateAgent without one removes it.
fn agent_with_guardrail_updates() -> Vec<aispm_tests::proxy::Fault> {
    use aispm_tests::proxy::Fault;
    let ts = "2026-11-20T10:00:00Z";
    let agent = |status: &str, guardrail: &str| Fault {
        needles: vec!["GET /agents/SUPPORTAG1".to_owned()],
        status: 200,
        content_type: "application/json".to_owned(),
        body: format!(
            r#"{{"agent":{{"agentId":"SUPPORTAG1","agentName":"customer-support-agent","agentArn":"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/SUPPORTAG1","agentVersion":"DRAFT","agentStatus":"{status}","foundationModel":"anthropic.claude-3-5-sonnet-20240620-v1:0","idleSessionTTLInSeconds":3600,"agentResourceRoleArn":"arn:aws:iam::{ACCOUNT}:role/support-agent-exec","createdAt":"{ts}","updatedAt":"{ts}"{guardrail}}}}}"#
        ),
        then: Vec::new(),
    };
    let with = r#","guardrailConfiguration":{"guardrailIdentifier":"gr-support01","guardrailVersion":"1"}"#;
    let answer = |needles: &[&str], body: &str, then: Vec<Fault>| Fault {
        needles: needles.iter().map(|s| (*s).to_owned()).collect(),
        status: 200,
        content_type: "application/json".to_owned(),
        body: body.to_owned(),
        then,
    };
    let update = format!(
        r#"{{"agent":{{"agentId":"SUPPORTAG1","agentName":"customer-support-agent","agentArn":"arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/SUPPORTAG1","agentVersion":"DRAFT","agentStatus":"NOT_PREPARED","agentResourceRoleArn":"arn:aws:iam::{ACCOUNT}:role/support-agent-exec","idleSessionTTLInSeconds":3600,"createdAt":"{ts}","updatedAt":"{ts}"}}}}"#
    );
    let mut faults = vec![
        answer(
            &["PUT /agents/SUPPORTAG1", "guardrailIdentifier"],
            &update,
            vec![agent("NOT_PREPARED", with)],
        ),
        answer(
            &["PUT /agents/SUPPORTAG1"],
            &update,
            vec![agent("NOT_PREPARED", "")],
        ),
    ];
    let mut base = scenarios::bedrock_agent_responses(ACCOUNT);
    // PrepareAgent (POST /agents/{id}/) before ListAgents (POST /agents/),
    // after the action-group and knowledge-base lists.
    let list = base
        .iter()
        .position(|f| f.needles == ["POST /agents"])
        .unwrap();
    base.insert(
        list,
        answer(
            &["POST /agents/SUPPORTAG1"],
            r#"{"agentId":"SUPPORTAG1","agentStatus":"PREPARING","agentVersion":"DRAFT","preparedAt":"2026-11-20T10:05:00Z"}"#,
            Vec::new(),
        ),
    );
    faults.extend(base);
    faults
}

/// Scenario 4's agent gets the policy's guardrail (UpdateAgent with every
/// other setting as read, then PrepareAgent), verified by the rescan, and
/// rollback removes it again.
#[test]
fn the_agent_gets_its_guardrail_verified_and_rolled_back() {
    use aispm_tests::proxy::FaultProxy;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::overprivileged_agent(&emu.url));
    let proxy = FaultProxy::start(emu.port, agent_with_guardrail_updates()).unwrap();
    let changed = action_lifecycle(
        &proxy.url,
        "attach_bedrock_guardrail",
        serde_json::json!({"guardrail_id": "gr-support01", "guardrail_version": "1"}),
    );
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(
        changed[0]["before"],
        serde_json::json!({"guardrailConfiguration": null})
    );
    assert_eq!(
        changed[0]["after"]["guardrailConfiguration"]["guardrailIdentifier"],
        "gr-support01"
    );
    emu.stop();
}

/// Scenario 4's action group made stateful: UpdateAgentActionGroup with
/// every function confirmed makes later reads see it; one that writes a
/// function back as DISABLED restores the group as seeded.
fn action_group_updates() -> Vec<aispm_tests::proxy::Fault> {
    use aispm_tests::proxy::Fault;
    let ts = "2026-11-20T10:00:00Z";
    let path = "/agents/SUPPORTAG1/agentversions/DRAFT/actiongroups/LOOKUP0001";
    let group = |functions: &str| Fault {
        needles: vec![format!("GET {path}")],
        status: 200,
        content_type: "application/json".to_owned(),
        body: format!(
            r#"{{"agentActionGroup":{{"agentId":"SUPPORTAG1","agentVersion":"DRAFT","actionGroupId":"LOOKUP0001","actionGroupName":"customer-lookup","createdAt":"{ts}","updatedAt":"{ts}","actionGroupExecutor":{{"lambda":"arn:aws:lambda:us-east-1:{ACCOUNT}:function:customer-lookup-tool"}},"functionSchema":{{"functions":{functions}}},"actionGroupState":"ENABLED"}}}}"#
        ),
        then: Vec::new(),
    };
    let seeded =
        r#"[{"name":"get_customer","requireConfirmation":"DISABLED"},{"name":"email_customer"}]"#;
    let confirmed = r#"[{"name":"get_customer","requireConfirmation":"ENABLED"},{"name":"email_customer","requireConfirmation":"ENABLED"}]"#;
    let update = |needles: Vec<String>, then: Fault| Fault {
        needles,
        status: 200,
        content_type: "application/json".to_owned(),
        body: then.body.clone(),
        then: vec![then],
    };
    let mut faults = vec![
        update(
            vec![format!("PUT {path}"), r#""DISABLED""#.to_owned()],
            group(seeded),
        ),
        update(vec![format!("PUT {path}")], group(confirmed)),
    ];
    let mut base = scenarios::bedrock_agent_responses(ACCOUNT);
    let list = base
        .iter()
        .position(|f| f.needles == ["POST /agents"])
        .unwrap();
    base.insert(
        list,
        Fault {
            needles: vec!["POST /agents/SUPPORTAG1".to_owned()],
            status: 200,
            content_type: "application/json".to_owned(),
            body: r#"{"agentId":"SUPPORTAG1","agentStatus":"PREPARING","agentVersion":"DRAFT","preparedAt":"2026-11-20T10:05:00Z"}"#.to_owned(),
            then: Vec::new(),
        },
    );
    faults.extend(base);
    faults
}

/// Scenario 4's agent: every function of its action group asks the user
/// first (a mitigation: the excessive-agency path stays open while the
/// tool's role still reaches the customers table and email), verified by
/// its state, and rolled back to the seeded settings.
#[test]
fn the_agents_actions_require_confirmation_verified_and_rolled_back() {
    use aispm_tests::proxy::FaultProxy;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::overprivileged_agent(&emu.url));
    let proxy = FaultProxy::start(emu.port, action_group_updates()).unwrap();
    let changed = action_lifecycle(
        &proxy.url,
        "require_action_confirmation",
        serde_json::json!({}),
    );
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(
        changed[0]["before"],
        serde_json::json!({"actionGroups": {"LOOKUP0001": {
            "get_customer": "DISABLED", "email_customer": "DISABLED"}}})
    );
    assert_eq!(
        changed[0]["after"],
        serde_json::json!({"actionGroups": {"LOOKUP0001": {
            "get_customer": "ENABLED", "email_customer": "ENABLED"}}})
    );
    emu.stop();
}

/// The service namespaces the Allow statements of an identity's policies
/// name (inline and attached, default versions), from the emulator.
async fn policy_namespaces(url: &str, user: Option<&str>, role: Option<&str>) -> Vec<String> {
    use aispm_shared::collect::util::policy_json;
    let cfg = aispm_tests::seed::emulator_config(url, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let mut docs = Vec::new();
    let mut arns = Vec::new();
    if let Some(u) = user {
        for p in iam
            .list_user_policies()
            .user_name(u)
            .send()
            .await
            .unwrap()
            .policy_names()
        {
            let d = iam
                .get_user_policy()
                .user_name(u)
                .policy_name(p)
                .send()
                .await
                .unwrap();
            docs.push(policy_json(d.policy_document()));
        }
        for p in iam
            .list_attached_user_policies()
            .user_name(u)
            .send()
            .await
            .unwrap()
            .attached_policies()
        {
            arns.push(p.policy_arn().unwrap().to_owned());
        }
    }
    if let Some(r) = role {
        for p in iam
            .list_role_policies()
            .role_name(r)
            .send()
            .await
            .unwrap()
            .policy_names()
        {
            let d = iam
                .get_role_policy()
                .role_name(r)
                .policy_name(p)
                .send()
                .await
                .unwrap();
            docs.push(policy_json(d.policy_document()));
        }
        for p in iam
            .list_attached_role_policies()
            .role_name(r)
            .send()
            .await
            .unwrap()
            .attached_policies()
        {
            arns.push(p.policy_arn().unwrap().to_owned());
        }
    }
    for arn in arns {
        let p = iam.get_policy().policy_arn(&arn).send().await.unwrap();
        let v = p.policy().unwrap().default_version_id().unwrap().to_owned();
        let d = iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await
            .unwrap();
        docs.push(policy_json(d.policy_version().unwrap().document().unwrap()));
    }
    let mut out = std::collections::BTreeSet::new();
    for d in docs {
        let list = match &d["Statement"] {
            Value::Array(l) => l.clone(),
            s => vec![s.clone()],
        };
        for s in list.iter().filter(|s| s["Effect"] == "Allow") {
            let actions = match &s["Action"] {
                Value::String(a) => vec![a.clone()],
                Value::Array(l) => l
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            out.extend(
                actions
                    .iter()
                    .filter_map(|a| a.split_once(':').map(|(ns, _)| ns.to_lowercase())),
            );
        }
    }
    out.into_iter().collect()
}

/// A last-accessed report in which the identity used exactly `used`
/// (`service:Action`) of the services its policies name, every action of
/// each service tracked (from the IAM action catalog).
fn report(namespaces: &[String], used: &[&str]) -> Vec<aispm_tests::scenarios::ServiceReport> {
    let catalog = aispm_shared::iam::Catalog::global().unwrap();
    namespaces
        .iter()
        .map(|ns| {
            let used_here: Vec<String> = used
                .iter()
                .filter_map(|u| u.split_once(':'))
                .filter(|(s, _)| s == ns)
                .map(|(_, a)| a.to_lowercase())
                .collect();
            aispm_tests::scenarios::ServiceReport {
                namespace: ns.clone(),
                used: !used_here.is_empty(),
                tracked: catalog
                    .service(ns)
                    .map(|s| {
                        s.actions
                            .iter()
                            .map(|a| (a.name.clone(), used_here.contains(&a.lower)))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Scenario 3: the exposed user's AmazonBedrockFullAccess is narrowed to
/// what IAM's last-accessed report says it used (InvokeModel): detached,
/// and replaced by an inline copy keeping only that action (its resources
/// and conditions as AWS wrote them); the quarantine policy (all Deny) is
/// left alone. The full-access finding resolves on the rescan; the key's
/// attack path stays open (the key can still invoke models), its narrowing
/// verified as a mitigation. A second run changes nothing and rollback
/// reattaches the policy and deletes the copy. Scenario 4: the tool role's
/// inline policy loses the email and notification actions it never used.
#[test]
fn scenario_3_and_4_identities_are_narrowed_to_what_they_used() {
    use aispm_tests::proxy::FaultProxy;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let user = "vendor-chatbot-integration";
    let namespaces = rt.block_on(policy_namespaces(&emu.url, Some(user), None));
    assert!(namespaces.contains(&"bedrock".to_owned()), "{namespaces:?}");
    let faults = scenarios::last_accessed_responses(
        &format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
        &report(&namespaces, &["bedrock:InvokeModel"]),
    );
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let changed = action_lifecycle(
        &proxy.url,
        "narrow_role_policy",
        serde_json::json!({"min_age_days": 0}),
    );
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let after = &changed[0]["after"];
    let full = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess";
    assert!(changed[0]["before"]["Managed"].get(full).is_some());
    assert!(after["Managed"].get(full).is_none(), "{after:#}");
    assert!(
        after["Managed"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.contains("AWSCompromisedKeyQuarantine")),
        "{after:#}"
    );
    let copy = &after["Inline"]["aispm-narrowed-AmazonBedrockFullAccess"]["Document"];
    let statements = copy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{copy:#}");
    assert_eq!(
        statements[0]["Action"],
        serde_json::json!(["bedrock:InvokeModel"])
    );
    assert_eq!(statements[0]["Resource"], "*");
    emu.stop();

    // Scenario 4: the tool role used DynamoDB's reads only.
    let emu = Emulator::start().unwrap();
    seeded(scenarios::overprivileged_agent(&emu.url));
    let role = "support-tools-lambda";
    let namespaces = rt.block_on(policy_namespaces(&emu.url, None, Some(role)));
    let mut faults = scenarios::last_accessed_responses(
        &format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
        &report(&namespaces, &["dynamodb:GetItem", "dynamodb:Query"]),
    );
    faults.extend(agent_with_guardrail_updates());
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let changed = action_lifecycle(
        &proxy.url,
        "narrow_role_policy",
        serde_json::json!({"min_age_days": 0}),
    );
    let tool: Vec<&Value> = changed
        .iter()
        .filter(|r| r["resource_arn"].as_str().unwrap().ends_with(role))
        .collect();
    assert_eq!(tool.len(), 1, "{changed:#?}");
    let doc = &tool[0]["after"]["Inline"][format!("{role}-access")]["Document"];
    assert_eq!(
        doc["Statement"],
        serde_json::json!([{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/customers")}]),
        "{doc:#}"
    );
    emu.stop();
}

/// A narrowing whose second write fails: the inline copy is written, then
/// IAM refuses to detach AmazonBedrockFullAccess (the loopback fault
/// proxy). The record is `failed` and says part of the change was made;
/// its `after` shows exactly that (the copy present, the policy still
/// attached); the finding stays open; rollback deletes the copy and the
/// account is as before.
#[test]
fn a_narrowing_that_fails_midway_records_exactly_what_changed() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let user = "vendor-chatbot-integration";
    let namespaces = rt.block_on(policy_namespaces(&emu.url, Some(user), None));
    let mut faults = scenarios::last_accessed_responses(
        &format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
        &report(&namespaces, &["bedrock:InvokeModel"]),
    );
    faults.push(Fault {
        needles: vec!["Action=DetachUserPolicy".to_owned()],
        status: 403,
        content_type: "text/xml".to_owned(),
        body: format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::{ACCOUNT}:assumed-role/aispm-remediator/aispm is not authorized to perform: iam:DetachUserPolicy on resource: user {user}</Message></Error><RequestId>4b1c2f6e-0000-4000-8000-000000000002</RequestId></ErrorResponse>"
        ),
        then: Vec::new(),
    });
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    sweep_open_rules(&proxy.url);
    let original = rt.block_on(account_state(&emu.url));
    let path =
        std::env::temp_dir().join(format!("aispm-narrow-midway-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"default_mode": "off", "actions": {"narrow_role_policy": {"mode": "auto", "min_age_days": 0}}}"#,
    )
    .unwrap();
    let run = aispm_json(
        &proxy.url,
        &[
            "remediate",
            "--local",
            "--policy",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let _ = std::fs::remove_file(&path);
    let failed: Vec<Value> = records_of(&run, "narrow_role_policy")
        .into_iter()
        .filter(|r| r["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{run:#}");
    let r = &failed[0];
    let why = r["reason"].as_str().unwrap();
    assert!(
        why.contains("DetachUserPolicy") && why.contains("part of the change was made"),
        "{why}"
    );
    let full = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess";
    assert!(r["after"]["Managed"].get(full).is_some(), "{r:#}");
    assert!(
        r["after"]["Inline"]
            .get("aispm-narrowed-AmazonBedrockFullAccess")
            .is_some(),
        "{r:#}"
    );
    assert!(
        r["before"]["Inline"].as_object().unwrap().is_empty(),
        "{r:#}"
    );
    let shown = aispm_json(
        &emu.url,
        &[
            "findings",
            "show",
            r["finding_id"].as_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(shown["finding"]["status"], "open");
    let id = r["action_id"].as_str().unwrap();
    let back = aispm_json(
        &proxy.url,
        &["remediation", "rollback", id, "--format", "json"],
    );
    assert_eq!(back["status"], "rolled_back", "{back:#}");
    assert_eq!(rt.block_on(account_state(&emu.url)), original);
    emu.stop();
}

/// A JSON-protocol call straight to the emulator (no SDK): its answer's
/// body, to build a responder's answer from the emulator's own.
fn emulator_json(port: u16, service: &str, target: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20261203/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    body.to_owned()
}

/// Scenario 2: the training fed by the poisonable bucket is held. The
/// training job is running (the emulator's own description of it, answered
/// as InProgress until StopTrainingJob stops it): the hold denies its role
/// reading the bucket, then stops the job; verified as a mitigation (the
/// bucket's finding stays open until its foreign write is removed); a
/// second run changes nothing; rollback releases the hold (the role's
/// policies as before) and the job stays stopped.
#[test]
fn scenario_2_the_training_is_held_until_released() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let job = "fraud-train-2026-11";
    let described = emulator_json(
        emu.port,
        "sagemaker",
        "SageMaker.DescribeTrainingJob",
        &format!(r#"{{"TrainingJobName": "{job}"}}"#),
    );
    let with_status = |status: &str| {
        let mut v: Value = serde_json::from_str(&described).unwrap();
        v["TrainingJobStatus"] = Value::from(status);
        v["SecondaryStatus"] = Value::from(if status == "InProgress" {
            "Training"
        } else {
            status
        });
        Fault::ok_json(&["SageMaker.DescribeTrainingJob", job], v.to_string())
    };
    let mut stop = Fault::ok_json(&["SageMaker.StopTrainingJob", job], "{}");
    stop.then = vec![with_status("Stopped")];
    let proxy = FaultProxy::start(emu.port, vec![with_status("InProgress"), stop]).unwrap();
    let changed = action_lifecycle(&proxy.url, "hold_training", serde_json::json!({}));
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let r = &changed[0];
    assert_eq!(r["rule_id"], "path_poisonable_training_data");
    assert_eq!(r["before"]["Running"], serde_json::json!([job]), "{r:#}");
    assert_eq!(
        r["before"]["Holds"],
        serde_json::json!({"fraud-train-exec": null})
    );
    assert_eq!(r["after"]["Running"], serde_json::json!([]), "{r:#}");
    let hold = &r["after"]["Holds"]["fraud-train-exec"];
    assert_eq!(hold["Statement"][0]["Effect"], "Deny", "{hold:#}");
    assert_eq!(
        hold["Statement"][0]["Resource"],
        serde_json::json!([
            format!("arn:aws:s3:::training-data-{ACCOUNT}"),
            format!("arn:aws:s3:::training-data-{ACCOUNT}/*")
        ])
    );
    // The job stays stopped after the release.
    let after = emulator_json(
        proxy.url.rsplit(':').next().unwrap().parse().unwrap(),
        "sagemaker",
        "SageMaker.DescribeTrainingJob",
        &format!(r#"{{"TrainingJobName": "{job}"}}"#),
    );
    assert!(
        after.contains(r#""TrainingJobStatus":"Stopped""#),
        "{after}"
    );
    emu.stop();
}

/// Signed approval callbacks through the compiled remediate function (its
/// function URL's event from `events/`): an action awaiting approval is
/// left alone by a request signed with another secret (401) and by one
/// whose signature is too old (401); a correctly signed approval applies
/// and verifies it (200, the key deactivated, the approver in the audit);
/// the same request again is refused (409: nothing awaits approval); an
/// unknown id is 404.
#[test]
fn the_compiled_remediate_function_takes_signed_approval_callbacks() {
    use aispm_shared::remediate::callback::sign;
    use aispm_tests::runtime_api::Outcome;
    use std::time::Duration;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let url = emu.url.as_str();
    sweep_open_rules(url);
    let policy =
        r#"{"default_mode": "off", "actions": {"deactivate_access_key": {"mode": "approval"}}}"#;
    let path = std::env::temp_dir().join(format!("aispm-approval-cb-{}.json", std::process::id()));
    std::fs::write(&path, policy).unwrap();
    let planned = aispm_json(
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
    let _ = std::fs::remove_file(&path);
    let waiting = records_of(&planned, "deactivate_access_key");
    assert_eq!(waiting.len(), 1, "{planned:#}");
    assert_eq!(waiting[0]["status"], "awaiting_approval");
    let id = waiting[0]["action_id"].as_str().unwrap().to_owned();
    let f = start_remediate(url, policy, &[("AISPM_APPROVAL_SECRET", "callback-secret")]);
    let sample: Value = serde_json::from_str(include_str!(
        "../../events/lambda-url/approval-callback.json"
    ))
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let call = |action: &str, secret: &str, t: i64| {
        let body = serde_json::json!({"action_id": action, "decision": "approve",
                                      "by": "ana@example.com", "note": "key confirmed leaked"})
        .to_string();
        let mut event = sample.clone();
        event["headers"]["x-aispm-signature"] =
            Value::from(sign(secret.as_bytes(), t, body.as_bytes()));
        event["body"] = Value::from(body);
        let req = f.api.invoke(&event.to_string());
        match f.api.outcome(&req, Duration::from_secs(120)).unwrap() {
            Outcome::Response(r) => {
                let r: Value = serde_json::from_str(&r).unwrap();
                let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
                (r["statusCode"].as_i64().unwrap(), body)
            }
            Outcome::Error(e) => panic!("remediate failed: {e}"),
        }
    };
    let status = || {
        aispm_json(url, &["remediation", "show", &id, "--format", "json"])["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (code, body) = call(&id, "another-secret", now);
    assert_eq!(code, 401, "{body:#}");
    assert!(
        body["error"].as_str().unwrap().contains("does not match"),
        "{body:#}"
    );
    let (code, body) = call(&id, "callback-secret", now - 3600);
    assert_eq!(code, 401, "{body:#}");
    assert!(
        body["error"].as_str().unwrap().contains("window"),
        "{body:#}"
    );
    assert_eq!(status(), "awaiting_approval");
    let (code, body) = call(&id, "callback-secret", now);
    assert_eq!(code, 200, "{body:#}");
    assert_eq!(body["status"], "verified", "{body:#}");
    assert_eq!(body["after"]["Status"], "Inactive");
    let shown = aispm_json(url, &["remediation", "show", &id, "--format", "json"]);
    assert!(
        shown["log"].as_array().unwrap().iter().any(|e| e["by"]
            .as_str()
            .unwrap()
            .starts_with("ana@example.com (signed approval callback)")),
        "{shown:#}"
    );
    let (code, body) = call(&id, "callback-secret", now);
    assert_eq!(code, 409, "{body:#}");
    let (code, _) = call("rem-ffffffffffffffff", "callback-secret", now);
    assert_eq!(code, 404);
    f.stop();
    emu.stop();
}

/// The compiled remediate function on the emulator at `url`, with the
/// store in table `remediation`, under `policy`, and `extra` variables.
fn start_remediate(
    url: &str,
    policy: &str,
    extra: &[(&str, &str)],
) -> aispm_tests::runtime_api::Function {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_ENDPOINT_URL", url),
        ("AISPM_TABLE", "remediation"),
        ("AISPM_REGIONS", REGION),
        ("AISPM_REMEDIATION_POLICY", policy),
    ];
    env.extend_from_slice(extra);
    aispm_tests::runtime_api::Function::start(
        env!("CARGO_BIN_EXE_aispm-fn-remediate-e2e"),
        "aispm-remediate",
        &env,
    )
    .expect("start remediate")
}

/// Scenario 2's training key with its rotation turned off (its bucket and
/// job are AI data): rotation is turned on, verified by the rescan of the
/// key (the finding resolves), and turned off again by the rollback.
#[test]
fn the_training_key_gets_rotation_verified_and_rolled_back() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::poisoned_training_data(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let key = rt.block_on(async {
        let kms =
            aws_sdk_kms::Client::new(&aispm_tests::seed::emulator_config(&emu.url, REGION).await);
        let mut found = None;
        for k in kms.list_keys().send().await.unwrap().keys() {
            let d = kms
                .describe_key()
                .key_id(k.key_id().unwrap())
                .send()
                .await
                .unwrap();
            let meta = d.key_metadata().unwrap();
            if meta.description() == Some("training data") {
                found = Some(meta.arn().unwrap().to_owned());
            }
        }
        let key = found.expect("the training key");
        kms.disable_key_rotation()
            .key_id(&key)
            .send()
            .await
            .unwrap();
        key
    });
    let changed = action_lifecycle(&emu.url, "enable_kms_key_rotation", serde_json::json!({}));
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(changed[0]["resource_arn"], key.as_str());
    assert_eq!(changed[0]["rule_id"], "kms_ai_key_rotation_disabled");
    assert_eq!(
        changed[0]["before"],
        serde_json::json!({"KeyRotationEnabled": false})
    );
    assert_eq!(
        changed[0]["after"],
        serde_json::json!({"KeyRotationEnabled": true})
    );
    emu.stop();
}

/// OU scopes: the emulator's account moved into the `ml` OU of its
/// organization. Key deactivation scoped to a sibling OU skips the key's
/// finding, saying the account is under none of its OUs, and changes
/// nothing; scoped to `ml` (or to the root) it is applied and verified.
#[test]
fn ou_scopes_follow_the_accounts_place_in_the_organization() {
    let emu = Emulator::start().unwrap();
    seeded(scenarios::exposed_key(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (root, ml, other) = rt.block_on(scenarios::account_in_ml_ou(&emu.url)).unwrap();
    let url = emu.url.as_str();
    sweep_open_rules(url);
    let scoped = |ou: &str| {
        let path = std::env::temp_dir().join(format!("aispm-ou-{ou}-{}.json", std::process::id()));
        std::fs::write(
            &path,
            serde_json::json!({"default_mode": "off", "actions": {"deactivate_access_key":
                {"mode": "auto", "ous": [ou]}}})
            .to_string(),
        )
        .unwrap();
        let out = aispm_json(
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
        let _ = std::fs::remove_file(path);
        out.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "deactivate_access_key")
            .cloned()
            .collect::<Vec<Value>>()
    };
    let elsewhere = scoped(&other);
    assert!(!elsewhere.is_empty());
    for r in &elsewhere {
        assert_eq!(r["status"], "skipped", "{r:#}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("under none of the action's OUs"),
            "{r:#}"
        );
    }
    let here = scoped(&ml);
    assert!(here.iter().any(|r| r["status"] == "verified"), "{here:#?}");
    let under_root = scoped(&root);
    assert!(
        under_root
            .iter()
            .all(|r| r["status"] != "skipped" || !r["reason"].as_str().unwrap().contains("OUs")),
        "{under_root:#?}"
    );
    emu.stop();
}

/// Scope reduction keeps what the AI workload needs to run: scenario 1's
/// execution role used none of its services in IAM's tracking period, yet
/// the model it serves reads its artifacts with `s3:GetObject` (a data
/// event IAM does not track). The narrowing drops the DynamoDB and RDS Data
/// API statements and keeps the artifact read, recorded in the plan as a
/// need of the model; the broad-data finding resolves on the rescan.
#[test]
fn a_narrowing_keeps_what_the_workload_running_as_the_role_needs() {
    use aispm_tests::proxy::FaultProxy;
    let emu = Emulator::start().unwrap();
    seeded(scenarios::unregistered_llm(&emu.url));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let role = "internal-llm-exec";
    let namespaces = rt.block_on(policy_namespaces(&emu.url, None, Some(role)));
    assert!(namespaces.contains(&"s3".to_owned()), "{namespaces:?}");
    let faults = scenarios::last_accessed_responses(
        &format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
        &report(&namespaces, &[]),
    );
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let changed = action_lifecycle(
        &proxy.url,
        "narrow_role_policy",
        serde_json::json!({"min_age_days": 0}),
    );
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let needs = &changed[0]["calls"][0]["params"]["NeededActions"];
    let artifacts = format!("arn:aws:s3:::llm-artifacts-{ACCOUNT}");
    assert_eq!(
        needs,
        &serde_json::json!([{"Action": "s3:GetObject", "Resource": artifacts,
            "Workload": format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/internal-llm"),
            "Link": "artifact_in"}]),
        "{:#}",
        changed[0]
    );
    let doc = &changed[0]["after"]["Inline"][format!("{role}-access")]["Document"];
    assert_eq!(
        doc["Statement"],
        serde_json::json!([{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": format!("{artifacts}/*")}]),
        "{doc:#}"
    );
    emu.stop();
}
