//! ## What it does
//! Flags training, tuning and processing jobs with
//! `EnableInterContainerTrafficEncryption=false` (a job that omits the field is a
//! `not_reported` gap).
//!
//! ## Why is this bad?
//! Gradients and parameters exchanged between training instances can reveal
//! training data; encrypting that traffic closes a sniffing path inside the VPC.
//!
//! ## Example
//! `EnableInterContainerTrafficEncryption=false`; use instead `true`.
//!
//! ## Remediation
//! Start future training and tuning jobs with
//! `EnableInterContainerTrafficEncryption=true`, and processing jobs with
//! `NetworkConfig.EnableInterContainerTrafficEncryption=true`.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_inter_container_encryption_disabled",
        title: "SageMaker distributed training or processing traffic is not encrypted",
        severity: Severity::Medium,
        rationale: "Distributed training and processing exchange gradients and data between instances in clear text unless inter-container encryption is on.",
        resource_types: JOBS,
        collectors: &[
            "sagemaker.training_jobs",
            "sagemaker.tuning_jobs",
            "sagemaker.processing_jobs",
        ],
        remediation: "Start future training and tuning jobs with `EnableInterContainerTrafficEncryption=true`, and processing jobs with `NetworkConfig.EnableInterContainerTrafficEncryption=true`.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["inter_container_encryption"],
        covers: &["prowler:sagemaker_training_jobs_intercontainer_encryption_enabled"],
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
    flag(inv, JOBS, |j| {
        match j.bool_attr("inter_container_encryption") {
            Some(false) => vec![ev(
                super::describe_call(j.asset_type),
                super::network_field(j.asset_type, "EnableInterContainerTrafficEncryption"),
                false,
            )],
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_jobs_without_encryption_only() {
        let clear = asset(
            AssetType::SagemakerTrainingJob,
            "arn:j/clear",
            json!({"inter_container_encryption": false}),
        );
        let enc = asset(
            AssetType::SagemakerTrainingJob,
            "arn:j/enc",
            json!({"inter_container_encryption": true}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![clear, enc])), ["arn:j/clear"]);
    }

    #[test]
    fn processing_jobs_are_judged_and_name_the_network_config_field() {
        let open = asset(
            AssetType::SagemakerProcessingJob,
            "arn:p/open",
            json!({"inter_container_encryption": false}),
        );
        let closed = asset(
            AssetType::SagemakerProcessingJob,
            "arn:p/closed",
            json!({"inter_container_encryption": true}),
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
