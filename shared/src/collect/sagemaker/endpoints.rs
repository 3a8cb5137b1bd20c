//! SageMaker endpoints: the single-resource reader and the list collector
//! `sagemaker.endpoints`.

use super::prelude::*;

/// One endpoint and the configuration it serves.
pub async fn endpoint(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeEndpoint";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_endpoint()
            .endpoint_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .endpoint_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("endpoint/{}", name.to_lowercase())));
    let mut a = ctx.asset(&arn, AssetType::SagemakerEndpoint, name);
    a.tags = tags(ctx, &arn).await?;
    a.set("endpoint_config_name", s(d.endpoint_config_name()))
        .set("status", s(d.endpoint_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    if let Some(cfg) = d.endpoint_config_name() {
        let cfg_arn = ctx.arn(
            "sagemaker",
            &format!("endpoint-config/{}", cfg.to_lowercase()),
        );
        edges.add(
            &arn,
            Some(&cfg_arn),
            EdgeKind::UsesEndpointConfig,
            "EndpointConfigName",
        );
    }
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Endpoints.
pub async fn endpoints(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_endpoints,
        "sagemaker:ListEndpoints",
        endpoint_name
    );
    read_each(names, |n| async move { endpoint(ctx, &n).await }).await
}

/// `sagemaker.endpoints`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.endpoints",
    Scope::Regional,
    AssetType::SagemakerEndpoint,
    list_fn!(endpoints),
    read_fn!(endpoint),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateEndpoint", "UpdateEndpoint", "DeleteEndpoint"],
    id: &["endpointName"],
    part: None,
}]);
