//! SageMaker endpoint configs: the single-resource reader and the list collector
//! `sagemaker.endpoint_configs`.

use super::prelude::*;

/// One endpoint configuration: KMS, production variants and the models they
/// serve.
pub async fn endpoint_config(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeEndpointConfig";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .endpoint_config_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            ctx.arn(
                "sagemaker",
                &format!("endpoint-config/{}", name.to_lowercase()),
            )
        });
    let mut a = ctx.asset(&arn, AssetType::SagemakerEndpointConfig, name);
    let variants: Vec<Value> = d
        .production_variants()
        .iter()
        .map(|v| {
            json!({
                "variant_name": v.variant_name(),
                "model_name": v.model_name(),
                "initial_instance_count": v.initial_instance_count(),
                "instance_type": v.instance_type().map(|t| t.as_str()),
                "serverless": v.serverless_config().is_some(),
            })
        })
        .collect();
    a.set("kms_key_id", s(d.kms_key_id()))
        .set("variants", Some(Value::Array(variants)))
        .set(
            "data_capture",
            d.data_capture_config()
                .map(|c| Value::Bool(c.enable_capture().unwrap_or(false))),
        )
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    for v in d.production_variants() {
        if let Some(m) = v.model_name() {
            let model_arn = ctx.arn("sagemaker", &format!("model/{}", m.to_lowercase()));
            edges.add(
                &arn,
                Some(&model_arn),
                EdgeKind::ServesModel,
                "ProductionVariants.ModelName",
            );
        }
    }
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Endpoint configurations.
pub async fn endpoint_configs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_endpoint_configs,
        "sagemaker:ListEndpointConfigs",
        endpoint_config_name
    );
    read_each(names, |n| async move { endpoint_config(ctx, &n).await }).await
}

/// `sagemaker.endpoint_configs`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.endpoint_configs",
    Scope::Regional,
    AssetType::SagemakerEndpointConfig,
    list_fn!(endpoint_configs),
    read_fn!(endpoint_config),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateEndpointConfig", "DeleteEndpointConfig"],
    id: &["endpointConfigName"],
    part: None,
}]);
