//! SageMaker pipelines: the single-resource reader and the list collector
//! `sagemaker.pipelines`.

use super::prelude::*;

/// Every `s3://` URI inside a pipeline definition, wherever the step keeps it.
fn s3_uris_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("s3://") => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| s3_uris_in(x, out)),
        Value::Object(o) => o.values().for_each(|x| s3_uris_in(x, out)),
        _ => {}
    }
}

/// One pipeline: role and the S3 locations its definition reads.
pub async fn pipeline(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribePipeline";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_pipeline()
            .pipeline_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .pipeline_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("pipeline/{}", name.to_lowercase())));
    let mut a = ctx.asset(&arn, AssetType::SagemakerPipeline, name);
    a.tags = tags(ctx, &arn).await?;
    let mut uris = Vec::new();
    if let Some(def) = d
        .pipeline_definition()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    {
        s3_uris_in(&def, &mut uris);
    }
    uris.sort();
    uris.dedup();
    a.set("role_arn", s(d.role_arn()))
        .set("s3_uris", Some(strings(uris.iter().map(String::as_str))))
        .set("status", s(d.pipeline_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    for uri in &uris {
        edges.add_s3(&arn, Some(uri), EdgeKind::ReadsData, "PipelineDefinition");
    }
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Pipelines.
pub async fn pipelines(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_pipelines,
        "sagemaker:ListPipelines",
        pipeline_name
    );
    read_each(names, |n| async move { pipeline(ctx, &n).await }).await
}

/// `sagemaker.pipelines`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.pipelines",
    Scope::Regional,
    AssetType::SagemakerPipeline,
    list_fn!(pipelines),
    read_fn!(pipeline),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreatePipeline", "UpdatePipeline", "DeletePipeline"],
    id: &["pipelineName"],
    part: None,
}]);
