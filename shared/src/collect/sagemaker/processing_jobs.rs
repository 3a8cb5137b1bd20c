//! SageMaker processing jobs: the single-resource reader and the list collector
//! `sagemaker.processing_jobs`.

use super::prelude::*;

/// One processing job: role, inputs, outputs, encryption, isolation.
pub async fn processing_job(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeProcessingJob";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_processing_job()
            .processing_job_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .processing_job_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            ctx.arn(
                "sagemaker",
                &format!("processing-job/{}", name.to_lowercase()),
            )
        });
    let mut a = ctx.asset(&arn, AssetType::SagemakerProcessingJob, name);
    let inputs: Vec<&str> = d
        .processing_inputs()
        .iter()
        .filter_map(|i| i.s3_input()?.s3_uri())
        .collect();
    let outputs: Vec<&str> = d
        .processing_output_config()
        .map(|c| {
            c.outputs()
                .iter()
                .filter_map(|o| o.s3_output().and_then(|s| s.s3_uri()))
                .collect()
        })
        .unwrap_or_default();
    let net = d.network_config();
    a.set("role_arn", s(d.role_arn()))
        .set(
            "image_uri",
            s(d.app_specification().and_then(|a| a.image_uri())),
        )
        .set("input_s3_uris", Some(strings(inputs.iter().copied())))
        .set("output_s3_uris", Some(strings(outputs.iter().copied())))
        .set(
            "output_kms_key_id",
            s(d.processing_output_config().and_then(|c| c.kms_key_id())),
        )
        .set(
            "volume_kms_key_id",
            s(d.processing_resources()
                .and_then(|r| r.cluster_config())
                .and_then(|c| c.volume_kms_key_id())),
        )
        .set(
            "network_isolation",
            net.and_then(|n| n.enable_network_isolation())
                .map(Value::Bool),
        )
        .set(
            "inter_container_encryption",
            net.and_then(|n| n.enable_inter_container_traffic_encryption())
                .map(Value::Bool),
        )
        .set(
            "vpc_configured",
            Some(Value::Bool(
                net.and_then(|n| n.vpc_config())
                    .is_some_and(|v| !v.subnets().is_empty()),
            )),
        )
        .set("status", s(d.processing_job_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    // AWS always answers with the cluster (at least one instance). An
    // emulator may drop it, and the SDK then fills a default with zero
    // instances: the volume key was not reported, not unset.
    let cluster_reported = d
        .processing_resources()
        .and_then(|r| r.cluster_config())
        .is_some_and(|c| c.instance_count().unwrap_or(0) > 0);
    if !cluster_reported {
        a.mark_unreported("volume_kms_key_id");
    }
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    for uri in inputs {
        edges.add_s3(
            &arn,
            Some(uri),
            EdgeKind::ReadsData,
            "ProcessingInputs.S3Input.S3Uri",
        );
    }
    for uri in outputs {
        edges.add_s3(
            &arn,
            Some(uri),
            EdgeKind::WritesData,
            "ProcessingOutputConfig.Outputs.S3Output.S3Uri",
        );
    }
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Processing jobs.
pub async fn processing_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let listed = recent_jobs!(
        ctx,
        list_processing_jobs,
        "sagemaker:ListProcessingJobs",
        processing_job_name,
        processing_job_status
    );
    read_recent(ctx, "sagemaker.processing_jobs", listed, |n| async move {
        processing_job(ctx, &n).await
    })
    .await
}

/// `sagemaker.processing_jobs`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.processing_jobs",
    Scope::Regional,
    AssetType::SagemakerProcessingJob,
    list_fn!(processing_jobs),
    read_fn!(processing_job),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateProcessingJob"],
    id: &["processingJobName"],
    part: None,
}]);
