//! ## What it does
//! Flags SageMaker endpoints with neither a running bias nor a running
//! explainability monitoring schedule (SageMaker Clarify watching the
//! endpoint), in a region where no Clarify processing job has been run
//! either (image `sagemaker-clarify-processing`).
//!
//! Where the schedules or the processing jobs could not be listed the
//! endpoint is not judged (the rule's coverage gap says why).
//!
//! ## Why is this bad?
//! A model that decides about people (credit, fraud, hiring, claims) can be
//! unfair from its training data or become so as traffic shifts, and a
//! poisoned model can hide a targeted bias. Clarify measures bias and which
//! features drive the answers; without it nobody can show the model treats
//! groups alike, or notice when it stops doing so.
//!
//! ## Example
//! An endpoint scoring loan applications with only a data-quality monitor;
//! use instead a model-bias and a model-explainability schedule, or at least
//! a Clarify bias analysis of the model before deployment.
//!
//! ## Remediation
//! Run a SageMaker Clarify processing job on the training data and model
//! (pre- and post-training bias, SHAP explanations), then create model-bias
//! and model-explainability monitoring schedules for the endpoint.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-bias-drift.html>

use std::collections::BTreeSet;

use serde_json::json;

use super::running_monitors;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, Unlisted, ev, flag, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_endpoint_without_bias_monitoring",
        title: "SageMaker endpoint's model is not checked for bias or explained (no SageMaker Clarify)",
        severity: Severity::Low,
        rationale: "Without Clarify nobody can show the served model treats groups alike, notice when it stops doing so, or spot a targeted bias planted through its data.",
        resource_types: &[AssetType::SagemakerEndpoint],
        collectors: &[
            "sagemaker.endpoints",
            "sagemaker.monitoring_schedules",
            "sagemaker.processing_jobs",
        ],
        remediation: "Run a SageMaker Clarify bias and explainability analysis of the model, then create model-bias and model-explainability monitoring schedules for the endpoint.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM04", "LLM09"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0020"],
        nist_ai_rmf: &[NistAiRmf::Measure, NistAiRmf::Map],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:sagemaker_clarify_exists",
            "aws-ai-ml-assessment:SM-06",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

/// The image repository of SageMaker Clarify's processing container.
const CLARIFY_IMAGE: &str = "sagemaker-clarify-processing";

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let clarified: BTreeSet<(&str, &str)> = of_type(inv, AssetType::SagemakerProcessingJob)
        .filter(|j| {
            j.str_attr("image_uri")
                .is_some_and(|i| i.contains(CLARIFY_IMAGE))
        })
        .map(|j| (j.account_id.as_str(), j.region.as_str()))
        .collect();
    let unlisted = Unlisted::new(
        inv,
        &[
            "sagemaker.monitoring_schedules",
            "sagemaker.processing_jobs",
        ],
    );
    flag(inv, &[AssetType::SagemakerEndpoint], |e| {
        if unlisted.here(&e.account_id, &e.region) {
            return Vec::new();
        }
        let monitors = running_monitors(inv, e);
        let clarify = monitors
            .iter()
            .any(|m| *m == "ModelBias" || *m == "ModelExplainability");
        if clarify || clarified.contains(&(e.account_id.as_str(), e.region.as_str())) {
            return Vec::new();
        }
        vec![
            ev(
                "sagemaker:ListMonitoringSchedules",
                "MonitoringType (Scheduled)",
                json!(monitors),
            ),
            ev(
                "sagemaker:ListProcessingJobs",
                "AppSpecification.ImageUri (Clarify)",
                json!([]),
            ),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};

    const EP: &str = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/loans";

    fn schedule(kind: &str) -> crate::model::Asset {
        asset(
            AssetType::SagemakerMonitoringSchedule,
            &format!("arn:aws:sagemaker:us-east-1:111111111111:monitoring-schedule/{kind}"),
            json!({"endpoint_arn": EP, "monitoring_type": kind, "status": "Scheduled"}),
        )
    }

    #[test]
    fn flags_endpoints_without_clarify_only() {
        let ep = || asset(AssetType::SagemakerEndpoint, EP, json!({}));
        assert_eq!(flagged(&RULE, &inv(vec![ep()])), [EP]);
        assert_eq!(
            flagged(&RULE, &inv(vec![ep(), schedule("DataQuality")])),
            [EP],
            "data quality alone is not Clarify"
        );
        assert!(flagged(&RULE, &inv(vec![ep(), schedule("ModelBias")])).is_empty());
        let clarify_job = asset(
            AssetType::SagemakerProcessingJob,
            "arn:aws:sagemaker:us-east-1:111111111111:processing-job/bias-report",
            json!({"image_uri": "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"}),
        );
        assert!(flagged(&RULE, &inv(vec![ep(), clarify_job])).is_empty());
        let mut unlisted = inv(vec![ep()]);
        unlisted.coverage.push(crate::model::Coverage::not_assessed(
            "111111111111",
            "us-east-1",
            "sagemaker.processing_jobs",
            crate::model::NotAssessedReason::Throttled,
            "throttled out",
        ));
        assert!(
            flagged(&RULE, &unlisted).is_empty(),
            "not judged where unlisted"
        );
    }
}
