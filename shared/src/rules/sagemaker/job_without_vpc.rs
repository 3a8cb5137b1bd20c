//! ## What it does
//! Flags training and processing jobs with no VPC subnets configured.
//!
//! ## Why is this bad?
//! A job in your VPC reads S3 through your gateway endpoint and bucket policies
//! can require it (`aws:SourceVpce`); outside it, neither control applies and its
//! traffic is not logged.
//!
//! ## Example
//! A training job with no `VpcConfig`; use instead private subnets and security
//! groups.
//!
//! ## Remediation
//! Run future jobs with `VpcConfig` (training) or `NetworkConfig.VpcConfig`
//! (processing) on private subnets with S3 and SageMaker endpoints.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_without_vpc",
        title: "SageMaker training or processing job runs outside a VPC",
        severity: Severity::Medium,
        rationale: "Jobs outside a VPC reach data and the internet over SageMaker's network, out of reach of your endpoints, security groups and flow logs.",
        resource_types: &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerProcessingJob,
        ],
        collectors: &["sagemaker.training_jobs", "sagemaker.processing_jobs"],
        remediation: "Run future jobs with `VpcConfig` (training) or `NetworkConfig.VpcConfig` (processing) on private subnets with S3 and SageMaker endpoints.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM04"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["prowler:sagemaker_training_jobs_vpc_settings_configured"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerProcessingJob,
        ],
        |j| match j.bool_attr("vpc_configured") {
            Some(false) => vec![ev(
                super::describe_call(j.asset_type),
                "VpcConfig",
                serde_json::Value::Null,
            )],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_jobs_outside_a_vpc_only() {
        let out = asset(
            AssetType::SagemakerTrainingJob,
            "arn:j/out",
            json!({"vpc_configured": false}),
        );
        let inside = asset(
            AssetType::SagemakerProcessingJob,
            "arn:j/in",
            json!({"vpc_configured": true}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![out, inside])), ["arn:j/out"]);
    }
}
