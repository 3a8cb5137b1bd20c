//! ## What it does
//! Flags training and hyperparameter tuning jobs with
//! `EnableNetworkIsolation=false`. A job whose description omits the field is
//! recorded as a `not_reported` coverage gap, not judged.
//!
//! ## Why is this bad?
//! Training code (often third-party) sees all training data and writes the model.
//! Network isolation stops it from calling out, so a malicious dependency cannot
//! exfiltrate data or fetch a backdoor.
//!
//! ## Example
//! `EnableNetworkIsolation=false`; use instead `true` (SageMaker still stages S3
//! inputs and outputs).
//!
//! ## Remediation
//! Run the next training job (or tuning job definition) with
//! `EnableNetworkIsolation=true`; jobs cannot be changed after they start.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_job_network_isolation_disabled",
        title: "SageMaker training job containers are not network-isolated",
        severity: Severity::High,
        rationale: "Training containers read the whole training set; with network access they can leak it or pull a poisoned payload.",
        resource_types: &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerTuningJob,
        ],
        collectors: &["sagemaker.training_jobs", "sagemaker.tuning_jobs"],
        remediation: "Run the next training job (or tuning job definition) with `EnableNetworkIsolation=true`; jobs cannot be changed after they start.",
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

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(
        inv,
        &[
            AssetType::SagemakerTrainingJob,
            AssetType::SagemakerTuningJob,
        ],
        |j| match j.bool_attr("network_isolation") {
            Some(false) => vec![ev(
                super::describe_call(j.asset_type),
                "EnableNetworkIsolation",
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
}
