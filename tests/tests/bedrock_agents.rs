//! Bedrock agents and knowledge bases on plain moto, as a user runs it (no
//! loopback responder): the Rust SDK writes the Bedrock Agents paths
//! without the trailing slash the API model declares, which moto routes by;
//! aispm's client puts it back, and reads moto's epoch timestamps as the
//! model's date-times (`aws::modelled_uri`). Discovery then finds the agent
//! and the knowledge base, and what moto lacks is recorded as not assessed,
//! never as a pass.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

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
/// the modelled client is listed and read there (moto writes its
/// timestamps as epoch numbers, which the SDK cannot read without
/// `EpochTimestamps`; the status shows the route was found).
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

/// An agent and a knowledge base, created through the SDK as a user's
/// tooling would (with the modelled paths and readable timestamps): their
/// ids.
async fn seed(url: &str) -> (String, String) {
    use aws_sdk_bedrockagent::types::{
        KnowledgeBaseConfiguration, KnowledgeBaseStorageType, KnowledgeBaseType,
        OpenSearchServerlessConfiguration, OpenSearchServerlessFieldMapping, StorageConfiguration,
        VectorKnowledgeBaseConfiguration,
    };
    let cfg = aispm_tests::seed::emulator_config(url, REGION).await;
    let c = aws_sdk_bedrockagent::Client::from_conf(
        aws_sdk_bedrockagent::config::Builder::from(&cfg)
            .interceptor(ModelledUri)
            .http_client(aispm_shared::aws::modelled_uri::EpochTimestamps::new())
            .build(),
    );
    let agent = c
        .create_agent()
        .agent_name("support-agent")
        .agent_resource_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/support-agent-exec"))
        .foundation_model("anthropic.claude-3-5-sonnet-20240620-v1:0")
        .send()
        .await
        .unwrap();
    let mapping = OpenSearchServerlessFieldMapping::builder()
        .vector_field("v")
        .text_field("t")
        .metadata_field("m")
        .build()
        .unwrap();
    let kb = c
        .create_knowledge_base()
        .name("support-docs")
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/support-kb"))
        .knowledge_base_configuration(
            KnowledgeBaseConfiguration::builder()
                .r#type(KnowledgeBaseType::Vector)
                .vector_knowledge_base_configuration(
                    VectorKnowledgeBaseConfiguration::builder()
                        .embedding_model_arn("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .storage_configuration(
            StorageConfiguration::builder()
                .r#type(KnowledgeBaseStorageType::OpensearchServerless)
                .opensearch_serverless_configuration(
                    OpenSearchServerlessConfiguration::builder()
                        .collection_arn(format!("arn:aws:aoss:us-east-1:{ACCOUNT}:collection/support"))
                        .vector_index_name("docs")
                        .field_mapping(mapping)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    (
        agent.agent().unwrap().agent_id().to_owned(),
        kb.knowledge_base().unwrap().knowledge_base_id().to_owned(),
    )
}

/// `aispm inventory` against plain moto finds the agent and the knowledge
/// base; what moto cannot serve (action groups, an agent's knowledge
/// bases, data sources) is not assessed, never a pass.
#[test]
fn inventory_on_plain_moto_finds_agents_and_knowledge_bases() {
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (agent, kb) = rt.block_on(seed(&emu.url));
    let inv = aispm("inventory", &emu.url);
    let assets = inv["assets"].as_array().unwrap();
    let of = |t: &str| {
        assets
            .iter()
            .filter(|a| a["asset_type"] == t)
            .collect::<Vec<_>>()
    };
    let agents = of("bedrock_agent");
    assert_eq!(agents.len(), 1, "{:#}", inv["coverage"]);
    assert!(
        agents[0]["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("agent/{agent}")),
        "{:#}",
        agents[0]
    );
    let kbs = of("bedrock_knowledge_base");
    assert_eq!(kbs.len(), 1, "{:#}", inv["coverage"]);
    assert!(
        kbs[0]["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("knowledge-base/{kb}")),
        "{:#}",
        kbs[0]
    );
    let coverage = inv["coverage"].as_array().unwrap();
    let status = |collector: &str| {
        coverage
            .iter()
            .find(|c| c["collector"] == collector && c["region"] == REGION)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("bedrock_agent.agents").as_deref(), Some("assessed"));
    assert_eq!(
        status("bedrock_agent.knowledge_bases").as_deref(),
        Some("assessed")
    );
    for lacking in ["bedrock_agent.action_groups", "bedrock_agent.data_sources"] {
        assert_eq!(
            status(lacking).as_deref(),
            Some("not_assessed"),
            "{lacking}: {:#}",
            inv["coverage"]
        );
    }
    emu.stop();
}

/// `aispm COMMAND` over one region against `url`, its JSON output.
fn aispm(command: &str, url: &str) -> Value {
    aispm_tests::aispm_json(env!("CARGO_BIN_EXE_aispm-e2e"), command, url, REGION)
}

/// `aispm scan` over one region, as JSON.
fn scan(url: &str) -> Value {
    aispm("scan", url)
}

/// Prompt Management on plain moto (which has no prompts API) is not
/// assessed, never a pass; where the API answers as AWS does (a loopback
/// responder in its REST-JSON shape), the prompt is read and a prompt
/// without a customer key is flagged, next to the agent moto holds.
#[test]
fn prompts_are_read_where_the_api_answers_and_not_assessed_on_moto() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(seed(&emu.url));
    let plain = scan(&emu.url);
    let gaps: Vec<&Value> = plain
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "not_assessed" && f["collector"] == "bedrock_agent.prompts")
        .collect();
    assert!(
        gaps.iter()
            .any(|g| g["rule_id"] == "bedrock_prompt_without_cmk"),
        "{plain:#}"
    );
    assert!(
        !plain
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "bedrock_prompt_management_unused" && f["status"] == "open"),
        "prompts that could not be listed are not missing ones"
    );

    let arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:prompt/PROMPT0001");
    let ts = "2026-11-20T10:00:00Z";
    let faults = vec![
        Fault::ok_json(
            &["GET /prompts/PROMPT0001"],
            format!(
                r#"{{"name":"support-system-prompt","id":"PROMPT0001","arn":"{arn}","version":"DRAFT","createdAt":"{ts}","updatedAt":"{ts}","defaultVariant":"v1","variants":[{{"name":"v1","templateType":"TEXT","modelId":"anthropic.claude-3-haiku-20240307-v1:0","templateConfiguration":{{"text":{{"text":"You are the support assistant."}}}}}}]}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /prompts/"],
            format!(
                r#"{{"promptSummaries":[{{"name":"support-system-prompt","id":"PROMPT0001","arn":"{arn}","version":"DRAFT","createdAt":"{ts}","updatedAt":"{ts}"}}]}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /tags/arn%3Aaws%3Abedrock", "prompt"],
            r#"{"tags":{}}"#,
        ),
    ];
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let served = scan(&proxy.url);
    let finding = served
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "bedrock_prompt_without_cmk")
        .expect("the prompt without a customer key is flagged");
    assert_eq!(finding["resource_arn"], arn.as_str());
    assert_eq!(finding["status"], "open");
    assert!(
        !served
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["collector"] == "bedrock_agent.prompts"),
        "prompts were read: no gap"
    );
    emu.stop();
}

/// Batch inference jobs and imported models on plain moto (which has neither
/// API) are not assessed, never a pass; where the API answers as AWS does (a
/// loopback responder in Bedrock's REST-JSON shape), a job writing its output
/// without a customer key and an imported model without one are flagged, and
/// the graph links the job to its buckets and the model to its weights.
#[test]
fn batch_jobs_and_imported_models_are_read_where_the_api_answers() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    let plain = scan(&emu.url);
    for (rule, collector) in [
        (
            "bedrock_batch_inference_output_without_cmk",
            "bedrock.batch_inference_jobs",
        ),
        (
            "bedrock_custom_model_without_cmk",
            "bedrock.imported_models",
        ),
    ] {
        assert!(
            aispm_tests::not_assessed_by(&plain, rule, collector),
            "{rule}: {plain:#}"
        );
    }
    let job = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:model-invocation-job/abc123def456");
    let model = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:imported-model/imp0001xyz");
    let ts = "2026-11-20T10:00:00Z";
    let faults = vec![
        Fault::ok_json(
            &["GET /model-invocation-jobs"],
            format!(
                r#"{{"invocationJobSummaries":[{{"jobArn":"{job}","jobName":"nightly-ticket-summaries","modelId":"anthropic.claude-3-haiku-20240307-v1:0","roleArn":"arn:aws:iam::{ACCOUNT}:role/batch-exec","status":"Completed","submitTime":"{ts}","inputDataConfig":{{"s3InputDataConfig":{{"s3Uri":"s3://support-tickets-{ACCOUNT}/batch/in/"}}}},"outputDataConfig":{{"s3OutputDataConfig":{{"s3Uri":"s3://support-tickets-{ACCOUNT}/batch/out/"}}}}}}]}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /imported-models/"],
            format!(
                r#"{{"modelArn":"{model}","modelName":"llama-support-ft","jobArn":"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-import-job/job1","jobName":"import-1","modelDataSource":{{"s3DataSource":{{"s3Uri":"s3://model-weights-{ACCOUNT}/llama/"}}}},"creationTime":"{ts}","modelArchitecture":"llama3"}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /imported-models"],
            format!(
                r#"{{"modelSummaries":[{{"modelArn":"{model}","modelName":"llama-support-ft","creationTime":"{ts}"}}]}}"#
            ),
        ),
    ];
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let served = scan(&proxy.url);
    let open = |rule: &str| {
        served
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule && f["status"] == "open")
            .map(|f| f["resource_arn"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        open("bedrock_batch_inference_output_without_cmk"),
        Some(job)
    );
    assert_eq!(open("bedrock_custom_model_without_cmk"), Some(model));
    emu.stop();
}

/// Long-term Bedrock API keys (IAM service-specific credentials): moto keeps
/// none, so the sweep reads an empty list or records the call as not
/// assessed, and flags nothing; where IAM answers as AWS does (a loopback
/// responder in the Query protocol's XML), an active key of an administrator
/// is flagged twice (long-term, administrator's) on its user, and a key of a
/// user allowed only model invocation once.
#[test]
fn bedrock_api_keys_of_administrators_and_long_term_keys_are_flagged() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let iam = aws_sdk_iam::Client::new(&cfg);
        for (user, policy) in [
            ("ops-admin", "arn:aws:iam::aws:policy/AdministratorAccess"),
            (
                "chat-vendor",
                "arn:aws:iam::aws:policy/AmazonBedrockLimitedAccess",
            ),
        ] {
            iam.create_user().user_name(user).send().await.unwrap();
            iam.attach_user_policy()
                .user_name(user)
                .policy_arn(policy)
                .send()
                .await
                .unwrap();
        }
    });
    let keyed = |f: &Value, rule: &str| f["rule_id"] == rule && f["status"] == "open";
    let plain = scan(&emu.url);
    assert!(
        !plain
            .as_array()
            .unwrap()
            .iter()
            .any(|f| keyed(f, "identity_bedrock_api_key_long_term")),
        "{plain:#}"
    );
    let member = |user: &str, id: &str| {
        format!(
            "<member><UserName>{user}</UserName><Status>Active</Status><ServiceUserName>{user}-at-{ACCOUNT}</ServiceUserName><CreateDate>2026-01-10T00:00:00Z</CreateDate><ServiceSpecificCredentialId>{id}</ServiceSpecificCredentialId><ServiceName>bedrock.amazonaws.com</ServiceName></member>"
        )
    };
    let body = format!(
        "<ListServiceSpecificCredentialsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListServiceSpecificCredentialsResult><ServiceSpecificCredentials>{}{}</ServiceSpecificCredentials><IsTruncated>false</IsTruncated></ListServiceSpecificCredentialsResult><ResponseMetadata><RequestId>2d4c6b1e-0000-4000-8000-00000000bb01</RequestId></ResponseMetadata></ListServiceSpecificCredentialsResponse>",
        member("ops-admin", "ACCA2EXAMPLEKEYADMIN1"),
        member("chat-vendor", "ACCA2EXAMPLEKEYVENDR1"),
    );
    let proxy = FaultProxy::start(
        emu.port,
        vec![Fault {
            needles: vec!["Action=ListServiceSpecificCredentials".to_owned()],
            status: 200,
            content_type: "text/xml".to_owned(),
            body,
            then: Vec::new(),
        }],
    )
    .unwrap();
    let served = scan(&proxy.url);
    let users = |rule: &str| -> Vec<String> {
        let mut v: Vec<String> = served
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| keyed(f, rule))
            .map(|f| f["resource_arn"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let arn = |u: &str| format!("arn:aws:iam::{ACCOUNT}:user/{u}");
    assert_eq!(
        users("identity_bedrock_api_key_long_term"),
        [arn("chat-vendor"), arn("ops-admin")]
    );
    assert_eq!(
        users("identity_bedrock_api_key_admin_user"),
        [arn("ops-admin")]
    );
    emu.stop();
}

/// AgentCore memories, custom browsers, custom code interpreters, gateway
/// targets and workload identities: moto has no AgentCore, so each rule on
/// them is not assessed there, never a pass; where the control plane
/// answers as AWS does (a loopback responder in its REST-JSON shape), each
/// weakness is flagged on its resource, a gateway's Lambda target becomes a
/// tool edge, and the well-configured ones pass.
#[test]
fn agentcore_tools_and_identities_are_read_where_the_api_answers() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    let plain = scan(&emu.url);
    let rules = [
        (
            "bedrock_agentcore_memory_without_cmk",
            "bedrock_agentcore.memories",
        ),
        (
            "bedrock_agentcore_browser_public_network",
            "bedrock_agentcore.browsers",
        ),
        (
            "bedrock_agentcore_browser_recording_disabled",
            "bedrock_agentcore.browsers",
        ),
        (
            "bedrock_agentcore_code_interpreter_public_network",
            "bedrock_agentcore.code_interpreters",
        ),
        (
            "bedrock_agentcore_gateway_target_weak",
            "bedrock_agentcore.gateways",
        ),
        (
            "bedrock_agentcore_workload_identity_insecure_return_url",
            "bedrock_agentcore.workload_identities",
        ),
    ];
    for (rule, collector) in rules {
        assert!(
            aispm_tests::not_assessed_by(&plain, rule, collector),
            "{rule}: {plain:#}"
        );
    }

    let arn =
        |kind: &str, id: &str| format!("arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:{kind}/{id}");
    let ts = "2026-11-20T10:00:00Z";
    // Memories and workload identities carry epoch seconds (REST-JSON's
    // default timestamp format); the other shapes declare date-times.
    let epoch = 1_795_168_800;
    let role = format!("arn:aws:iam::{ACCOUNT}:role/support-agentcore-exec");
    let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let tool = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:refund-tool");
    let memory = |id: &str, key: Option<&str>| {
        let key = key
            .map(|k| format!(r#","encryptionKeyArn":"{k}""#))
            .unwrap_or_default();
        format!(
            r#"{{"memory":{{"arn":"{}","id":"{id}","name":"{id}","eventExpiryDuration":90,"memoryExecutionRoleArn":"{role}","status":"ACTIVE","createdAt":{epoch},"updatedAt":{epoch},"strategies":[{{"strategyId":"s1","name":"facts","type":"SEMANTIC","namespaces":["/facts"]}}]{key}}}}}"#,
            arn("memory", id)
        )
    };
    let faults = vec![
        Fault::ok_json(
            &["POST /memories"],
            format!(
                r#"{{"memories":[{{"arn":"{}","id":"support_memory-a1","status":"ACTIVE","createdAt":{epoch},"updatedAt":{epoch}}},{{"arn":"{}","id":"keyed_memory-b2","status":"ACTIVE","createdAt":{epoch},"updatedAt":{epoch}}}]}}"#,
                arn("memory", "support_memory-a1"),
                arn("memory", "keyed_memory-b2")
            ),
        ),
        Fault::ok_json(
            &["GET /memories/support_memory-a1/details"],
            memory("support_memory-a1", None),
        ),
        Fault::ok_json(
            &["GET /memories/keyed_memory-b2/details"],
            memory("keyed_memory-b2", Some(&key)),
        ),
        Fault::ok_json(
            &["POST /browsers", "type=CUSTOM"],
            format!(
                r#"{{"browserSummaries":[{{"browserId":"research_browser-c3","browserArn":"{}","name":"research_browser","status":"READY","createdAt":"{ts}"}}]}}"#,
                arn("browser-custom", "research_browser-c3")
            ),
        ),
        Fault::ok_json(
            &["GET /browsers/research_browser-c3"],
            format!(
                r#"{{"browserId":"research_browser-c3","browserArn":"{}","name":"research_browser","executionRoleArn":"{role}","networkConfiguration":{{"networkMode":"PUBLIC"}},"recording":{{"enabled":false}},"status":"READY","createdAt":"{ts}","lastUpdatedAt":"{ts}"}}"#,
                arn("browser-custom", "research_browser-c3")
            ),
        ),
        Fault::ok_json(
            &["POST /code-interpreters", "type=CUSTOM"],
            format!(
                r#"{{"codeInterpreterSummaries":[{{"codeInterpreterId":"open_ci-d4","codeInterpreterArn":"{}","name":"open_ci","status":"READY","createdAt":"{ts}"}},{{"codeInterpreterId":"sandbox_ci-e5","codeInterpreterArn":"{}","name":"sandbox_ci","status":"READY","createdAt":"{ts}"}}]}}"#,
                arn("code-interpreter-custom", "open_ci-d4"),
                arn("code-interpreter-custom", "sandbox_ci-e5")
            ),
        ),
        Fault::ok_json(
            &["GET /code-interpreters/open_ci-d4"],
            format!(
                r#"{{"codeInterpreterId":"open_ci-d4","codeInterpreterArn":"{}","name":"open_ci","executionRoleArn":"{role}","networkConfiguration":{{"networkMode":"PUBLIC"}},"status":"READY","createdAt":"{ts}","lastUpdatedAt":"{ts}"}}"#,
                arn("code-interpreter-custom", "open_ci-d4")
            ),
        ),
        Fault::ok_json(
            &["GET /code-interpreters/sandbox_ci-e5"],
            format!(
                r#"{{"codeInterpreterId":"sandbox_ci-e5","codeInterpreterArn":"{}","name":"sandbox_ci","networkConfiguration":{{"networkMode":"SANDBOX"}},"status":"READY","createdAt":"{ts}","lastUpdatedAt":"{ts}"}}"#,
                arn("code-interpreter-custom", "sandbox_ci-e5")
            ),
        ),
        Fault::ok_json(
            &["GET /gateways HTTP"],
            format!(
                r#"{{"items":[{{"gatewayId":"support-gw-f6","name":"support-gw","status":"READY","createdAt":"{ts}","updatedAt":"{ts}","authorizerType":"CUSTOM_JWT","protocolType":"MCP"}}]}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /gateways/support-gw-f6/targets/TGTCRM0001"],
            format!(
                r#"{{"gatewayArn":"{}","targetId":"TGTCRM0001","name":"crm","status":"READY","createdAt":"{ts}","updatedAt":"{ts}","targetConfiguration":{{"mcp":{{"mcpServer":{{"endpoint":"http://crm.internal:8080/mcp"}}}}}},"credentialProviderConfigurations":[{{"credentialProviderType":"API_KEY","credentialProvider":{{"apiKeyCredentialProvider":{{"providerArn":"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:token-vault/default/apikeycredentialprovider/crm"}}}}}}]}}"#,
                arn("gateway", "support-gw-f6")
            ),
        ),
        Fault::ok_json(
            &["GET /gateways/support-gw-f6/targets/TGTREF0002"],
            format!(
                r#"{{"gatewayArn":"{}","targetId":"TGTREF0002","name":"refunds","status":"READY","createdAt":"{ts}","updatedAt":"{ts}","targetConfiguration":{{"mcp":{{"lambda":{{"lambdaArn":"{tool}","toolSchema":{{"inlinePayload":[]}}}}}}}},"credentialProviderConfigurations":[{{"credentialProviderType":"GATEWAY_IAM_ROLE"}}]}}"#,
                arn("gateway", "support-gw-f6")
            ),
        ),
        Fault::ok_json(
            &["GET /gateways/support-gw-f6/targets"],
            format!(
                r#"{{"items":[{{"targetId":"TGTCRM0001","name":"crm","status":"READY","createdAt":"{ts}","updatedAt":"{ts}"}},{{"targetId":"TGTREF0002","name":"refunds","status":"READY","createdAt":"{ts}","updatedAt":"{ts}"}}]}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /gateways/support-gw-f6 HTTP"],
            format!(
                r#"{{"gatewayArn":"{}","gatewayId":"support-gw-f6","name":"support-gw","roleArn":"{role}","protocolType":"MCP","authorizerType":"CUSTOM_JWT","kmsKeyArn":"{key}","status":"READY","createdAt":"{ts}","updatedAt":"{ts}"}}"#,
                arn("gateway", "support-gw-f6")
            ),
        ),
        Fault::ok_json(
            &["POST /identities/ListWorkloadIdentities"],
            format!(
                r#"{{"workloadIdentities":[{{"name":"support-agent","workloadIdentityArn":"{}"}},{{"name":"billing-agent","workloadIdentityArn":"{}"}}]}}"#,
                arn(
                    "workload-identity-directory/default/workload-identity",
                    "support-agent"
                ),
                arn(
                    "workload-identity-directory/default/workload-identity",
                    "billing-agent"
                )
            ),
        ),
        Fault::ok_json(
            &["POST /identities/GetWorkloadIdentity", "support-agent"],
            format!(
                r#"{{"name":"support-agent","workloadIdentityArn":"{}","allowedResourceOauth2ReturnUrls":["https://support.example.com/oauth/cb","http://support.example.com/oauth/cb"],"createdTime":{epoch},"lastUpdatedTime":{epoch}}}"#,
                arn(
                    "workload-identity-directory/default/workload-identity",
                    "support-agent"
                )
            ),
        ),
        Fault::ok_json(
            &["POST /identities/GetWorkloadIdentity", "billing-agent"],
            format!(
                r#"{{"name":"billing-agent","workloadIdentityArn":"{}","allowedResourceOauth2ReturnUrls":["https://billing.example.com/cb","http://localhost:8080/cb"],"createdTime":{epoch},"lastUpdatedTime":{epoch}}}"#,
                arn(
                    "workload-identity-directory/default/workload-identity",
                    "billing-agent"
                )
            ),
        ),
        Fault::ok_json(
            &["GET /tags/arn%3Aaws%3Abedrock-agentcore"],
            r#"{"tags":{"owner":"support-ml","purpose":"customer-support"}}"#,
        ),
    ];
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let served = scan(&proxy.url);
    let open = |rule: &str| aispm_tests::open_on(&served, rule);
    assert_eq!(
        open("bedrock_agentcore_memory_without_cmk"),
        [arn("memory", "support_memory-a1")]
    );
    for rule in [
        "bedrock_agentcore_browser_public_network",
        "bedrock_agentcore_browser_recording_disabled",
    ] {
        assert_eq!(
            open(rule),
            [arn("browser-custom", "research_browser-c3")],
            "{rule}"
        );
    }
    assert_eq!(
        open("bedrock_agentcore_code_interpreter_public_network"),
        [arn("code-interpreter-custom", "open_ci-d4")]
    );
    assert_eq!(
        open("bedrock_agentcore_gateway_target_weak"),
        [arn("gateway", "support-gw-f6")]
    );
    assert!(
        open("bedrock_agentcore_gateway_weak").is_empty(),
        "{served:#}"
    );
    assert_eq!(
        open("bedrock_agentcore_workload_identity_insecure_return_url"),
        [arn(
            "workload-identity-directory/default/workload-identity",
            "support-agent"
        )]
    );
    for (rule, _) in rules {
        assert!(
            !served
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule_id"] == rule && f["status"] == "not_assessed"),
            "{rule} was read: no gap"
        );
    }
    // Tagged AgentCore workloads are owned.
    assert!(
        !served.as_array().unwrap().iter().any(|f| f["rule_id"]
            == "governance_asset_without_owner"
            && f["resource_arn"]
                .as_str()
                .is_some_and(|a| a.contains(":bedrock-agentcore:"))),
        "{served:#}"
    );
    let inventory = aispm("inventory", &proxy.url);
    let edges = inventory["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["from"] == arn("gateway", "support-gw-f6").as_str()
                && e["to"] == tool.as_str()
                && e["kind"] == "invokes_tool"),
        "{edges:#?}"
    );
    emu.stop();
}

/// Bedrock Flows on plain moto (which has no flows API) are not assessed,
/// never a pass; where the API answers as AWS does (a loopback responder
/// in its REST-JSON shape), a flow whose prompt node has no guardrail is
/// flagged with that node named (its retrieve-only knowledge-base node
/// needs none), it lacks a customer key, and its Lambda node is a tool of
/// the flow in the graph.
#[test]
fn flows_are_read_where_the_api_answers_and_not_assessed_on_moto() {
    use aispm_tests::proxy::{Fault, FaultProxy};
    let emu = Emulator::start().unwrap();
    let plain = scan(&emu.url);
    for rule in ["bedrock_flow_without_guardrail", "bedrock_flow_without_cmk"] {
        assert!(
            aispm_tests::not_assessed_by(&plain, rule, "bedrock_agent.flows"),
            "{rule}: {plain:#}"
        );
    }
    let arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:flow/FLOW000001");
    let tool = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:ticket-writer");
    let ts = "2026-11-20T10:00:00Z";
    let nodes = format!(
        r#"[{{"name":"FlowInput","type":"Input","configuration":{{"input":{{}}}},"outputs":[{{"name":"document","type":"String"}}]}},{{"name":"lookup","type":"KnowledgeBase","configuration":{{"knowledgeBase":{{"knowledgeBaseId":"KB00000001"}}}}}},{{"name":"answer","type":"Prompt","configuration":{{"prompt":{{"sourceConfiguration":{{"inline":{{"templateType":"TEXT","modelId":"anthropic.claude-3-haiku-20240307-v1:0","templateConfiguration":{{"text":{{"text":"Answer: {{{{q}}}}"}}}}}}}}}}}}}},{{"name":"file-ticket","type":"LambdaFunction","configuration":{{"lambdaFunction":{{"lambdaArn":"{tool}"}}}}}}]"#
    );
    let faults = vec![
        Fault::ok_json(
            &["GET /flows/FLOW000001/"],
            format!(
                r#"{{"name":"support-triage","id":"FLOW000001","arn":"{arn}","executionRoleArn":"arn:aws:iam::{ACCOUNT}:role/flow-exec","status":"Prepared","version":"DRAFT","createdAt":"{ts}","updatedAt":"{ts}","definition":{{"nodes":{nodes},"connections":[]}}}}"#
            ),
        ),
        Fault::ok_json(
            &["GET /flows/"],
            format!(
                r#"{{"flowSummaries":[{{"name":"support-triage","id":"FLOW000001","arn":"{arn}","status":"Prepared","version":"DRAFT","createdAt":"{ts}","updatedAt":"{ts}"}}]}}"#
            ),
        ),
        Fault::ok_json(&["GET /tags/arn%3Aaws%3Abedrock", "flow"], r#"{"tags":{}}"#),
    ];
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let served = scan(&proxy.url);
    let finding = |rule: &str| {
        served
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule && f["status"] == "open")
            .unwrap_or_else(|| panic!("{rule}: {served:#}"))
            .clone()
    };
    let unguarded = finding("bedrock_flow_without_guardrail");
    assert_eq!(unguarded["resource_arn"], arn.as_str());
    assert_eq!(
        unguarded["evidence"][0]["value"]["nodes_without_guardrail"],
        serde_json::json!(["answer"])
    );
    assert_eq!(
        finding("bedrock_flow_without_cmk")["resource_arn"],
        arn.as_str()
    );
    let inventory = aispm("inventory", &proxy.url);
    assert!(
        inventory["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == arn.as_str()
                && e["to"] == tool.as_str()
                && e["kind"] == "invokes_tool"),
        "{inventory:#}"
    );
    emu.stop();
}

/// VPC endpoints of the Bedrock runtime, on plain moto (which serves EC2):
/// a region using Bedrock (an agent and a knowledge base) with no endpoint
/// is flagged with the Bedrock endpoints it has; once a VPC has an interface
/// endpoint for `bedrock-runtime`, it is not.
#[test]
fn bedrock_regions_without_a_runtime_vpc_endpoint_are_flagged() {
    let emu = Emulator::start().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(seed(&emu.url));
    let rule = "bedrock_runtime_without_vpc_endpoint";
    let region = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:model-invocation-logging");
    let open = |findings: &Value| aispm_tests::open_on(findings, rule);
    let before = scan(&emu.url);
    assert_eq!(open(&before), [region], "{before:#}");

    rt.block_on(async {
        let cfg = aispm_tests::seed::emulator_config(&emu.url, REGION).await;
        let ec2 = aws_sdk_ec2::Client::new(&cfg);
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.20.0.0/16")
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_owned();
        for service in ["bedrock-agent-runtime", "bedrock-runtime"] {
            ec2.create_vpc_endpoint()
                .vpc_id(&vpc_id)
                .service_name(format!("com.amazonaws.{REGION}.{service}"))
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .send()
                .await
                .unwrap();
        }
        // Another service's endpoint is not listed among the AI ones.
        ec2.create_vpc_endpoint()
            .vpc_id(&vpc_id)
            .service_name(format!("com.amazonaws.{REGION}.s3"))
            .send()
            .await
            .unwrap();
    });
    let after = scan(&emu.url);
    assert!(open(&after).is_empty(), "{after:#}");
    let inventory = aispm("inventory", &emu.url);
    let services: Vec<&str> = inventory["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["asset_type"] == "ec2_vpc_endpoint")
        .filter_map(|a| a["attributes"]["service"].as_str())
        .collect();
    assert_eq!(services.len(), 2, "{services:?}");
    assert!(services.contains(&"bedrock-runtime"));
    emu.stop();
}
