//! SageMaker feature groups: the single-resource reader and the list collector
//! `sagemaker.feature_groups`.

use super::prelude::*;

/// One feature group: online and offline store encryption and role.
pub async fn feature_group(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeFeatureGroup";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_feature_group()
            .feature_group_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d.feature_group_arn().map(str::to_owned).unwrap_or_else(|| {
        ctx.arn(
            "sagemaker",
            &format!("feature-group/{}", name.to_lowercase()),
        )
    });
    let mut a = ctx.asset(&arn, AssetType::SagemakerFeatureGroup, name);
    let online_kms = d
        .online_store_config()
        .and_then(|o| o.security_config())
        .and_then(|s| s.kms_key_id());
    let offline = d.offline_store_config().and_then(|o| o.s3_storage_config());
    a.set(
        "online_store",
        Some(Value::Bool(d.online_store_config().is_some())),
    )
    .set("online_kms_key_id", s(online_kms))
    .set("offline_s3_uri", s(offline.and_then(|o| o.s3_uri())))
    .set(
        "offline_kms_key_id",
        s(offline.and_then(|o| o.kms_key_id())),
    )
    .set("role_arn", s(d.role_arn()))
    .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    edges.add_s3(
        &arn,
        offline.and_then(|o| o.s3_uri()),
        EdgeKind::WritesData,
        "OfflineStoreConfig.S3StorageConfig.S3Uri",
    );
    edges.add_kms(
        ctx,
        &arn,
        online_kms,
        "OnlineStoreConfig.SecurityConfig.KmsKeyId",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Feature groups.
pub async fn feature_groups(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_feature_groups,
        "sagemaker:ListFeatureGroups",
        feature_group_name
    );
    read_each(names, |n| async move { feature_group(ctx, &n).await }).await
}

/// `sagemaker.feature_groups`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.feature_groups",
    Scope::Regional,
    AssetType::SagemakerFeatureGroup,
    list_fn!(feature_groups),
    read_fn!(feature_group),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &[
        "CreateFeatureGroup",
        "UpdateFeatureGroup",
        "DeleteFeatureGroup",
    ],
    id: &["featureGroupName"],
    part: None,
}]);
