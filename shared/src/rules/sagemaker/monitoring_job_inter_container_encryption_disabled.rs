//! ## What it does
//! Flags SageMaker Model Monitor job definitions (data quality, model quality,
//! model bias, model explainability) with `NetworkConfig.EnableInterContainerTrafficEncryption`
//! off. A definition that omits the field gets AWS's default, `false`, and is
//! flagged with evidence saying so.
//!
//! ## Why is this bad?
//! A monitoring job spread over several instances moves captured requests and answers between them; without inter-container encryption that traffic crosses the network in clear text.
//!
//! ## Example
//! `NetworkConfig: {"EnableInterContainerTrafficEncryption": false}`; use instead `true`.
//!
//! ## Remediation
//! Re-create the job definition with `NetworkConfig.EnableInterContainerTrafficEncryption=true` (definitions cannot be changed) and point the monitoring schedule at it.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringNetworkConfig.html>
//! - <https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_monitoring_job_inter_container_encryption_disabled",
        title: "SageMaker Model Monitor job definition traffic between containers is not encrypted",
        severity: Severity::Medium,
        rationale: "Distributed monitoring jobs move captured inference data between instances in clear text unless inter-container encryption is on.",
        resource_types: &[AssetType::SagemakerMonitoringJobDefinition],
        collectors: &["sagemaker.monitoring_job_definitions"],
        remediation: "Re-create the job definition with `NetworkConfig.EnableInterContainerTrafficEncryption=true` (definitions cannot be changed) and point the monitoring schedule at it.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[
            "SageMaker.9",
            "SageMaker.10",
            "SageMaker.13",
            "SageMaker.15",
        ],
        needs: &["inter_container_encryption"],
        covers: &["aws-ai-ml-assessment:SM-16"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    super::monitoring_defs_off(
        inv,
        "inter_container_encryption",
        "EnableInterContainerTrafficEncryption",
    )
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
                json!({"kind": "data_quality", "inter_container_encryption": false}),
            ),
            def(
                "arn:bias/off",
                json!({"kind": "model_bias", "inter_container_encryption": false, "defaulted": ["inter_container_encryption"]}),
            ),
            def(
                "arn:mq/on",
                json!({"kind": "model_quality", "inter_container_encryption": true}),
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
            "NetworkConfig.EnableInterContainerTrafficEncryption"
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
