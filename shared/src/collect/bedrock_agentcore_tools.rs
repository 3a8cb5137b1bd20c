//! Bedrock AgentCore's built-in tools and identities: memories, custom
//! browsers, custom code interpreters (each read whole by a single-resource
//! reader, re-read by the calls that change it) and workload identities
//! (listed by the sweep). The AWS-managed browser and code interpreter
//! (`aws.browser.v1`, `aws.codeinterpreter.v1`) are not listed: their
//! settings are AWS's, not the account's.
//!
//! Attribute keys: `memory_id`, `kms_key_arn`, `role_arn`,
//! `event_expiry_days`, `strategies` (memories); `browser_id`,
//! `network_mode`, `recording_enabled`, `recording_bucket` (browsers);
//! `code_interpreter_id`, `network_mode` (code interpreters);
//! `return_urls` (workload identities).

use aws_sdk_bedrockagentcorecontrol::types::ResourceType;
use serde_json::json;

use super::bedrock_agentcore::{SOURCE, tags};
use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::util::{EdgeSink, arn_tail, describe_each, found, list_ids, read_each, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// One memory (bedrock-agentcore-control:GetMemory, by id or ARN): its
/// customer key, execution role, how long raw events are kept and its
/// long-term strategies. `None` when it is gone.
pub async fn memory(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetMemory";
    let Some(out) = found(
        ctx.clients
            .agentcore
            .get_memory()
            .memory_id(arn_tail(id))
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let Some(m) = out.memory() else {
        return Ok(None);
    };
    let arn = m.arn();
    let mut a = ctx.asset(arn, AssetType::BedrockAgentcoreMemory, m.name());
    a.tags = tags(ctx, arn).await?;
    let strategies: Vec<&str> = m.strategies().iter().map(|s| s.r#type().as_str()).collect();
    a.set("memory_id", Some(json!(m.id())))
        .set("kms_key_arn", s(m.encryption_key_arn()))
        .set("role_arn", s(m.memory_execution_role_arn()))
        .set("event_expiry_days", Some(json!(m.event_expiry_duration())))
        .set("strategies", Some(json!(strategies)))
        .set("status", Some(json!(m.status().as_str())))
        .set("creation_time", ts(Some(m.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(
        arn,
        m.memory_execution_role_arn(),
        EdgeKind::ExecutesAs,
        "memoryExecutionRoleArn",
    );
    edges.add_kms(ctx, arn, m.encryption_key_arn(), "encryptionKeyArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every memory, read with [`memory`].
pub async fn memories(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .agentcore
        .list_memories()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agentcore-control:ListMemories")?
        .into_iter()
        .filter_map(|m| m.id().map(str::to_owned))
        .collect();
    read_each(ids, |id| async move { memory(ctx, &id).await }).await
}

/// One custom browser (bedrock-agentcore-control:GetBrowser, by id or ARN):
/// network mode, session recording and where recordings go, execution role.
pub async fn browser(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetBrowser";
    let Some(b) = found(
        ctx.clients
            .agentcore
            .get_browser()
            .browser_id(arn_tail(id))
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = b.browser_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockAgentcoreBrowser, b.name());
    a.tags = tags(ctx, arn).await?;
    let recording = b.recording();
    let bucket = recording
        .and_then(|r| r.s3_location())
        .map(|l| format!("arn:{}:s3:::{}", ctx.partition, l.bucket()));
    a.set("browser_id", Some(json!(b.browser_id())))
        .set(
            "network_mode",
            s(b.network_configuration().map(|n| n.network_mode().as_str())),
        )
        .set(
            "recording_enabled",
            Some(json!(recording.is_some_and(|r| r.enabled()))),
        )
        .set("recording_bucket", s(bucket.as_deref()))
        .set("role_arn", s(b.execution_role_arn()))
        .set("status", Some(json!(b.status().as_str())))
        .set("creation_time", ts(Some(b.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(
        arn,
        b.execution_role_arn(),
        EdgeKind::ExecutesAs,
        "executionRoleArn",
    );
    edges.add(
        arn,
        bucket.as_deref(),
        EdgeKind::WritesData,
        "recording.s3Location.bucket",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every custom browser, read with [`browser`].
pub async fn browsers(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list_ids!(
        ctx.clients
            .agentcore
            .list_browsers()
            .r#type(ResourceType::Custom),
        "bedrock-agentcore-control:ListBrowsers",
        |b| b.browser_id().to_owned()
    );
    read_each(ids, |id| async move { browser(ctx, &id).await }).await
}

/// One custom code interpreter (bedrock-agentcore-control:GetCodeInterpreter,
/// by id or ARN): network mode and execution role.
pub async fn code_interpreter(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetCodeInterpreter";
    let Some(c) = found(
        ctx.clients
            .agentcore
            .get_code_interpreter()
            .code_interpreter_id(arn_tail(id))
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = c.code_interpreter_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockAgentcoreCodeInterpreter, c.name());
    a.tags = tags(ctx, arn).await?;
    a.set("code_interpreter_id", Some(json!(c.code_interpreter_id())))
        .set(
            "network_mode",
            s(c.network_configuration().map(|n| n.network_mode().as_str())),
        )
        .set("role_arn", s(c.execution_role_arn()))
        .set("status", Some(json!(c.status().as_str())))
        .set("creation_time", ts(Some(c.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(
        arn,
        c.execution_role_arn(),
        EdgeKind::ExecutesAs,
        "executionRoleArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every custom code interpreter, read with [`code_interpreter`].
pub async fn code_interpreters(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list_ids!(
        ctx.clients
            .agentcore
            .list_code_interpreters()
            .r#type(ResourceType::Custom),
        "bedrock-agentcore-control:ListCodeInterpreters",
        |c| c.code_interpreter_id().to_owned()
    );
    read_each(ids, |id| async move { code_interpreter(ctx, &id).await }).await
}

/// Every workload identity (an agent's identity in AgentCore Identity) with
/// the OAuth2 return URLs it allows (ListWorkloadIdentities, then
/// GetWorkloadIdentity each: the list carries names only).
pub async fn workload_identities(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetWorkloadIdentity";
    let names = list_ids!(
        ctx.clients.agentcore.list_workload_identities(),
        "bedrock-agentcore-control:ListWorkloadIdentities",
        |w| w.name().to_owned()
    );
    let assets = describe_each(names, |name| async move {
        let Some(w) = found(
            ctx.clients
                .agentcore
                .get_workload_identity()
                .name(&name)
                .send()
                .await
                .op(GET),
        )?
        else {
            return Ok(None);
        };
        let mut a = ctx.asset(
            w.workload_identity_arn(),
            AssetType::BedrockAgentcoreWorkloadIdentity,
            w.name(),
        );
        a.set(
            "return_urls",
            Some(json!(w.allowed_resource_oauth2_return_urls())),
        )
        .set("creation_time", ts(Some(w.created_time())));
        Ok(Some(a))
    })
    .await?;
    Ok(Batch {
        assets,
        ..Batch::default()
    })
}

/// `bedrock_agentcore.memories`.
pub const MEMORIES: ResourceSpec = ResourceSpec::readable(
    "bedrock_agentcore.memories",
    Scope::Regional,
    AssetType::BedrockAgentcoreMemory,
    list_fn!(memories),
    read_fn!(memory),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["CreateMemory", "UpdateMemory", "DeleteMemory"],
    id: &["memoryId", "response.memory.id"],
    part: None,
}]);

/// `bedrock_agentcore.browsers`.
pub const BROWSERS: ResourceSpec = ResourceSpec::readable(
    "bedrock_agentcore.browsers",
    Scope::Regional,
    AssetType::BedrockAgentcoreBrowser,
    list_fn!(browsers),
    read_fn!(browser),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["CreateBrowser", "DeleteBrowser"],
    id: &["browserId", "response.browserId"],
    part: None,
}]);

/// `bedrock_agentcore.code_interpreters`.
pub const CODE_INTERPRETERS: ResourceSpec = ResourceSpec::readable(
    "bedrock_agentcore.code_interpreters",
    Scope::Regional,
    AssetType::BedrockAgentcoreCodeInterpreter,
    list_fn!(code_interpreters),
    read_fn!(code_interpreter),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["CreateCodeInterpreter", "DeleteCodeInterpreter"],
    id: &["codeInterpreterId", "response.codeInterpreterId"],
    part: None,
}]);

/// `bedrock_agentcore.workload_identities`: listed by the sweep.
pub const WORKLOAD_IDENTITIES: ResourceSpec = ResourceSpec::listed(
    "bedrock_agentcore.workload_identities",
    Scope::Regional,
    list_fn!(workload_identities),
);
