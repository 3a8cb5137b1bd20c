//! ## What it does
//! Flags training and tuning jobs with
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
//! `EnableInterContainerTrafficEncryption=true`.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_inter_container_encryption_disabled",
        title: "SageMaker distributed training traffic is not encrypted",
        severity: Severity::Medium,
        rationale: "Distributed training exchanges gradients and data between instances in clear text unless inter-container encryption is on.",
        resource_types: &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerTuningJob,
        ],
        collectors: &["sagemaker.training_jobs", "sagemaker.tuning_jobs"],
        remediation: "Start future training and tuning jobs with `EnableInterContainerTrafficEncryption=true`.",
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

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerTuningJob,
        ],
        |j| match j.bool_attr("inter_container_encryption") {
            Some(false) => vec![ev(
                super::describe_call(j.asset_type),
                "EnableInterContainerTrafficEncryption",
                false,
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
}
