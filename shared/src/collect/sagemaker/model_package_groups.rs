//! SageMaker model package groups: the single-resource reader and the list collector
//! `sagemaker.model_package_groups`.

use super::prelude::*;

/// One model package group (the model registry).
pub async fn model_package_group(ctx: &Ctx, name: &str) -> One {
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_model_package_group()
            .model_package_group_name(name)
            .send()
            .await
            .op("sagemaker:DescribeModelPackageGroup"),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .model_package_group_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            ctx.arn(
                "sagemaker",
                &format!("model-package-group/{}", name.to_lowercase()),
            )
        });
    let mut a = ctx.asset(&arn, AssetType::SagemakerModelPackageGroup, name);
    a.tags = tags(ctx, &arn).await?;
    a.set(
        "status",
        s(d.model_package_group_status().map(|t| t.as_str())),
    )
    .set("creation_time", ts(d.creation_time()));
    Ok(Some(Batch::one(a, Vec::new())))
}

/// Model package groups (the model registry). The list answer has what the
/// registry rules need, so only the tags are read per group.
pub async fn model_package_groups(ctx: &Ctx) -> Result<Batch, CollectError> {
    let groups = ctx
        .clients
        .sagemaker
        .list_model_package_groups()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("sagemaker:ListModelPackageGroups")?;
    let items: Vec<_> = groups
        .into_iter()
        .filter_map(|g| {
            Some((
                g.model_package_group_name()?.to_owned(),
                g.model_package_group_arn()?.to_owned(),
                g.model_package_group_status()
                    .map(|s| s.as_str().to_owned()),
                ts(g.creation_time()),
            ))
        })
        .collect();
    read_each(items, |(name, arn, status, created)| async move {
        let mut a = ctx.asset(&arn, AssetType::SagemakerModelPackageGroup, &name);
        a.tags = tags(ctx, &arn).await?;
        a.set("status", status.map(Value::String))
            .set("creation_time", created);
        Ok(Some(Batch::one(a, Vec::new())))
    })
    .await
}

/// `sagemaker.model_package_groups`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.model_package_groups",
    Scope::Regional,
    AssetType::SagemakerModelPackageGroup,
    list_fn!(model_package_groups),
    read_fn!(model_package_group),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateModelPackageGroup", "DeleteModelPackageGroup"],
    id: &["modelPackageGroupName"],
    part: None,
}]);
