//! SageMaker Model Monitor job definitions (data quality, model quality, model
//! bias, model explainability): the list collector
//! `sagemaker.monitoring_job_definitions`.
//!
//! The four kinds share one shape (a role, a network configuration, a cluster
//! and an output, watching one endpoint) and one asset type; the attribute
//! `kind` says which. Their container sees the endpoint's captured requests
//! and answers. A definition's network settings are fixed at creation: an
//! omitted `NetworkConfig` (or field) is AWS's default, `false`, and is
//! recorded so with the evidence saying it was defaulted.

use super::prelude::*;

/// What every kind's Describe answer holds, read into one form.
struct Definition<'a> {
    arn: Option<&'a str>,
    role_arn: Option<&'a str>,
    network: Option<&'a aws_sdk_sagemaker::types::MonitoringNetworkConfig>,
    cluster: Option<&'a aws_sdk_sagemaker::types::MonitoringClusterConfig>,
    output_kms_key_id: Option<&'a str>,
    endpoint_name: Option<&'a str>,
    creation_time: Option<&'a aws_smithy_types::DateTime>,
}

/// One kind: its `kind` attribute, its ARN's resource type, its Describe call.
struct Kind {
    kind: &'static str,
    resource: &'static str,
    describe: &'static str,
}

const DATA_QUALITY: Kind = Kind {
    kind: "data_quality",
    resource: "data-quality-job-definition",
    describe: "sagemaker:DescribeDataQualityJobDefinition",
};
const MODEL_QUALITY: Kind = Kind {
    kind: "model_quality",
    resource: "model-quality-job-definition",
    describe: "sagemaker:DescribeModelQualityJobDefinition",
};
const MODEL_BIAS: Kind = Kind {
    kind: "model_bias",
    resource: "model-bias-job-definition",
    describe: "sagemaker:DescribeModelBiasJobDefinition",
};
const MODEL_EXPLAINABILITY: Kind = Kind {
    kind: "model_explainability",
    resource: "model-explainability-job-definition",
    describe: "sagemaker:DescribeModelExplainabilityJobDefinition",
};

/// The asset and edges of one definition.
fn asset(ctx: &Ctx, kind: &Kind, name: &str, d: &Definition<'_>) -> Batch {
    let arn = d
        .arn
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("{}/{name}", kind.resource)));
    let mut a = ctx.asset(&arn, AssetType::SagemakerMonitoringJobDefinition, name);
    let isolation = d.network.and_then(|n| n.enable_network_isolation());
    let encryption = d
        .network
        .and_then(|n| n.enable_inter_container_traffic_encryption());
    let mut defaulted = Vec::new();
    if isolation.is_none() {
        defaulted.push("network_isolation");
    }
    if encryption.is_none() {
        defaulted.push("inter_container_encryption");
    }
    a.set("kind", Some(json!(kind.kind)))
        .set("role_arn", s(d.role_arn))
        .set(
            "network_isolation",
            Some(Value::Bool(isolation.unwrap_or(false))),
        )
        .set(
            "inter_container_encryption",
            Some(Value::Bool(encryption.unwrap_or(false))),
        )
        .set(
            "vpc_configured",
            Some(Value::Bool(
                d.network
                    .and_then(|n| n.vpc_config())
                    .is_some_and(|v| !v.subnets().is_empty()),
            )),
        )
        .set(
            "volume_kms_key_id",
            s(d.cluster.and_then(|c| c.volume_kms_key_id())),
        )
        .set("output_kms_key_id", s(d.output_kms_key_id))
        .set("endpoint_name", s(d.endpoint_name))
        .set("creation_time", ts(d.creation_time));
    if !defaulted.is_empty() {
        a.set("defaulted", Some(json!(defaulted)));
    }
    let mut edges = EdgeSink::new(kind.describe);
    edges.add(&arn, d.role_arn, EdgeKind::ExecutesAs, "RoleArn");
    Batch::one(a, edges.edges)
}

/// Lists one kind and reads each definition: `$list` and `$describe` are the
/// client's operations, `$input` and `$output` the Describe answer's input and
/// output accessors.
macro_rules! kind {
    ($ctx:expr, $kind:expr, $list:ident, $list_name:literal, $describe:ident, $input:ident, $output:ident) => {{
        let ctx: &Ctx = $ctx;
        let names = list!(ctx, $list, $list_name, monitoring_job_definition_name);
        read_each(names, |name| async move {
            let Some(d) = found(
                ctx.clients
                    .sagemaker
                    .$describe()
                    .job_definition_name(&name)
                    .send()
                    .await
                    .op($kind.describe),
            )?
            else {
                return Ok(None);
            };
            let def = Definition {
                arn: d.job_definition_arn(),
                role_arn: d.role_arn(),
                network: d.network_config(),
                cluster: d.job_resources().and_then(|r| r.cluster_config()),
                output_kms_key_id: d.$output().and_then(|o| o.kms_key_id()),
                endpoint_name: d
                    .$input()
                    .and_then(|i| i.endpoint_input())
                    .and_then(|e| e.endpoint_name()),
                creation_time: d.creation_time(),
            };
            Ok(Some(asset(ctx, &$kind, &name, &def)))
        })
        .await?
    }};
}

/// Every monitoring job definition of the four kinds.
pub async fn monitoring_job_definitions(ctx: &Ctx) -> Result<Batch, CollectError> {
    let (dq, mq, bias, explain) = futures::try_join!(
        async {
            Ok::<_, CollectError>(kind!(
                ctx,
                DATA_QUALITY,
                list_data_quality_job_definitions,
                "sagemaker:ListDataQualityJobDefinitions",
                describe_data_quality_job_definition,
                data_quality_job_input,
                data_quality_job_output_config
            ))
        },
        async {
            Ok(kind!(
                ctx,
                MODEL_QUALITY,
                list_model_quality_job_definitions,
                "sagemaker:ListModelQualityJobDefinitions",
                describe_model_quality_job_definition,
                model_quality_job_input,
                model_quality_job_output_config
            ))
        },
        async {
            Ok(kind!(
                ctx,
                MODEL_BIAS,
                list_model_bias_job_definitions,
                "sagemaker:ListModelBiasJobDefinitions",
                describe_model_bias_job_definition,
                model_bias_job_input,
                model_bias_job_output_config
            ))
        },
        async {
            Ok(kind!(
                ctx,
                MODEL_EXPLAINABILITY,
                list_model_explainability_job_definitions,
                "sagemaker:ListModelExplainabilityJobDefinitions",
                describe_model_explainability_job_definition,
                model_explainability_job_input,
                model_explainability_job_output_config
            ))
        },
    )?;
    Ok(Batch::concat([dq, mq, bias, explain]))
}

/// `sagemaker.monitoring_job_definitions`: listed by the sweep (definitions
/// cannot be changed, only created and deleted; a sweep sees both).
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "sagemaker.monitoring_job_definitions",
    Scope::Regional,
    list_fn!(monitoring_job_definitions),
);
