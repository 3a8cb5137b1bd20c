//! SageMaker collectors. Attribute keys written here are the ones rules read:
//! `direct_internet_access`, `root_access`, `subnet_id`, `kms_key_id`, `role_arn`,
//! `platform_identifier`, `network_isolation`, `inter_container_encryption`,
//! `vpc_configured`, `container_images`, `variants`, `app_network_access_type`,
//! `auth_mode`, `status`, `creation_time`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::util::{EdgeSink, arn_tail, found, read_each, s, strings, ts};
use super::{Batch, Ctx};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// What a single-resource reader returns: the resource's batch, or `None`
/// when it no longer exists.
type One = Result<Option<Batch>, CollectError>;

/// Lists one page-set of names with a paginator and keeps those present.
macro_rules! list {
    ($ctx:expr, $op:ident, $name:literal, $field:ident) => {
        $ctx.clients
            .sagemaker
            .$op()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .op($name)?
            .into_iter()
            .filter_map(|m| m.$field().map(str::to_owned))
            .collect::<Vec<String>>()
    };
}

async fn tags(ctx: &Ctx, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let items: Vec<_> = ctx
        .clients
        .sagemaker
        .list_tags()
        .resource_arn(arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("sagemaker:ListTags")?;
    Ok(items
        .iter()
        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
        .collect())
}

fn enabled(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::Bool(x.eq_ignore_ascii_case("Enabled")))
}

/// One notebook instance: internet access, root access, VPC, KMS, platform.
pub async fn notebook(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeNotebookInstance";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_notebook_instance()
            .notebook_instance_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .notebook_instance_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("notebook-instance/{name}")));
    let mut a = ctx.asset(&arn, AssetType::SagemakerNotebookInstance, name);
    a.tags = tags(ctx, &arn).await?;
    a.set(
        "direct_internet_access",
        enabled(d.direct_internet_access().map(|v| v.as_str())),
    )
    .set("root_access", enabled(d.root_access().map(|v| v.as_str())))
    .set("subnet_id", s(d.subnet_id()))
    .set("kms_key_id", s(d.kms_key_id()))
    .set("role_arn", s(d.role_arn()))
    .set("platform_identifier", s(d.platform_identifier()))
    .set("instance_type", s(d.instance_type().map(|t| t.as_str())))
    .set(
        "status",
        s(d.notebook_instance_status().map(|t| t.as_str())),
    )
    .set(
        "lifecycle_config",
        s(d.notebook_instance_lifecycle_config_name()),
    )
    .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Notebook instances.
pub async fn notebook_instances(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_notebook_instances,
        "sagemaker:ListNotebookInstances",
        notebook_instance_name
    );
    read_each(names, |n| async move { notebook(ctx, &n).await }).await
}

/// One Studio domain (`id`: its id or ARN): network access type, auth mode,
/// default execution role, KMS.
pub async fn domain(ctx: &Ctx, id: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeDomain";
    let id = arn_tail(id);
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_domain()
            .domain_id(id)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .domain_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("domain/{id}")));
    let name = d.domain_name().unwrap_or(id).to_owned();
    let mut a = ctx.asset(&arn, AssetType::SagemakerDomain, &name);
    a.tags = tags(ctx, &arn).await?;
    let role = d.default_user_settings().and_then(|u| u.execution_role());
    a.set("domain_id", Some(json!(id)))
        .set(
            "app_network_access_type",
            s(d.app_network_access_type().map(|t| t.as_str())),
        )
        .set("auth_mode", s(d.auth_mode().map(|t| t.as_str())))
        .set("kms_key_id", s(d.kms_key_id()))
        .set("role_arn", s(role))
        .set("vpc_id", s(d.vpc_id()))
        .set("status", s(d.status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        role,
        EdgeKind::ExecutesAs,
        "DefaultUserSettings.ExecutionRole",
    );
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Studio domains.
pub async fn domains(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list!(ctx, list_domains, "sagemaker:ListDomains", domain_id);
    read_each(ids, |id| async move { domain(ctx, &id).await }).await
}

/// One Studio user profile (`DOMAIN_ID/NAME`) and its execution role.
pub async fn user_profile(ctx: &Ctx, id: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeUserProfile";
    let Some((domain, name)) = id.split_once('/') else {
        return Ok(None);
    };
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_user_profile()
            .domain_id(domain)
            .user_profile_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .user_profile_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("user-profile/{domain}/{name}")));
    let role = d.user_settings().and_then(|u| u.execution_role());
    let mut a = ctx.asset(&arn, AssetType::SagemakerUserProfile, name);
    a.set("domain_id", Some(json!(domain)))
        .set("role_arn", s(role))
        .set("status", s(d.status().map(|t| t.as_str())));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        role,
        EdgeKind::ExecutesAs,
        "UserSettings.ExecutionRole",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Studio user profiles.
pub async fn user_profiles(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .sagemaker
        .list_user_profiles()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("sagemaker:ListUserProfiles")?
        .into_iter()
        .filter_map(|p| Some(format!("{}/{}", p.domain_id()?, p.user_profile_name()?)))
        .collect();
    read_each(ids, |id| async move { user_profile(ctx, &id).await }).await
}

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
        .set("model_data_urls", Some(strings(data.iter().copied())))
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

/// One endpoint configuration: KMS, production variants and the models they
/// serve.
pub async fn endpoint_config(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeEndpointConfig";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .endpoint_config_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            ctx.arn(
                "sagemaker",
                &format!("endpoint-config/{}", name.to_lowercase()),
            )
        });
    let mut a = ctx.asset(&arn, AssetType::SagemakerEndpointConfig, name);
    let variants: Vec<Value> = d
        .production_variants()
        .iter()
        .map(|v| {
            json!({
                "variant_name": v.variant_name(),
                "model_name": v.model_name(),
                "initial_instance_count": v.initial_instance_count(),
                "instance_type": v.instance_type().map(|t| t.as_str()),
                "serverless": v.serverless_config().is_some(),
            })
        })
        .collect();
    a.set("kms_key_id", s(d.kms_key_id()))
        .set("variants", Some(Value::Array(variants)))
        .set(
            "data_capture",
            d.data_capture_config()
                .map(|c| Value::Bool(c.enable_capture().unwrap_or(false))),
        )
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    for v in d.production_variants() {
        if let Some(m) = v.model_name() {
            let model_arn = ctx.arn("sagemaker", &format!("model/{}", m.to_lowercase()));
            edges.add(
                &arn,
                Some(&model_arn),
                EdgeKind::ServesModel,
                "ProductionVariants.ModelName",
            );
        }
    }
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Endpoint configurations.
pub async fn endpoint_configs(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_endpoint_configs,
        "sagemaker:ListEndpointConfigs",
        endpoint_config_name
    );
    read_each(names, |n| async move { endpoint_config(ctx, &n).await }).await
}

/// One endpoint and the configuration it serves.
pub async fn endpoint(ctx: &Ctx, name: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeEndpoint";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_endpoint()
            .endpoint_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .endpoint_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("endpoint/{}", name.to_lowercase())));
    let mut a = ctx.asset(&arn, AssetType::SagemakerEndpoint, name);
    a.tags = tags(ctx, &arn).await?;
    a.set("endpoint_config_name", s(d.endpoint_config_name()))
        .set("status", s(d.endpoint_status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    if let Some(cfg) = d.endpoint_config_name() {
        let cfg_arn = ctx.arn(
            "sagemaker",
            &format!("endpoint-config/{}", cfg.to_lowercase()),
        );
        edges.add(
            &arn,
            Some(&cfg_arn),
            EdgeKind::UsesEndpointConfig,
            "EndpointConfigName",
        );
    }
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Endpoints.
pub async fn endpoints(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_endpoints,
        "sagemaker:ListEndpoints",
        endpoint_name
    );
    read_each(names, |n| async move { endpoint(ctx, &n).await }).await
}

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
    let names = list!(
        ctx,
        list_training_jobs,
        "sagemaker:ListTrainingJobs",
        training_job_name
    );
    read_each(names, |n| async move { training_job(ctx, &n).await }).await
}

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
    let names = list!(
        ctx,
        list_processing_jobs,
        "sagemaker:ListProcessingJobs",
        processing_job_name
    );
    read_each(names, |n| async move { processing_job(ctx, &n).await }).await
}

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
    let names = list!(
        ctx,
        list_transform_jobs,
        "sagemaker:ListTransformJobs",
        transform_job_name
    );
    read_each(names, |n| async move { transform_job(ctx, &n).await }).await
}

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
    let names = list!(
        ctx,
        list_hyper_parameter_tuning_jobs,
        "sagemaker:ListHyperParameterTuningJobs",
        hyper_parameter_tuning_job_name
    );
    read_each(names, |n| async move { tuning_job(ctx, &n).await }).await
}

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
