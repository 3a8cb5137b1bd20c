//! Bedrock AgentCore runtimes and gateways. Attribute keys: `role_arn`,
//! `network_mode`, `authorizer_type`, `kms_key_arn`.

use serde_json::json;

use super::util::{EdgeSink, describe_each, found, s, ts};
use super::{Batch, Ctx};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// Agent runtimes: execution role and network mode (PUBLIC or VPC).
pub async fn runtimes(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetAgentRuntime";
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
    let described = describe_each(ids, |id| async move {
        found(
            ctx.clients
                .agentcore
                .get_agent_runtime()
                .agent_runtime_id(&id)
                .send()
                .await
                .op(GET),
        )
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(GET);
    for d in described {
        let arn = d.agent_runtime_arn();
        let mut a = ctx.asset(
            arn,
            AssetType::BedrockAgentcoreRuntime,
            d.agent_runtime_name(),
        );
        a.set("role_arn", Some(json!(d.role_arn())))
            .set(
                "network_mode",
                s(d.network_configuration().map(|n| n.network_mode().as_str())),
            )
            .set("status", Some(json!(d.status().as_str())))
            .set("creation_time", ts(Some(d.created_at())));
        edges.add(arn, Some(d.role_arn()), EdgeKind::ExecutesAs, "roleArn");
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    Ok(batch)
}

/// Gateways: role, inbound authorizer, KMS key.
pub async fn gateways(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock-agentcore-control:GetGateway";
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
    let described = describe_each(ids, |id| async move {
        found(
            ctx.clients
                .agentcore
                .get_gateway()
                .gateway_identifier(&id)
                .send()
                .await
                .op(GET),
        )
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(GET);
    for d in described {
        let arn = d.gateway_arn();
        let mut a = ctx.asset(arn, AssetType::BedrockAgentcoreGateway, d.name());
        a.set("role_arn", s(d.role_arn()))
            .set("authorizer_type", Some(json!(d.authorizer_type().as_str())))
            .set("kms_key_arn", s(d.kms_key_arn()))
            .set("status", Some(json!(d.status().as_str())))
            .set("creation_time", ts(Some(d.created_at())));
        edges.add(arn, d.role_arn(), EdgeKind::ExecutesAs, "roleArn");
        edges.add_kms(ctx, arn, d.kms_key_arn(), "kmsKeyArn");
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    Ok(batch)
}
