//! SageMaker training jobs: the single-resource reader and the list collector
//! `sagemaker.training_jobs`.

use super::prelude::*;

/// One training job: role, input and output buckets, encryption, isolation,
/// VPC.
pub async fn training_job(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeTrainingJob";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_training_job()
            .training_job_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d.training_job_arn().map(str::to_owned).unwrap_or_else(|| {
        ctx.arn(
            "sagemaker",
            &format!("training-job/{}", name.to_lowercase()),
        )
    });
    let mut a = ctx.asset(&arn, AssetType::SagemakerTrainingJob, name);
    let inputs: Vec<&str> = d
        .input_data_config()
        .iter()
        .filter_map(|c| c.data_source()?.s3_data_source()?.s3_uri())
        .collect();
    let output = d.output_data_config().and_then(|o| o.s3_output_path());
    let output_kms = d.output_data_config().and_then(|o| o.kms_key_id());
    let volume_kms = d.resource_config().and_then(|r| r.volume_kms_key_id());
    a.set("role_arn", s(d.role_arn()))
        .set("input_s3_uris", Some(strings(inputs.iter().copied())))
        .set("output_s3_uri", s(output))
        .set("output_kms_key_id", s(output_kms))
        .set("volume_kms_key_id", s(volume_kms))
        .set_reported(
            "network_isolation",
            d.enable_network_isolation().map(Value::Bool),
        )
        .set_reported(
            "inter_container_encryption",
            d.enable_inter_container_traffic_encryption()
                .map(Value::Bool),
        )
        .set(
            "vpc_configured",
            Some(Value::Bool(
                d.vpc_config().is_some_and(|v| !v.subnets().is_empty()),
            )),
        )
        .set(
            "model_artifacts",
            s(d.model_artifacts().and_then(|m| m.s3_model_artifacts())),
        )
        .set("status", s(d.training_job_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    for uri in inputs {
        edges.add_s3(
            &arn,
            Some(uri),
            EdgeKind::ReadsData,
            "InputDataConfig.DataSource.S3DataSource.S3Uri",
        );
    }
    edges.add_s3(
        &arn,
        output,
        EdgeKind::WritesData,
        "OutputDataConfig.S3OutputPath",
    );
    edges.add_kms(ctx, &arn, output_kms, "OutputDataConfig.KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Training jobs.
pub async fn training_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let listed = recent_jobs!(
        ctx,
        list_training_jobs,
        "sagemaker:ListTrainingJobs",
        training_job_name,
        training_job_status
    );
    read_recent(ctx, "sagemaker.training_jobs", listed, |n| async move {
        training_job(ctx, &n).await
    })
    .await
}

/// `sagemaker.training_jobs`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.training_jobs",
    Scope::Regional,
    AssetType::SagemakerTrainingJob,
    list_fn!(training_jobs),
    read_fn!(training_job),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateTrainingJob", "UpdateTrainingJob"],
    id: &["trainingJobName"],
    part: None,
}]);
