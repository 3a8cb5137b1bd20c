//! VPC endpoints of the AI services (collector `ec2.vpc_endpoints`):
//! DescribeVpcEndpoints filtered to Bedrock, Bedrock Agents, AgentCore and
//! SageMaker's API and runtime, one paginated call per region. An endpoint
//! keeps the model traffic of the VPC's workloads on AWS's network, under
//! the endpoint's policy. Attribute keys: `service` (the short name:
//! `bedrock-runtime`, `sagemaker.runtime`, ...), `vpc_id`, `state`,
//! `endpoint_type`, `private_dns_enabled`, `policy`.

use serde_json::json;

use super::spec::{ResourceSpec, list_fn};
use super::util::{plain_policy_json, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::AssetType;

/// The AI services whose endpoints are kept, by short name.
pub const AI_SERVICES: &[&str] = &[
    "bedrock",
    "bedrock-runtime",
    "bedrock-agent",
    "bedrock-agent-runtime",
    "bedrock-agentcore",
    "sagemaker.api",
    "sagemaker.runtime",
];

/// Every VPC endpoint of an AI service in the region.
pub async fn vpc_endpoints(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names: Vec<String> = AI_SERVICES
        .iter()
        .map(|s| format!("com.amazonaws.{}.{s}", ctx.region))
        .collect();
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("service-name")
        .set_values(Some(names))
        .build();
    let endpoints = ctx
        .clients
        .ec2
        .describe_vpc_endpoints()
        .filters(filter)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("ec2:DescribeVpcEndpoints")?;
    let prefix = format!("com.amazonaws.{}.", ctx.region);
    let mut batch = Batch::default();
    for e in endpoints {
        let (Some(id), Some(service)) = (
            e.vpc_endpoint_id(),
            e.service_name().and_then(|n| n.strip_prefix(&prefix)),
        ) else {
            continue;
        };
        if !AI_SERVICES.contains(&service) {
            continue;
        }
        let arn = ctx.arn("ec2", &format!("vpc-endpoint/{id}"));
        let mut a = ctx.asset(&arn, AssetType::Ec2VpcEndpoint, id);
        a.tags = e
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
            .collect();
        a.set("service", Some(json!(service)))
            .set("vpc_id", s(e.vpc_id()))
            .set("state", s(e.state().map(|x| x.as_str())))
            .set(
                "endpoint_type",
                s(e.vpc_endpoint_type().map(|x| x.as_str())),
            )
            .set(
                "private_dns_enabled",
                e.private_dns_enabled().map(|b| json!(b)),
            )
            .set("policy", e.policy_document().map(plain_policy_json))
            .set("creation_time", ts(e.creation_timestamp()));
        batch.assets.push(a);
    }
    Ok(batch)
}

/// `ec2.vpc_endpoints`: listed by the sweep.
pub const VPC_ENDPOINTS: ResourceSpec = ResourceSpec::listed(
    "ec2.vpc_endpoints",
    Scope::Regional,
    list_fn!(vpc_endpoints),
);
