//! SageMaker transform jobs: the single-resource reader and the list collector
//! `sagemaker.transform_jobs`.

use super::prelude::*;

/// One batch transform job: model, input and output, encryption.
pub async fn transform_job(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeTransformJob";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_transform_job()
            .transform_job_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d.transform_job_arn().map(str::to_owned).unwrap_or_else(|| {
        ctx.arn(
            "sagemaker",
            &format!("transform-job/{}", name.to_lowercase()),
        )
    });
    let mut a = ctx.asset(&arn, AssetType::SagemakerTransformJob, name);
    let input = d
        .transform_input()
        .and_then(|i| i.data_source())
        .and_then(|d| d.s3_data_source())
        .and_then(|s| s.s3_uri());
    let output = d.transform_output().and_then(|o| o.s3_output_path());
    a.set("model_name", s(d.model_name()))
        .set("input_s3_uri", s(input))
        .set("output_s3_uri", s(output))
        .set(
            "output_kms_key_id",
            s(d.transform_output().and_then(|o| o.kms_key_id())),
        )
        .set(
            "volume_kms_key_id",
            s(d.transform_resources().and_then(|r| r.volume_kms_key_id())),
        )
        .set("status", s(d.transform_job_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    if let Some(m) = d.model_name() {
        let model_arn = ctx.arn("sagemaker", &format!("model/{}", m.to_lowercase()));
        edges.add(&arn, Some(&model_arn), EdgeKind::UsesModel, "ModelName");
    }
    edges.add_s3(
        &arn,
        input,
        EdgeKind::ReadsData,
        "TransformInput.DataSource.S3DataSource.S3Uri",
    );
    edges.add_s3(
        &arn,
        output,
        EdgeKind::WritesData,
        "TransformOutput.S3OutputPath",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Batch transform jobs.
pub async fn transform_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let listed = recent_jobs!(
        ctx,
        list_transform_jobs,
        "sagemaker:ListTransformJobs",
        transform_job_name,
        transform_job_status
    );
    read_recent(ctx, "sagemaker.transform_jobs", listed, |n| async move {
        transform_job(ctx, &n).await
    })
    .await
}

/// `sagemaker.transform_jobs`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.transform_jobs",
    Scope::Regional,
    AssetType::SagemakerTransformJob,
    list_fn!(transform_jobs),
    read_fn!(transform_job),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateTransformJob"],
    id: &["transformJobName"],
    part: None,
}]);
