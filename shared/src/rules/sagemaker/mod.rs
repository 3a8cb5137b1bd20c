//! SageMaker rules.

pub mod domain_iam_auth;
pub mod domain_public_internet;
pub mod endpoint_config_single_instance;
pub mod endpoint_config_without_kms;
pub mod endpoint_model_not_from_registry;
pub mod endpoint_not_monitored;
pub mod endpoint_without_bias_monitoring;
pub mod feature_group_without_kms;
pub mod inference_experiment_without_kms;
pub mod job_inter_container_encryption_disabled;
pub mod job_network_isolation_disabled;
pub mod job_storage_without_kms;
pub mod job_without_vpc;
pub mod model_image_not_from_vpc_registry;
pub mod model_network_isolation_disabled;
pub mod model_public_registry_image;
pub mod model_without_vpc;
pub mod monitoring_job_inter_container_encryption_disabled;
pub mod monitoring_job_network_isolation_disabled;
pub mod notebook_direct_internet_access;
pub mod notebook_lifecycle_secrets;
pub mod notebook_outdated_platform;
pub mod notebook_root_access;
pub mod notebook_without_kms;
pub mod notebook_without_vpc;

use crate::model::{Asset, AssetType, FindingEvidence, Inventory};
use crate::rules::{Hit, of_type};

/// Notebooks whose boolean attribute `key` equals `flagged`. A notebook that
/// did not report the attribute is skipped, never passed.
pub(crate) fn notebooks_where(inv: &Inventory, key: &str, field: &str, flagged: bool) -> Vec<Hit> {
    of_type(inv, AssetType::SagemakerNotebookInstance)
        .filter(|n| n.bool_attr(key) == Some(flagged))
        .map(|n| Hit {
            resource_arn: n.arn.clone(),
            evidence: vec![FindingEvidence::new(
                "sagemaker:DescribeNotebookInstance",
                field,
                if flagged { "Enabled" } else { "Disabled" },
            )],
        })
        .collect()
}

/// The Describe call an asset's attributes came from, for evidence.
pub(crate) fn describe_call(t: AssetType) -> &'static str {
    match t {
        AssetType::SagemakerTrainingJob => "sagemaker:DescribeTrainingJob",
        AssetType::SagemakerProcessingJob => "sagemaker:DescribeProcessingJob",
        AssetType::SagemakerTransformJob => "sagemaker:DescribeTransformJob",
        AssetType::SagemakerTuningJob => "sagemaker:DescribeHyperParameterTuningJob",
        _ => "sagemaker:Describe",
    }
}

/// Where a job's network setting `field` sits in its description: processing
/// jobs carry it under `NetworkConfig`, training and tuning jobs at the top.
pub(crate) fn network_field(t: AssetType, field: &'static str) -> &'static str {
    match (t, field) {
        (AssetType::SagemakerProcessingJob, "EnableNetworkIsolation") => {
            "NetworkConfig.EnableNetworkIsolation"
        }
        (AssetType::SagemakerProcessingJob, "EnableInterContainerTrafficEncryption") => {
            "NetworkConfig.EnableInterContainerTrafficEncryption"
        }
        _ => field,
    }
}

/// Model Monitor job definitions whose network setting `key` (read from
/// `NetworkConfig.<field>`) is off, with the Describe call of their kind and
/// whether the value was AWS's default for an omitted field.
pub(crate) fn monitoring_defs_off(inv: &Inventory, key: &str, field: &str) -> Vec<Hit> {
    of_type(inv, AssetType::SagemakerMonitoringJobDefinition)
        .filter(|d| d.bool_attr(key) == Some(false))
        .map(|d| {
            let kind = d.str_attr("kind").unwrap_or_default();
            let call = match kind {
                "data_quality" => "sagemaker:DescribeDataQualityJobDefinition",
                "model_quality" => "sagemaker:DescribeModelQualityJobDefinition",
                "model_bias" => "sagemaker:DescribeModelBiasJobDefinition",
                "model_explainability" => "sagemaker:DescribeModelExplainabilityJobDefinition",
                _ => "sagemaker:Describe",
            };
            let defaulted = d
                .attributes
                .get("defaulted")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v == key));
            let mut evidence = vec![
                FindingEvidence::new(call, &format!("NetworkConfig.{field}"), false),
                FindingEvidence::new(call, "kind", kind),
            ];
            if defaulted {
                evidence.push(FindingEvidence::new(
                    call,
                    "defaulted",
                    "the definition omits the field; AWS's default is false",
                ));
            }
            Hit {
                resource_arn: d.arn.clone(),
                evidence,
            }
        })
        .collect()
}

/// The production variants of an endpoint configuration.
pub(crate) fn variants(config: &Asset) -> impl Iterator<Item = &serde_json::Value> {
    config
        .attributes
        .get("variants")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
}

/// Whether an image URI names a private Amazon ECR repository
/// (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]/...`).
pub(crate) fn is_ecr_image(image: &str) -> bool {
    let host = image.split('/').next().unwrap_or_default();
    let mut parts = host.splitn(4, '.');
    let account = parts.next().unwrap_or_default();
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && parts.next() == Some("dkr")
        && parts.next() == Some("ecr")
        && parts.next().is_some_and(|rest| {
            rest.ends_with(".amazonaws.com") || rest.ends_with(".amazonaws.com.cn")
        })
}

/// The monitoring types (`DataQuality`, `ModelBias`, ...) of the schedules
/// that are running (`Scheduled`) against an endpoint.
pub(crate) fn running_monitors<'a>(inv: &'a Inventory, endpoint: &Asset) -> Vec<&'a str> {
    let mut types: Vec<&str> = of_type(inv, AssetType::SagemakerMonitoringSchedule)
        .filter(|m| {
            m.str_attr("endpoint_arn") == Some(endpoint.arn.as_str())
                && m.str_attr("status") == Some("Scheduled")
        })
        .filter_map(|m| m.str_attr("monitoring_type"))
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

#[cfg(test)]
mod tests {
    use super::is_ecr_image;

    #[test]
    fn ecr_images_are_recognised() {
        assert!(is_ecr_image(
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3"
        ));
        assert!(is_ecr_image(
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x@sha256:ab"
        ));
        assert!(!is_ecr_image("docker.io/library/python:3"));
        assert!(!is_ecr_image("public.ecr.aws/x/y:1"));
        assert!(!is_ecr_image("12345.dkr.ecr.us-east-1.amazonaws.com/x"));
        assert!(!is_ecr_image("123456789012.dkr.ecr.us-east-1.evil.com/x"));
    }
}
