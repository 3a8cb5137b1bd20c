//! ## What it does
//! Flags Studio domains with `AppNetworkAccessType=PublicInternetOnly`.
//!
//! ## Why is this bad?
//! In `PublicInternetOnly` mode every Studio app gets a SageMaker-managed
//! internet path: notebooks can send data anywhere and install anything, and the
//! VPC's endpoints, proxies and flow logs see none of it.
//!
//! ## Example
//! `AppNetworkAccessType=PublicInternetOnly`; use instead `VpcOnly` with VPC
//! endpoints (and a NAT or proxy where internet access is required).
//!
//! ## Remediation
//! Switch the domain to `VpcOnly` (update-domain once its apps are deleted) with
//! VPC endpoints for SageMaker, S3 and the services its users need.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_domain_public_internet",
        title: "SageMaker Studio domain apps reach the internet directly",
        severity: Severity::Medium,
        rationale: "Studio apps with direct internet access can exfiltrate data and pull unvetted code, bypassing VPC controls.",
        resource_types: &[AssetType::SagemakerDomain],
        collectors: &["sagemaker.domains"],
        remediation: "Switch the domain to `VpcOnly` (update-domain once its apps are deleted) with VPC endpoints for SageMaker, S3 and the services its users need.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:SM-01"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerDomain], |d| {
        match d.str_attr("app_network_access_type") {
            Some(t @ "PublicInternetOnly") => {
                vec![ev("sagemaker:DescribeDomain", "AppNetworkAccessType", t)]
            }
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
    fn flags_public_internet_domains_only() {
        let public = asset(
            AssetType::SagemakerDomain,
            "arn:d/public",
            json!({"app_network_access_type": "PublicInternetOnly"}),
        );
        let vpc = asset(
            AssetType::SagemakerDomain,
            "arn:d/vpc",
            json!({"app_network_access_type": "VpcOnly"}),
        );
        assert_eq!(flagged(&RULE, &inv(vec![public, vpc])), ["arn:d/public"]);
    }
}
