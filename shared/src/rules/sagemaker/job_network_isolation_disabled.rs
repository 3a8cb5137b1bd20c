//! ## What it does
//! Flags training, hyperparameter tuning and processing jobs with
//! `EnableNetworkIsolation=false` (processing jobs: `NetworkConfig`). A job whose description omits the field is
//! recorded as a `not_reported` coverage gap, not judged.
//!
//! ## Why is this bad?
//! Training code (often third-party) sees all training data and writes the model;
//! processing code prepares the features that training reads. Network isolation
//! stops either from calling out, so a malicious dependency cannot exfiltrate
//! data or fetch a backdoor.
//!
//! ## Example
//! `EnableNetworkIsolation=false`; use instead `true` (SageMaker still stages S3
//! inputs and outputs).
//!
//! ## Remediation
//! Run the next training job (or tuning job definition) with
//! `EnableNetworkIsolation=true`, and the next processing job with
//! `NetworkConfig.EnableNetworkIsolation=true`; jobs cannot be changed after they
//! start.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>
//! - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NetworkConfig.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_network_isolation_disabled",
        title: "SageMaker training or processing job containers are not network-isolated",
        severity: Severity::High,
        rationale: "Training and processing containers read the whole data set; with network access they can leak it or pull a poisoned payload.",
        resource_types: JOBS,
        collectors: &[
            "sagemaker.training_jobs",
            "sagemaker.tuning_jobs",
            "sagemaker.processing_jobs",
        ],
        remediation: "Run the next training job (or tuning job definition) with `EnableNetworkIsolation=true`, and the next processing job with `NetworkConfig.EnableNetworkIsolation=true`; jobs cannot be changed after they start.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM04"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0020", "AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["network_isolation"],
        covers: &[
            "prowler:sagemaker_training_jobs_network_isolation_enabled",
            "aws-ai-ml-assessment:SM-21",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

/// The job kinds it reads.
const JOBS: &[AssetType] = &[
    AssetType::SagemakerTrainingJob,
    AssetType::SagemakerTuningJob,
    AssetType::SagemakerProcessingJob,
];

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, JOBS, |j| match j.bool_attr("network_isolation") {
        Some(false) => vec![ev(
            super::describe_call(j.asset_type),
            super::network_field(j.asset_type, "EnableNetworkIsolation"),
            false,
        )],
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_jobs_without_isolation_only() {
        let open = asset(
            AssetType::SagemakerTrainingJob,
            "arn:j/open",
            json!({"network_isolation": false}),
        );
        let closed = asset(
            AssetType::SagemakerTuningJob,
            "arn:j/closed",
            json!({"network_isolation": true}),
        );
        let unknown = asset(AssetType::SagemakerTrainingJob, "arn:j/unknown", json!({}));
        assert_eq!(
            flagged(&RULE, &inv(vec![open, closed, unknown])),
            ["arn:j/open"]
        );
    }

    #[test]
    fn processing_jobs_are_judged_and_name_the_network_config_field() {
        let open = asset(
            AssetType::SagemakerProcessingJob,
            "arn:p/open",
            json!({"network_isolation": false}),
        );
        let closed = asset(
            AssetType::SagemakerProcessingJob,
            "arn:p/closed",
            json!({"network_isolation": true}),
        );
        let hits = RULE.hits(&inv(vec![open, closed]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].resource_arn, "arn:p/open");
        assert_eq!(
            hits[0].evidence[0].source,
            "sagemaker:DescribeProcessingJob"
        );
        assert!(hits[0].evidence[0].field.starts_with("NetworkConfig."));
    }
}
