//! Bedrock control-plane collectors. Attribute keys: `kms_key_arn`,
//! `base_model_arn`, `training_s3_uri`, `output_s3_uri`, `enabled`,
//! `s3_bucket`, `log_group`, `text_data_delivery`, `content_filters`,
//! `prompt_attack_strength`, `sensitive_information_filter`,
//! `sensitive_information_output` (a PII entity or regex blocks or masks
//! output), `contextual_grounding` (enabled filters), `model_arn`.

use serde_json::{Value, json};

use super::spec::{EventCalls, ResourceSpec, by_arn, list_fn, read_fn};
use super::util::{EdgeSink, found, read_each, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// What a single-resource reader returns: the resource's batch, or `None`
/// when it no longer exists.
type One = Result<Option<Batch>, CollectError>;

async fn tags(
    ctx: &Ctx,
    arn: &str,
) -> Result<std::collections::BTreeMap<String, String>, CollectError> {
    let out = ctx
        .clients
        .bedrock
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .op("bedrock:ListTagsForResource")?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect())
}

/// One custom (fine-tuned) model (`id`: name or ARN): KMS key, base model,
/// training data.
pub async fn custom_model(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock:GetCustomModel";
    let Some(d) = found(
        ctx.clients
            .bedrock
            .get_custom_model()
            .model_identifier(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = d.model_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockCustomModel, d.model_name());
    a.tags = tags(ctx, arn).await?;
    let training = d.training_data_config().and_then(|t| t.s3_uri());
    let output = d.output_data_config().map(|o| o.s3_uri());
    a.set("kms_key_arn", s(d.model_kms_key_arn()))
        .set("base_model_arn", s(d.base_model_arn()))
        .set("job_arn", s(d.job_arn()))
        .set("training_s3_uri", s(training))
        .set("output_s3_uri", s(output))
        .set(
            "customization_type",
            s(d.customization_type().map(|t| t.as_str())),
        )
        .set("creation_time", ts(Some(d.creation_time())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, d.base_model_arn(), EdgeKind::BasedOn, "baseModelArn");
    edges.add_s3(
        arn,
        training,
        EdgeKind::ReadsData,
        "trainingDataConfig.s3Uri",
    );
    edges.add_kms(ctx, arn, d.model_kms_key_arn(), "modelKmsKeyArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Custom (fine-tuned) models.
pub async fn custom_models(ctx: &Ctx) -> Result<Batch, CollectError> {
    let arns: Vec<String> = ctx
        .clients
        .bedrock
        .list_custom_models()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock:ListCustomModels")?
        .into_iter()
        .map(|m| m.model_arn().to_owned())
        .collect();
    read_each(arns, |arn| async move { custom_model(ctx, &arn).await }).await
}

/// One model customization job (`id`: name or ARN): role, training data,
/// output, produced model.
pub async fn customization_job(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock:GetModelCustomizationJob";
    let Some(d) = found(
        ctx.clients
            .bedrock
            .get_model_customization_job()
            .job_identifier(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = d.job_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockCustomizationJob, d.job_name());
    let training = d.training_data_config().and_then(|t| t.s3_uri());
    let output = d.output_data_config().map(|o| o.s3_uri());
    a.set("role_arn", Some(json!(d.role_arn())))
        .set("base_model_arn", Some(json!(d.base_model_arn())))
        .set("training_s3_uri", s(training))
        .set("output_s3_uri", s(output))
        .set("output_model_arn", s(d.output_model_arn()))
        .set("kms_key_arn", s(d.output_model_kms_key_arn()))
        .set(
            "vpc_configured",
            Some(Value::Bool(d.vpc_config().is_some())),
        )
        .set("status", s(d.status().map(|t| t.as_str())))
        .set("creation_time", ts(Some(d.creation_time())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, Some(d.role_arn()), EdgeKind::ExecutesAs, "roleArn");
    edges.add_s3(
        arn,
        training,
        EdgeKind::ReadsData,
        "trainingDataConfig.s3Uri",
    );
    edges.add_s3(arn, output, EdgeKind::WritesData, "outputDataConfig.s3Uri");
    edges.add(
        arn,
        d.output_model_arn(),
        EdgeKind::Produces,
        "outputModelArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Model customization jobs.
pub async fn customization_jobs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let arns: Vec<String> = ctx
        .clients
        .bedrock
        .list_model_customization_jobs()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock:ListModelCustomizationJobs")?
        .into_iter()
        .map(|m| m.job_arn().to_owned())
        .collect();
    read_each(
        arns,
        |arn| async move { customization_job(ctx, &arn).await },
    )
    .await
}

/// One provisioned throughput (`id`: name or ARN) and the model it serves.
pub async fn provisioned(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock:GetProvisionedModelThroughput";
    let Some(p) = found(
        ctx.clients
            .bedrock
            .get_provisioned_model_throughput()
            .provisioned_model_id(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = p.provisioned_model_arn();
    let mut a = ctx.asset(
        arn,
        AssetType::BedrockProvisionedThroughput,
        p.provisioned_model_name(),
    );
    a.set("model_arn", Some(json!(p.model_arn())))
        .set("model_units", Some(json!(p.model_units())))
        .set("status", Some(json!(p.status().as_str())))
        .set("creation_time", ts(Some(p.creation_time())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, Some(p.model_arn()), EdgeKind::UsesModel, "modelArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Provisioned throughput and the model it serves.
pub async fn provisioned_throughput(ctx: &Ctx) -> Result<Batch, CollectError> {
    const LIST: &str = "bedrock:ListProvisionedModelThroughputs";
    let items = ctx
        .clients
        .bedrock
        .list_provisioned_model_throughputs()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op(LIST)?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(LIST);
    for p in items {
        let arn = p.provisioned_model_arn();
        let mut a = ctx.asset(
            arn,
            AssetType::BedrockProvisionedThroughput,
            p.provisioned_model_name(),
        );
        a.set("model_arn", Some(json!(p.model_arn())))
            .set("model_units", Some(json!(p.model_units())))
            .set("status", Some(json!(p.status().as_str())))
            .set("creation_time", ts(Some(p.creation_time())));
        edges.add(arn, Some(p.model_arn()), EdgeKind::UsesModel, "modelArn");
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    Ok(batch)
}

/// The region's model invocation logging configuration, as one asset whose
/// `enabled` attribute says whether any destination is configured.
pub async fn invocation_logging(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock:GetModelInvocationLoggingConfiguration";
    let out = ctx
        .clients
        .bedrock
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .op(GET)?;
    let arn = ctx.arn("bedrock", "model-invocation-logging");
    let mut a = ctx.asset(
        &arn,
        AssetType::BedrockInvocationLogging,
        "model-invocation-logging",
    );
    let mut edges = EdgeSink::new(GET);
    match out.logging_config() {
        Some(cfg) => {
            let bucket = cfg
                .s3_config()
                .map(|c| c.bucket_name())
                .filter(|b| !b.is_empty());
            let group = cfg
                .cloud_watch_config()
                .map(|c| c.log_group_name())
                .filter(|g| !g.is_empty());
            a.set(
                "enabled",
                Some(Value::Bool(bucket.is_some() || group.is_some())),
            )
            .set("s3_bucket", s(bucket))
            .set("log_group", s(group))
            .set(
                "log_role_arn",
                s(cfg.cloud_watch_config().map(|c| c.role_arn())),
            )
            .set(
                "text_data_delivery",
                cfg.text_data_delivery_enabled().map(Value::Bool),
            );
            if let Some(b) = bucket {
                edges.add(
                    &arn,
                    Some(&format!("arn:{}:s3:::{b}", ctx.partition)),
                    EdgeKind::LogsTo,
                    "loggingConfig.s3Config.bucketName",
                );
            }
        }
        None => {
            a.set("enabled", Some(Value::Bool(false)));
        }
    }
    Ok(Batch {
        assets: vec![a],
        edges: edges.edges,
        coverage: Vec::new(),
    })
}

/// One guardrail (`id`: id or ARN), its latest version: filters,
/// strengths, actions, KMS.
pub async fn guardrail(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock:GetGuardrail";
    let Some(d) = found(
        ctx.clients
            .bedrock
            .get_guardrail()
            .guardrail_identifier(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let mut edges = EdgeSink::new(GET);
    let arn = d.guardrail_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockGuardrail, d.name());
    let filters: Vec<Value> = d
        .content_policy()
        .map(|p| {
            p.filters()
                .iter()
                .map(|f| {
                    json!({
                        "type": f.r#type().as_str(),
                        "input_strength": f.input_strength().as_str(),
                        "output_strength": f.output_strength().as_str(),
                        "input_action": f.input_action().map(|x| x.as_str()),
                        "output_action": f.output_action().map(|x| x.as_str()),
                        "input_enabled": f.input_enabled(),
                        "output_enabled": f.output_enabled(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let prompt_attack = d.content_policy().and_then(|p| {
        p.filters()
            .iter()
            .find(|f| f.r#type().as_str() == "PROMPT_ATTACK")
            .map(|f| f.input_strength().as_str().to_owned())
    });
    let sensitive = d
        .sensitive_information_policy()
        .is_some_and(|p| !p.pii_entities().is_empty() || !p.regexes().is_empty());
    // Whether any PII entity or regex acts (blocks or masks) on model output.
    let acts = |enabled: Option<bool>, action: Option<&str>| {
        enabled != Some(false) && action.is_some_and(|a| a != "NONE")
    };
    let sensitive_output = d.sensitive_information_policy().map(|p| {
        p.pii_entities().iter().any(|e| {
            acts(
                e.output_enabled(),
                e.output_action().or(Some(e.action())).map(|a| a.as_str()),
            )
        }) || p.regexes().iter().any(|r| {
            acts(
                r.output_enabled(),
                r.output_action().or(Some(r.action())).map(|a| a.as_str()),
            )
        })
    });
    let grounding: Vec<Value> = d
        .contextual_grounding_policy()
        .map(|p| {
            p.filters()
                .iter()
                .filter(|f| f.enabled() != Some(false))
                .map(|f| {
                    json!({
                        "type": f.r#type().as_str(),
                        "threshold": f.threshold(),
                        "action": f.action().map(|a| a.as_str()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    a.set("version", Some(json!(d.version())))
        .set("status", Some(json!(d.status().as_str())))
        .set("content_filters", Some(Value::Array(filters)))
        .set("prompt_attack_strength", prompt_attack.map(Value::String))
        .set("sensitive_information_filter", Some(Value::Bool(sensitive)))
        .set(
            "sensitive_information_output",
            Some(Value::Bool(sensitive_output.unwrap_or(false))),
        )
        .set("contextual_grounding", Some(Value::Array(grounding)))
        .set("kms_key_arn", s(d.kms_key_arn()))
        .set("creation_time", ts(Some(d.created_at())));
    edges.add_kms(ctx, arn, d.kms_key_arn(), "kmsKeyArn");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Guardrails.
pub async fn guardrails(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock
        .list_guardrails()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock:ListGuardrails")?
        .into_iter()
        .map(|g| g.id().to_owned())
        .collect();
    read_each(ids, |id| async move { guardrail(ctx, &id).await }).await
}

const SOURCE: &str = "bedrock.amazonaws.com";

/// The region's logging configuration as a single-resource read (it has no
/// identifier; calls name none).
async fn invocation_logging_one(ctx: &Ctx, _id: &str) -> One {
    Ok(Some(invocation_logging(ctx).await?))
}

/// `bedrock.custom_models`.
pub const CUSTOM_MODELS: ResourceSpec = ResourceSpec::readable(
    "bedrock.custom_models",
    Scope::Regional,
    AssetType::BedrockCustomModel,
    list_fn!(custom_models),
    read_fn!(custom_model),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["DeleteCustomModel"],
    id: &["modelIdentifier"],
    part: None,
}]);

/// `bedrock.customization_jobs`: created by name, stopped by identifier.
pub const CUSTOMIZATION_JOBS: ResourceSpec = ResourceSpec::readable(
    "bedrock.customization_jobs",
    Scope::Regional,
    AssetType::BedrockCustomizationJob,
    list_fn!(customization_jobs),
    read_fn!(customization_job),
    by_arn,
)
.on(&[
    EventCalls {
        source: SOURCE,
        names: &["CreateModelCustomizationJob"],
        id: &["jobName"],
        part: None,
    },
    EventCalls {
        source: SOURCE,
        names: &["StopModelCustomizationJob"],
        id: &["jobIdentifier"],
        part: None,
    },
]);

/// `bedrock.guardrails`.
pub const GUARDRAILS: ResourceSpec = ResourceSpec::readable(
    "bedrock.guardrails",
    Scope::Regional,
    AssetType::BedrockGuardrail,
    list_fn!(guardrails),
    read_fn!(guardrail),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &["CreateGuardrail", "UpdateGuardrail", "DeleteGuardrail"],
    id: &["guardrailIdentifier", "response.guardrailId"],
    part: None,
}]);

/// `bedrock.invocation_logging`: one per region.
pub const INVOCATION_LOGGING: ResourceSpec = ResourceSpec::readable(
    "bedrock.invocation_logging",
    Scope::Regional,
    AssetType::BedrockInvocationLogging,
    list_fn!(invocation_logging),
    read_fn!(invocation_logging_one),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &[
        "PutModelInvocationLoggingConfiguration",
        "DeleteModelInvocationLoggingConfiguration",
    ],
    id: &[],
    part: None,
}]);

/// `bedrock.provisioned_throughput`.
pub const PROVISIONED_THROUGHPUT: ResourceSpec = ResourceSpec::readable(
    "bedrock.provisioned_throughput",
    Scope::Regional,
    AssetType::BedrockProvisionedThroughput,
    list_fn!(provisioned_throughput),
    read_fn!(provisioned),
    by_arn,
)
.on(&[EventCalls {
    source: SOURCE,
    names: &[
        "CreateProvisionedModelThroughput",
        "UpdateProvisionedModelThroughput",
        "DeleteProvisionedModelThroughput",
    ],
    id: &["provisionedModelId", "response.provisionedModelArn"],
    part: None,
}]);
