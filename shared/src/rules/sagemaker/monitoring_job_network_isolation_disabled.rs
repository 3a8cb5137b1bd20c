//! ## What it does
//! Flags SageMaker Model Monitor job definitions (data quality, model quality,
//! model bias, model explainability) with `NetworkConfig.EnableNetworkIsolation`
//! off. A definition that omits the field gets AWS's default, `false`, and is
//! flagged with evidence saying so.
//!
//! ## Why is this bad?
//! Monitoring containers read every request and answer the endpoint captured, and the baselines; with network access, a compromised or third-party analysis container can send that data out or fetch a payload.
//!
//! ## Example
//! `NetworkConfig: {"EnableNetworkIsolation": false}`; use instead `true`.
//!
//! ## Remediation
//! Re-create the job definition with `NetworkConfig.EnableNetworkIsolation=true` (definitions cannot be changed) and point the monitoring schedule at it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringNetworkConfig.html>
//! - <https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_monitoring_job_network_isolation_disabled",
        title: "SageMaker Model Monitor job definition containers are not network-isolated",
        severity: Severity::High,
        rationale: "Monitoring jobs read the endpoint's captured requests and answers; with network access their containers can leak them.",
        resource_types: &[AssetType::SagemakerMonitoringJobDefinition],
        collectors: &["sagemaker.monitoring_job_definitions"],
        remediation: "Re-create the job definition with `NetworkConfig.EnableNetworkIsolation=true` (definitions cannot be changed) and point the monitoring schedule at it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[
            "SageMaker.11",
            "SageMaker.12",
            "SageMaker.20",
            "SageMaker.25",
        ],
        needs: &["network_isolation"],
        covers: &["aws-ai-ml-assessment:SM-13"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    super::monitoring_defs_off(inv, "network_isolation", "EnableNetworkIsolation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn def(arn: &str, attrs: serde_json::Value) -> crate::model::Asset {
        asset(AssetType::SagemakerMonitoringJobDefinition, arn, attrs)
    }

    #[test]
    fn flags_definitions_with_the_setting_off_of_every_kind() {
        let i = inv(vec![
            def(
                "arn:dq/off",
                json!({"kind": "data_quality", "network_isolation": false}),
            ),
            def(
                "arn:bias/off",
                json!({"kind": "model_bias", "network_isolation": false, "defaulted": ["network_isolation"]}),
            ),
            def(
                "arn:mq/on",
                json!({"kind": "model_quality", "network_isolation": true}),
            ),
            def("arn:x/unknown", json!({"kind": "model_explainability"})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:dq/off", "arn:bias/off"]);
        let hits = RULE.hits(&i, &RuleConfig::default());
        let bias = hits
            .iter()
            .find(|h| h.resource_arn == "arn:bias/off")
            .unwrap();
        assert_eq!(
            bias.evidence[0].source,
            "sagemaker:DescribeModelBiasJobDefinition"
        );
        assert_eq!(
            bias.evidence[0].field,
            "NetworkConfig.EnableNetworkIsolation"
        );
        assert!(bias.evidence.iter().any(|e| e.field == "defaulted"));
        let dq = hits
            .iter()
            .find(|h| h.resource_arn == "arn:dq/off")
            .unwrap();
        assert!(!dq.evidence.iter().any(|e| e.field == "defaulted"));
    }

    #[test]
    fn every_kind_cites_its_security_hub_control() {
        assert_eq!(RULE.meta.aws_security_hub.len(), 4);
    }
}
