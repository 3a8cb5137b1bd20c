//! SageMaker models: the single-resource reader and the list collector
//! `sagemaker.models`.

use super::prelude::*;

/// One model: execution role, network isolation, VPC, container images,
/// artifacts.
pub async fn model(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeModel";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_model()
            .model_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .model_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("model/{}", name.to_lowercase())));
    let mut a = ctx.asset(&arn, AssetType::SagemakerModel, name);
    a.tags = tags(ctx, &arn).await?;
    let containers: Vec<_> = d
        .primary_container()
        .into_iter()
        .chain(d.containers().iter())
        .collect();
    let images: Vec<&str> = containers.iter().filter_map(|c| c.image()).collect();
    let data: Vec<&str> = containers
        .iter()
        .filter_map(|c| c.model_data_url())
        .collect();
    a.set("role_arn", s(d.execution_role_arn()))
        .set_reported(
            "network_isolation",
            d.enable_network_isolation().map(Value::Bool),
        )
        .set(
            "vpc_configured",
            Some(Value::Bool(
                d.vpc_config().is_some_and(|v| !v.subnets().is_empty()),
            )),
        )
        .set("container_images", Some(strings(images)))
        .set(
            // Per container with an image, in `container_images`' order:
            // `Vpc`, `Platform`, or null where it names no image configuration.
            "repository_access_modes",
            Some(Value::Array(
                containers
                    .iter()
                    .filter(|c| c.image().is_some())
                    .map(|c| {
                        c.image_config()
                            .and_then(|i| i.repository_access_mode())
                            .map_or(Value::Null, |m| json!(m.as_str()))
                    })
                    .collect(),
            )),
        )
        .set("model_data_urls", Some(strings(data.iter().copied())))
        .set(
            // The registry's model packages the containers were made from
            // (`ModelPackageName`); empty when none came from the registry.
            "model_packages",
            Some(strings(
                containers.iter().filter_map(|c| c.model_package_name()),
            )),
        )
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        d.execution_role_arn(),
        EdgeKind::ExecutesAs,
        "ExecutionRoleArn",
    );
    for url in data {
        edges.add_s3(
            &arn,
            Some(url),
            EdgeKind::ArtifactIn,
            "PrimaryContainer.ModelDataUrl",
        );
    }
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Models.
pub async fn models(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(ctx, list_models, "sagemaker:ListModels", model_name);
    read_each(names, |n| async move { model(ctx, &n).await }).await
}

/// `sagemaker.models`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.models",
    Scope::Regional,
    AssetType::SagemakerModel,
    list_fn!(models),
    read_fn!(model),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateModel", "DeleteModel"],
    id: &["modelName"],
    part: None,
}]);
