//! SageMaker tuning jobs: the single-resource reader and the list collector
//! `sagemaker.tuning_jobs`.

use super::prelude::*;

/// One hyperparameter tuning job: the training definition's role, data and
/// settings.
pub async fn tuning_job(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeHyperParameterTuningJob";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_hyper_parameter_tuning_job()
            .hyper_parameter_tuning_job_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .hyper_parameter_tuning_job_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            ctx.arn(
                "sagemaker",
                &format!("hyper-parameter-tuning-job/{}", name.to_lowercase()),
            )
        });
    let mut a = ctx.asset(&arn, AssetType::SagemakerTuningJob, name);
    let def = d.training_job_definition();
    let role = def.and_then(|t| t.role_arn());
    let inputs: Vec<&str> = def
        .map(|t| {
            t.input_data_config()
                .iter()
                .filter_map(|c| c.data_source()?.s3_data_source()?.s3_uri())
                .collect()
        })
        .unwrap_or_default();
    let output = def
        .and_then(|t| t.output_data_config())
        .and_then(|o| o.s3_output_path());
    a.set("role_arn", s(role))
        .set("input_s3_uris", Some(strings(inputs.iter().copied())))
        .set("output_s3_uri", s(output))
        .set_reported(
            "network_isolation",
            def.and_then(|t| t.enable_network_isolation())
                .map(Value::Bool),
        )
        .set_reported(
            "inter_container_encryption",
            def.and_then(|t| t.enable_inter_container_traffic_encryption())
                .map(Value::Bool),
        )
        .set(
            "status",
            s(d.hyper_parameter_tuning_job_status().map(|t| t.as_str())),
        )
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        role,
        EdgeKind::ExecutesAs,
        "TrainingJobDefinition.RoleArn",
    );
    for uri in inputs {
        edges.add_s3(
            &arn,
            Some(uri),
            EdgeKind::ReadsData,
            "TrainingJobDefinition.InputDataConfig",
        );
    }
    edges.add_s3(
        &arn,
        output,
        EdgeKind::WritesData,
        "TrainingJobDefinition.OutputDataConfig.S3OutputPath",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Hyperparameter tuning jobs.
pub async fn tuning_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let listed = recent_jobs!(
        ctx,
        list_hyper_parameter_tuning_jobs,
        "sagemaker:ListHyperParameterTuningJobs",
        hyper_parameter_tuning_job_name,
        hyper_parameter_tuning_job_status
    );
    read_recent(ctx, "sagemaker.tuning_jobs", listed, |n| async move {
        tuning_job(ctx, &n).await
    })
    .await
}

/// `sagemaker.tuning_jobs`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.tuning_jobs",
    Scope::Regional,
    AssetType::SagemakerTuningJob,
    list_fn!(tuning_jobs),
    read_fn!(tuning_job),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &[
        "CreateHyperParameterTuningJob",
        "DeleteHyperParameterTuningJob",
    ],
    id: &["hyperParameterTuningJobName"],
    part: None,
}]);
