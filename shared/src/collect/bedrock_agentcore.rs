//! Bedrock AgentCore runtimes and gateways, each read whole by a
//! single-resource reader (the sweep lists, then reads each; event triggers
//! read the one a call changed). Attribute keys: `agent_runtime_id`,
//! `gateway_id`, `role_arn`, `network_mode`, `authorizer_type`, `kms_key_arn`.

use serde_json::json;

use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::util::{EdgeSink, arn_tail, found, read_each, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// One agent runtime (bedrock-agentcore-control:GetAgentRuntime, by id or
/// ARN): execution role and network mode (PUBLIC or VPC). `None` when it is
/// gone.
pub async fn runtime(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetAgentRuntime";
    let Some(d) = found(
        ctx.clients
            .agentcore
            .get_agent_runtime()
            .agent_runtime_id(arn_tail(id))
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = d.agent_runtime_arn();
    let mut a = ctx.asset(
        arn,
        AssetType::BedrockAgentcoreRuntime,
        d.agent_runtime_name(),
    );
    a.set("agent_runtime_id", Some(json!(d.agent_runtime_id())))
        .set("role_arn", Some(json!(d.role_arn())))
        .set(
            "network_mode",
            s(d.network_configuration().map(|n| n.network_mode().as_str())),
        )
        .set("status", Some(json!(d.status().as_str())))
        .set("creation_time", ts(Some(d.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, Some(d.role_arn()), EdgeKind::ExecutesAs, "roleArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every agent runtime, read with [`runtime`].
pub async fn runtimes(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .agentcore
        .list_agent_runtimes()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agentcore-control:ListAgentRuntimes")?
        .into_iter()
        .map(|r| r.agent_runtime_id().to_owned())
        .collect();
    read_each(ids, |id| async move { runtime(ctx, &id).await }).await
}

/// One gateway (bedrock-agentcore-control:GetGateway, by id or ARN): role,
/// inbound authorizer, KMS key. `None` when it is gone.
pub async fn gateway(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetGateway";
    let Some(d) = found(
        ctx.clients
            .agentcore
            .get_gateway()
            .gateway_identifier(arn_tail(id))
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = d.gateway_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockAgentcoreGateway, d.name());
    a.set("gateway_id", Some(json!(d.gateway_id())))
        .set("role_arn", s(d.role_arn()))
        .set("authorizer_type", Some(json!(d.authorizer_type().as_str())))
        .set("kms_key_arn", s(d.kms_key_arn()))
        .set("status", Some(json!(d.status().as_str())))
        .set("creation_time", ts(Some(d.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, d.role_arn(), EdgeKind::ExecutesAs, "roleArn");
    edges.add_kms(ctx, arn, d.kms_key_arn(), "kmsKeyArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every gateway, read with [`gateway`].
pub async fn gateways(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .agentcore
        .list_gateways()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agentcore-control:ListGateways")?
        .into_iter()
        .map(|g| g.gateway_id().to_owned())
        .collect();
    read_each(ids, |id| async move { gateway(ctx, &id).await }).await
}

const SOURCE: &str = "bedrock-agentcore.amazonaws.com";

/// `bedrock_agentcore.runtimes`.
pub const RUNTIMES: ResourceSpec = ResourceSpec::readable(
    "bedrock_agentcore.runtimes",
    Scope::Regional,
    AssetType::BedrockAgentcoreRuntime,
    list_fn!(runtimes),
    read_fn!(runtime),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &[
        "CreateAgentRuntime",
        "UpdateAgentRuntime",
        "DeleteAgentRuntime",
    ],
    id: &["agentRuntimeId", "response.agentRuntimeId"],
    part: None,
}]);

/// `bedrock_agentcore.gateways`.
pub const GATEWAYS: ResourceSpec = ResourceSpec::readable(
    "bedrock_agentcore.gateways",
    Scope::Regional,
    AssetType::BedrockAgentcoreGateway,
    list_fn!(gateways),
    read_fn!(gateway),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["CreateGateway", "UpdateGateway", "DeleteGateway"],
    id: &["gatewayIdentifier", "response.gatewayId"],
    part: None,
}]);
