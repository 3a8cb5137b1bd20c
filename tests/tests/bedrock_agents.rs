//! Bedrock agents and knowledge bases on plain moto, as a user runs it (no
//! loopback responder): the Rust SDK writes the Bedrock Agents paths
//! without the trailing slash the API model declares, which moto routes by;
//! aispm's client puts it back (`aws::modelled_uri`), and the calls reach
//! moto's agents. What discovery then cannot read is recorded as not
//! assessed, never as a pass.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::process::Command;

use aispm_shared::aws::modelled_uri::ModelledUri;
use aispm_tests::emulator::Emulator;
use aispm_tests::scenarios::{ACCOUNT, REGION};
use serde_json::Value;

fn agents_client(cfg: &aws_types::SdkConfig, modelled: bool) -> aws_sdk_bedrockagent::Client {
    let mut b = aws_sdk_bedrockagent::config::Builder::from(cfg);
    if modelled {
        b = b.interceptor(ModelledUri);
    }
    aws_sdk_bedrockagent::Client::from_conf(b.build())
}

/// The status moto answered a call with (an answer the SDK could not read
/// still has one).
fn status<T, E>(r: &Result<T, aws_sdk_bedrockagent::error::SdkError<E>>) -> Option<u16> {
    match r {
        Ok(_) => Some(200),
        Err(e) => e.raw_response().map(|raw| raw.status().as_u16()),
    }
}

/// The SDK as generated writes `POST /agents` and `GET /agents/{id}`,
/// which moto does not route to the agents it holds; with the modelled
/// paths (`/agents/`, `/agents/{id}/`) it does: the agent created through
/// the modelled client is listed and read there. (moto then writes the
/// timestamps as epoch numbers, which the Rust SDK does not read: the
/// next step, see the notes; discovery records that as not assessed.)
#[test]
fn the_modelled_paths_reach_moto_and_the_generated_ones_do_not() {
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let modelled = agents_client(&cfg, true);
        let plain = agents_client(&cfg, false);
        let created = plain
            .create_agent()
            .agent_name("support-agent")
            .agent_resource_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/support-agent-exec"))
            .foundation_model("anthropic.claude-3-5-sonnet-20240620-v1:0")
            .send()
            .await;
        assert_ne!(
            status(&created),
            Some(200),
            "PUT /agents is not moto's CreateAgent"
        );
        let created = modelled
            .create_agent()
            .agent_name("support-agent")
            .agent_resource_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/support-agent-exec"))
            .foundation_model("anthropic.claude-3-5-sonnet-20240620-v1:0")
            .send()
            .await;
        assert_eq!(status(&created), Some(200), "{created:?}");
        let body = match &created {
            Ok(_) => String::new(),
            Err(e) => String::from_utf8_lossy(e.raw_response().unwrap().body().bytes().unwrap())
                .into_owned(),
        };
        let listed = modelled.list_agents().send().await;
        assert_eq!(status(&listed), Some(200), "{listed:?}");
        if let Err(e) = &listed {
            let text = String::from_utf8_lossy(e.raw_response().unwrap().body().bytes().unwrap())
                .into_owned();
            assert!(text.contains("support-agent"), "{text}");
        }
        let id: Value = serde_json::from_str(&body).unwrap_or_default();
        if let Some(id) = id["agent"]["agentId"].as_str() {
            let got = modelled.get_agent().agent_id(id).send().await;
            assert_eq!(status(&got), Some(200), "{got:?}");
            let plain_got = plain.get_agent().agent_id(id).send().await;
            assert_ne!(
                status(&plain_got),
                Some(200),
                "GET /agents/{{id}} is not moto's GetAgent"
            );
        }
    });
    emu.stop();
}

/// `aispm inventory` against plain moto: the agents and knowledge-base
/// collectors reach moto; what cannot be read is not assessed, with a
/// reason, never a pass.
#[test]
fn inventory_on_plain_moto_never_passes_what_it_could_not_read() {
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let _ = agents_client(&cfg, true)
            .create_agent()
            .agent_name("support-agent")
            .agent_resource_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/support-agent-exec"))
            .foundation_model("anthropic.claude-3-5-sonnet-20240620-v1:0")
            .send()
            .await;
    });
    let out = Command::new(env!("CARGO_BIN_EXE_aispm-e2e"))
        .args([
            "inventory",
            "--endpoint-url",
            &emu.url,
            "--regions",
            REGION,
            "--format",
            "json",
        ])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    let agents = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["asset_type"] == "bedrock_agent")
        .count();
    let cov = inv["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["collector"] == "bedrock_agent.agents" && c["region"] == REGION)
        .cloned()
        .unwrap();
    // Either the agent is found and the collector assessed, or it is not
    // assessed and says why: never an empty pass.
    if agents == 0 {
        assert_eq!(cov["status"], "not_assessed", "{cov:#}");
        assert!(cov["reason"].is_string(), "{cov:#}");
    } else {
        assert_eq!(cov["status"], "assessed", "{cov:#}");
    }
    emu.stop();
}
