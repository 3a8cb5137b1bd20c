//! ## What it does
//! Flags regions where Bedrock is in use (agents, knowledge bases, flows,
//! custom models, provisioned throughput) and no VPC has an interface
//! endpoint for the Bedrock runtime (`com.amazonaws.REGION.bedrock-runtime`).
//! The evidence lists which of the Bedrock APIs (`bedrock`,
//! `bedrock-runtime`, `bedrock-agent`, `bedrock-agent-runtime`) have an
//! endpoint there.
//!
//! ## Why is this bad?
//! Without an endpoint, workloads in your VPCs reach Bedrock through a NAT
//! gateway or an internet gateway: the prompts and answers cross the
//! internet path, the VPC needs a route out, and no endpoint policy can say
//! which models, accounts or guardrails the VPC may use.
//!
//! ## Example
//! Agents and knowledge bases in eu-west-1 and no `bedrock-runtime`
//! endpoint; use instead interface endpoints for `bedrock-runtime` and
//! `bedrock-agent-runtime` with private DNS, and an endpoint policy allowing
//! only your account's principals and approved models.
//!
//! ## Remediation
//! Create interface VPC endpoints for `bedrock-runtime` (and
//! `bedrock-agent-runtime` where agents or knowledge bases are called) in
//! the VPCs that call Bedrock, with private DNS and a restrictive endpoint
//! policy; then remove the route to the internet the calls needed.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html>

use std::collections::BTreeSet;

use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_runtime_without_vpc_endpoint",
        title: "Bedrock is used in a region with no VPC endpoint for its runtime",
        severity: Severity::Medium,
        rationale: "Without a VPC endpoint, prompts and answers go out through NAT or an internet gateway, and no endpoint policy limits which models and principals a VPC may use.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &[
            "ec2.vpc_endpoints",
            "bedrock.invocation_logging",
            "bedrock_agent.agents",
            "bedrock_agent.knowledge_bases",
            "bedrock_agent.flows",
        ],
        remediation: "Create interface VPC endpoints for bedrock-runtime (and bedrock-agent-runtime) with private DNS and a restrictive endpoint policy in the VPCs that call Bedrock, then remove the route out they needed.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM02"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_vpc_endpoints_configured",
            "aws-ai-ml-assessment:BR-02",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

const BEDROCK_APIS: &[&str] = &[
    "bedrock",
    "bedrock-runtime",
    "bedrock-agent",
    "bedrock-agent-runtime",
];

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let runtime = |a: &crate::model::Asset| {
        a.asset_type == AssetType::Ec2VpcEndpoint
            && a.str_attr("service") == Some("bedrock-runtime")
    };
    let mut hits = super::used_without_any(
        inv,
        runtime,
        "ec2.vpc_endpoints",
        "ec2:DescribeVpcEndpoints",
        "ServiceName=com.amazonaws.REGION.bedrock-runtime",
    );
    for h in &mut hits {
        let Some(region) = inv.asset(&h.resource_arn) else {
            continue;
        };
        let present: BTreeSet<&str> = of_type(inv, AssetType::Ec2VpcEndpoint)
            .filter(|e| e.account_id == region.account_id && e.region == region.region)
            .filter_map(|e| e.str_attr("service"))
            .filter(|s| BEDROCK_APIS.contains(s))
            .collect();
        h.evidence.push(FindingEvidence::new(
            "ec2:DescribeVpcEndpoints",
            "bedrock_endpoints_present",
            serde_json::json!(present),
        ));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn estate(services: &[&str]) -> Inventory {
        let mut assets = vec![
            asset(
                AssetType::BedrockInvocationLogging,
                "arn:aws:bedrock:us-east-1:111111111111:model-invocation-logging",
                json!({}),
            ),
            asset(
                AssetType::BedrockAgent,
                "arn:aws:bedrock:us-east-1:111111111111:agent/A1",
                json!({}),
            ),
        ];
        for (i, s) in services.iter().enumerate() {
            assets.push(asset(
                AssetType::Ec2VpcEndpoint,
                &format!("arn:aws:ec2:us-east-1:111111111111:vpc-endpoint/vpce-{i}"),
                json!({"service": s}),
            ));
        }
        inv(assets)
    }

    #[test]
    fn flags_bedrock_regions_without_a_runtime_endpoint() {
        let region = "arn:aws:bedrock:us-east-1:111111111111:model-invocation-logging";
        assert_eq!(flagged(&RULE, &estate(&[])), [region]);
        assert_eq!(
            flagged(&RULE, &estate(&["bedrock-agent", "sagemaker.runtime"])),
            [region],
            "other services' endpoints do not carry model calls"
        );
        assert!(flagged(&RULE, &estate(&["bedrock-runtime"])).is_empty());
        let mut unlisted = estate(&[]);
        unlisted.coverage.push(crate::model::Coverage::not_assessed(
            "111111111111",
            "us-east-1",
            "ec2.vpc_endpoints",
            crate::model::NotAssessedReason::AccessDenied,
            "ec2:DescribeVpcEndpoints denied",
        ));
        assert!(
            flagged(&RULE, &unlisted).is_empty(),
            "not listed: not judged"
        );
    }

    #[test]
    fn a_region_without_bedrock_is_not_judged() {
        let mut i = estate(&[]);
        i.assets.retain(|a| a.asset_type != AssetType::BedrockAgent);
        assert!(flagged(&RULE, &i).is_empty());
    }
}
