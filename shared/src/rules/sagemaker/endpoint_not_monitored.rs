//! ## What it does
//! Flags SageMaker endpoints that no running (`Scheduled`) Model Monitor
//! schedule watches: no data-quality, model-quality, bias or explainability
//! monitoring of the traffic they serve.
//!
//! Where the schedules could not be listed the endpoint is not judged (the
//! rule's coverage gap says why).
//!
//! ## Why is this bad?
//! A model in production drifts as the world changes, and an attacker who
//! learns what it accepts can feed it inputs unlike anything it was trained
//! on. Without a monitor nobody sees either until the decisions go wrong:
//! nothing compares today's requests and answers with the baseline.
//!
//! ## Example
//! An endpoint with data capture and no monitoring schedule; use instead a
//! data-quality (and, with ground truth, a model-quality) schedule against
//! a baseline, with CloudWatch alarms on its violations.
//!
//! ## Remediation
//! Enable data capture on the endpoint, suggest a baseline from the training
//! data, and create a monitoring schedule (CreateMonitoringSchedule) with a
//! data-quality job definition; alarm on its CloudWatch metrics.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor.html>

use serde_json::json;

use super::running_monitors;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, Unlisted, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_endpoint_not_monitored",
        title: "SageMaker endpoint has no Model Monitor schedule",
        severity: Severity::Low,
        rationale: "Without a monitor, drift and out-of-distribution inputs (including an attacker's probing) go unseen until the model's decisions go wrong.",
        resource_types: &[AssetType::SagemakerEndpoint],
        collectors: &["sagemaker.endpoints", "sagemaker.monitoring_schedules"],
        remediation: "Enable data capture, baseline the training data and create a data-quality monitoring schedule for the endpoint, with CloudWatch alarms on its violations.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM04"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0040"],
        nist_ai_rmf: &[NistAiRmf::Measure, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:sagemaker_models_monitor_enabled",
            "aws-ai-ml-assessment:SM-07",
            "aws-ai-ml-assessment:SM-23",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let unlisted = Unlisted::new(inv, &["sagemaker.monitoring_schedules"]);
    flag(inv, &[AssetType::SagemakerEndpoint], |e| {
        if unlisted.here(&e.account_id, &e.region) || !running_monitors(inv, e).is_empty() {
            return Vec::new();
        }
        vec![ev(
            "sagemaker:ListMonitoringSchedules",
            "EndpointName (Scheduled)",
            json!([]),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};

    pub(crate) fn schedule(endpoint: &str, kind: &str, status: &str) -> crate::model::Asset {
        asset(
            AssetType::SagemakerMonitoringSchedule,
            &format!(
                "arn:aws:sagemaker:us-east-1:111111111111:monitoring-schedule/{kind}-{status}"
            ),
            json!({"endpoint_arn": endpoint, "monitoring_type": kind, "status": status}),
        )
    }

    #[test]
    fn flags_endpoints_without_a_running_schedule() {
        let ep = |name: &str| {
            asset(
                AssetType::SagemakerEndpoint,
                &format!("arn:aws:sagemaker:us-east-1:111111111111:endpoint/{name}"),
                json!({}),
            )
        };
        let watched = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/watched";
        let stopped = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/stopped";
        let i = inv(vec![
            ep("watched"),
            ep("stopped"),
            ep("bare"),
            schedule(watched, "DataQuality", "Scheduled"),
            schedule(stopped, "DataQuality", "Stopped"),
        ]);
        let mut unlisted = i.clone();
        assert_eq!(
            flagged(&RULE, &i),
            [
                "arn:aws:sagemaker:us-east-1:111111111111:endpoint/stopped",
                "arn:aws:sagemaker:us-east-1:111111111111:endpoint/bare"
            ]
        );
        unlisted.coverage.push(crate::model::Coverage::not_assessed(
            "111111111111",
            "us-east-1",
            "sagemaker.monitoring_schedules",
            crate::model::NotAssessedReason::ApiUnavailable,
            "HTTP 500",
        ));
        assert!(
            flagged(&RULE, &unlisted).is_empty(),
            "schedules that could not be listed are not missing ones"
        );
    }
}
