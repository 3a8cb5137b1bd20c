//! SageMaker inference experiments (shadow tests of a new model variant
//! against production traffic): the list collector
//! `sagemaker.inference_experiments`. Attribute keys: `role_arn`,
//! `endpoint_name`, `kms_key_id` (the hosting instances' storage volumes),
//! `capture_destination`, `capture_kms_key_id` (the captured requests and
//! answers), `status`.

use super::prelude::*;

/// One experiment, described.
async fn inference_experiment(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeInferenceExperiment";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_inference_experiment()
            .name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d.arn().map(str::to_owned).unwrap_or_else(|| {
        ctx.arn(
            "sagemaker",
            &format!("inference-experiment/{}", name.to_lowercase()),
        )
    });
    let mut a = ctx.asset(&arn, AssetType::SagemakerInferenceExperiment, name);
    let storage = d.data_storage_config();
    a.set("role_arn", s(d.role_arn()))
        .set(
            "endpoint_name",
            s(d.endpoint_metadata().and_then(|e| e.endpoint_name())),
        )
        .set("kms_key_id", s(d.kms_key()))
        .set(
            "capture_destination",
            s(storage.and_then(|c| c.destination())),
        )
        .set("capture_kms_key_id", s(storage.and_then(|c| c.kms_key())))
        .set("status", s(d.status().map(|x| x.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    edges.add_s3(
        &arn,
        storage.and_then(|c| c.destination()),
        EdgeKind::WritesData,
        "DataStorageConfig.Destination",
    );
    edges.add_kms(ctx, &arn, d.kms_key(), "KmsKey");
    edges.add_kms(
        ctx,
        &arn,
        storage.and_then(|c| c.kms_key()),
        "DataStorageConfig.KmsKey",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every inference experiment of the region.
pub async fn inference_experiments(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_inference_experiments,
        "sagemaker:ListInferenceExperiments",
        name
    );
    read_each(
        names,
        |n| async move { inference_experiment(ctx, &n).await },
    )
    .await
}

/// `sagemaker.inference_experiments`: listed by the sweep.
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "sagemaker.inference_experiments",
    Scope::Regional,
    list_fn!(inference_experiments),
);
