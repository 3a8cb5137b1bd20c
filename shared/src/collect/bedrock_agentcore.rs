//! Bedrock AgentCore runtimes and gateways (with their targets), each read
//! whole by a single-resource reader (the sweep lists, then reads each; event
//! triggers read the one a call changed). Attribute keys: `agent_runtime_id`,
//! `gateway_id`, `role_arn`, `network_mode`, `authorizer_type`, `kms_key_arn`,
//! `targets` (each `{id, name, kind, credential_types, endpoint,
//! lambda_arn}`; absent when they could not be read: side collector
//! `bedrock_agentcore.gateway_targets`).
//!
//! Memories, browsers, code interpreters and workload identities are in
//! [`super::bedrock_agentcore_tools`].

use std::collections::BTreeMap;

use aws_sdk_bedrockagentcorecontrol::types::{
    CredentialProviderConfiguration, McpTargetConfiguration, TargetConfiguration,
};
use serde_json::{Value, json};

use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::util::{
    EdgeSink, SideCoverage, arn_tail, describe_each, found, list_ids, merge_coverage, read_each, s,
    ts,
};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// The tags of an AgentCore resource
/// (bedrock-agentcore-control:ListTagsForResource).
pub(crate) async fn tags(ctx: &Ctx, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let out = ctx
        .clients
        .agentcore
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .op("bedrock-agentcore-control:ListTagsForResource")?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

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
    a.tags = tags(ctx, arn).await?;
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
    let ids = list_ids!(
        ctx.clients.agentcore.list_agent_runtimes(),
        "bedrock-agentcore-control:ListAgentRuntimes",
        |r| r.agent_runtime_id().to_owned()
    );
    read_each(ids, |id| async move { runtime(ctx, &id).await }).await
}

/// One gateway target (bedrock-agentcore-control:GetGatewayTarget): what it
/// calls and with which credentials (their types and the provider's ARN;
/// never a secret, which the API does not return).
async fn target(ctx: &Ctx, gateway: &str, id: String) -> Result<Option<Value>, CollectError> {
    let Some(t) = found(
        ctx.clients
            .agentcore
            .get_gateway_target()
            .gateway_identifier(gateway)
            .target_id(&id)
            .send()
            .await
            .op("bedrock-agentcore-control:GetGatewayTarget"),
    )?
    else {
        return Ok(None);
    };
    let (kind, endpoint, lambda) = match t.target_configuration() {
        Some(TargetConfiguration::Mcp(m)) => match m {
            McpTargetConfiguration::Lambda(l) => ("lambda", None, Some(l.lambda_arn())),
            McpTargetConfiguration::McpServer(m) => ("mcp_server", Some(m.endpoint()), None),
            McpTargetConfiguration::OpenApiSchema(_) => ("open_api_schema", None, None),
            McpTargetConfiguration::SmithyModel(_) => ("smithy_model", None, None),
            McpTargetConfiguration::ApiGateway(_) => ("api_gateway", None, None),
            McpTargetConfiguration::Connector(_) => ("connector", None, None),
            _ => ("other", None, None),
        },
        Some(TargetConfiguration::Http(_)) => ("http", None, None),
        Some(TargetConfiguration::Inference(_)) => ("inference", None, None),
        _ => ("other", None, None),
    };
    let credential_types: Vec<&str> = t
        .credential_provider_configurations()
        .iter()
        .map(|c: &CredentialProviderConfiguration| c.credential_provider_type().as_str())
        .collect();
    Ok(Some(json!({
        "id": t.target_id(),
        "name": t.name(),
        "kind": kind,
        "credential_types": credential_types,
        "endpoint": endpoint,
        "lambda_arn": lambda,
    })))
}

/// A gateway's targets (ListGatewayTargets, then GetGatewayTarget each: the
/// list carries neither the target's configuration nor its credentials).
async fn targets(ctx: &Ctx, gateway: &str) -> Result<Vec<Value>, CollectError> {
    let ids = list_ids!(
        ctx.clients
            .agentcore
            .list_gateway_targets()
            .gateway_identifier(gateway),
        "bedrock-agentcore-control:ListGatewayTargets",
        |t| t.target_id().to_owned()
    );
    describe_each(ids, |id| target(ctx, gateway, id)).await
}

/// One gateway (bedrock-agentcore-control:GetGateway, by id or ARN): role,
/// inbound authorizer, KMS key, and its targets (a side read: where they
/// cannot be read the gateway has no `targets` attribute and the coverage
/// record `bedrock_agentcore.gateway_targets` says why). `None` when it is
/// gone.
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
    a.tags = tags(ctx, arn).await?;
    a.set("gateway_id", Some(json!(d.gateway_id())))
        .set("role_arn", s(d.role_arn()))
        .set("authorizer_type", Some(json!(d.authorizer_type().as_str())))
        .set("kms_key_arn", s(d.kms_key_arn()))
        .set("status", Some(json!(d.status().as_str())))
        .set("creation_time", ts(Some(d.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, d.role_arn(), EdgeKind::ExecutesAs, "roleArn");
    edges.add_kms(ctx, arn, d.kms_key_arn(), "kmsKeyArn");
    let mut cov = SideCoverage::default();
    match targets(ctx, d.gateway_id()).await {
        Ok(ts) => {
            let mut tools = EdgeSink::new("bedrock-agentcore-control:GetGatewayTarget");
            for t in &ts {
                let lambda = t.get("lambda_arn").and_then(Value::as_str);
                tools.add(
                    arn,
                    lambda,
                    EdgeKind::InvokesTool,
                    "targetConfiguration.mcp.lambda.lambdaArn",
                );
            }
            edges.edges.extend(tools.edges);
            a.set("targets", Some(Value::Array(ts)));
        }
        Err(e) => cov.fail(e),
    }
    let mut batch = Batch::one(a, edges.edges);
    batch.coverage.push(cov.record(ctx, TARGETS));
    Ok(Some(batch))
}

/// The side collector of gateway targets.
pub const TARGETS: &str = "bedrock_agentcore.gateway_targets";

/// Every gateway, read with [`gateway`].
pub async fn gateways(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list_ids!(
        ctx.clients.agentcore.list_gateways(),
        "bedrock-agentcore-control:ListGateways",
        |g| g.gateway_id().to_owned()
    );
    let batch = read_each(ids, |id| async move { gateway(ctx, &id).await }).await?;
    Ok(merge_coverage(ctx, batch, &[TARGETS]))
}

/// AgentCore's CloudTrail event source.
pub(crate) const SOURCE: &str = "bedrock-agentcore.amazonaws.com";

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
.on(&[
    EventCalls {
        source: SOURCE,
        names: &["CreateGateway", "UpdateGateway", "DeleteGateway"],
        id: &["gatewayIdentifier", "response.gatewayId"],
        part: None,
    },
    EventCalls {
        source: SOURCE,
        names: &[
            "CreateGatewayTarget",
            "UpdateGatewayTarget",
            "DeleteGatewayTarget",
        ],
        id: &["gatewayIdentifier"],
        part: None,
    },
]);
