//! SageMaker MLOps hygiene on the emulator: endpoints serving a model built
//! outside the model registry, and endpoints without Model Monitor or
//! Clarify. moto keeps model packages (so the registry rule runs on plain
//! moto) but has no monitoring schedules: the monitoring rules are not
//! assessed there, never a pass, and judged where SageMaker answers
//! ListMonitoringSchedules as AWS does (a loopback responder).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use aispm_tests::emulator::Emulator;
use aispm_tests::proxy::{Fault, FaultProxy};
use aispm_tests::scenarios::{ACCOUNT, REGION};
use aws_sdk_sagemaker::types::{
    ContainerDefinition, InferenceSpecification, ModelApprovalStatus,
    ModelPackageContainerDefinition, ProductionVariant, ProductionVariantInstanceType,
    TransformInstanceType,
};
use serde_json::Value;

const IMAGE: &str = "763104351884.dkr.ecr.us-east-1.amazonaws.com/xgboost-inference:1.7-1";

/// Two endpoints: `churn` serves a model made from an approved model
/// package, `churn-adhoc` one made straight from an image and an artifact.
async fn seed(url: &str) {
    let cfg = aispm_tests::seed::emulator_config(url, REGION).await;
    let sm = aws_sdk_sagemaker::Client::new(&cfg);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/churn-serve-exec");
    sm.create_model_package_group()
        .model_package_group_name("churn-models")
        .send()
        .await
        .unwrap();
    let package = sm
        .create_model_package()
        .model_package_group_name("churn-models")
        .model_approval_status(ModelApprovalStatus::Approved)
        .inference_specification(
            InferenceSpecification::builder()
                .containers(
                    ModelPackageContainerDefinition::builder()
                        .image(IMAGE)
                        .model_data_url("s3://churn-artifacts/v3/model.tar.gz")
                        .build(),
                )
                .supported_content_types("text/csv")
                .supported_response_mime_types("text/csv")
                .supported_transform_instance_types(TransformInstanceType::MlM5Large)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let package = package.model_package_arn().unwrap().to_owned();
    for (name, container) in [
        (
            "churn",
            ContainerDefinition::builder()
                .model_package_name(&package)
                .build(),
        ),
        (
            "churn-adhoc",
            ContainerDefinition::builder()
                .image(IMAGE)
                .model_data_url("s3://churn-artifacts/adhoc/model.tar.gz")
                .build(),
        ),
    ] {
        sm.create_model()
            .model_name(name)
            .execution_role_arn(&role)
            .primary_container(container)
            .send()
            .await
            .unwrap();
        sm.create_endpoint_config()
            .endpoint_config_name(format!("{name}-config"))
            .production_variants(
                ProductionVariant::builder()
                    .variant_name("primary")
                    .model_name(name)
                    .initial_instance_count(2)
                    .instance_type(ProductionVariantInstanceType::MlM5Large)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        sm.create_endpoint()
            .endpoint_name(name)
            .endpoint_config_name(format!("{name}-config"))
            .send()
            .await
            .unwrap();
    }
}

fn scan(url: &str) -> Value {
    aispm_tests::aispm_json(env!("CARGO_BIN_EXE_aispm-e2e"), "scan", url, REGION)
}

fn endpoint(name: &str) -> String {
    format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}")
}

use aispm_tests::open_on as open;

#[test]
fn registry_monitor_and_clarify_are_judged_per_endpoint() {
    let emu = Emulator::start().unwrap();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(seed(&emu.url));

    let plain = scan(&emu.url);
    assert_eq!(
        open(&plain, "sagemaker_endpoint_model_not_from_registry"),
        [endpoint("churn-adhoc")],
        "the packaged model passes on plain moto"
    );
    for rule in [
        "sagemaker_endpoint_not_monitored",
        "sagemaker_endpoint_without_bias_monitoring",
    ] {
        assert!(
            open(&plain, rule).is_empty(),
            "{rule}: no schedules listed, none missing"
        );
        assert!(
            aispm_tests::not_assessed_by(&plain, rule, "sagemaker.monitoring_schedules"),
            "{rule}: {plain:#}"
        );
    }

    // SageMaker's JSON answer: `churn` has a data-quality and a bias
    // schedule running; `churn-adhoc` only a stopped one.
    let schedule = |name: &str, ep: &str, kind: &str, status: &str| {
        format!(
            r#"{{"MonitoringScheduleName":"{name}","MonitoringScheduleArn":"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/{name}","CreationTime":1795168800,"LastModifiedTime":1795168800,"MonitoringScheduleStatus":"{status}","EndpointName":"{ep}","MonitoringJobDefinitionName":"{name}-def","MonitoringType":"{kind}"}}"#
        )
    };
    let list = format!(
        r#"{{"MonitoringScheduleSummaries":[{},{},{}]}}"#,
        schedule("churn-data", "churn", "DataQuality", "Scheduled"),
        schedule("churn-bias", "churn", "ModelBias", "Scheduled"),
        schedule("adhoc-data", "churn-adhoc", "DataQuality", "Stopped"),
    );
    let proxy = FaultProxy::start(
        emu.port,
        vec![Fault::ok_json(&["SageMaker.ListMonitoringSchedules"], list)],
    )
    .unwrap();
    let served = scan(&proxy.url);
    assert_eq!(
        open(&served, "sagemaker_endpoint_not_monitored"),
        [endpoint("churn-adhoc")]
    );
    assert_eq!(
        open(&served, "sagemaker_endpoint_without_bias_monitoring"),
        [endpoint("churn-adhoc")]
    );
    assert!(
        !served
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["collector"] == "sagemaker.monitoring_schedules"),
        "schedules were read: no gap"
    );
    emu.stop();
}

/// Inference experiments (shadow tests): moto has none of their API, so the
/// rule is not assessed there; where SageMaker answers as AWS does (a
/// loopback responder in its JSON protocol), an experiment capturing
/// traffic to S3 without a customer key is flagged and a keyed one passes.
#[test]
fn inference_experiments_copying_traffic_without_a_key_are_flagged() {
    let emu = Emulator::start().unwrap();
    let rule = "sagemaker_inference_experiment_without_kms";
    let plain = scan(&emu.url);
    assert!(
        aispm_tests::not_assessed_by(&plain, rule, "sagemaker.inference_experiments"),
        "{plain:#}"
    );
    let arn =
        |name: &str| format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:inference-experiment/{name}");
    let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let describe = |name: &str, key: Option<&str>| {
        let k = key
            .map(|k| format!(r#","KmsKey":"{k}""#))
            .unwrap_or_default();
        let capture_key = key
            .map(|k| format!(r#","KmsKey":"{k}""#))
            .unwrap_or_default();
        format!(
            r#"{{"Arn":"{}","Name":"{name}","Type":"ShadowMode","Status":"Running","CreationTime":1795168800,"RoleArn":"arn:aws:iam::{ACCOUNT}:role/shadow-exec","EndpointMetadata":{{"EndpointName":"churn"}},"ModelVariants":[],"DataStorageConfig":{{"Destination":"s3://shadow-capture-{ACCOUNT}/{name}/"{capture_key}}}{k}}}"#,
            arn(name)
        )
    };
    let faults = vec![
        Fault::ok_json(
            &["SageMaker.ListInferenceExperiments"],
            r#"{"InferenceExperiments":[{"Name":"churn-v4-shadow","Type":"ShadowMode","Status":"Running","CreationTime":1795168800,"LastModifiedTime":1795168800},{"Name":"churn-v5-shadow","Type":"ShadowMode","Status":"Running","CreationTime":1795168800,"LastModifiedTime":1795168800}]}"#,
        ),
        Fault::ok_json(
            &["SageMaker.DescribeInferenceExperiment", "churn-v4-shadow"],
            describe("churn-v4-shadow", None),
        ),
        Fault::ok_json(
            &["SageMaker.DescribeInferenceExperiment", "churn-v5-shadow"],
            describe("churn-v5-shadow", Some(&key)),
        ),
    ];
    let proxy = FaultProxy::start(emu.port, faults).unwrap();
    let served = scan(&proxy.url);
    assert_eq!(open(&served, rule), [arn("churn-v4-shadow")]);
    emu.stop();
}
