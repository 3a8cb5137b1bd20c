//! ## What it does
//! Flags a region (its Bedrock configuration) that holds Bedrock agents,
//! knowledge bases, custom models or provisioned throughput but no guardrail.
//!
//! ## Why is this bad?
//! Guardrails are Bedrock's control for prompt attacks, harmful content and PII.
//! A region using Bedrock without one has no such control to attach.
//!
//! ## Example
//! Agents in us-east-1 and `ListGuardrails` empty; use instead a guardrail with
//! prompt-attack, content and PII filters attached to them.
//!
//! ## Remediation
//! Create a guardrail (CreateGuardrail) with content, prompt-attack and
//! sensitive-information filters, publish a version, and attach it to the
//! region's agents and applications.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_guardrails_missing",
        title: "Bedrock is used in a region with no guardrail",
        severity: Severity::Medium,
        rationale: "Without any guardrail, nothing filters harmful content, prompt attacks or sensitive data for the region's models and agents.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &["bedrock.guardrails", "bedrock.invocation_logging"],
        remediation: "Create a guardrail (CreateGuardrail) with content, prompt-attack and sensitive-information filters, publish a version, and attach it to the region's agents and applications.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM01", "LLM05"],
        owasp_agentic: &["ASI01"],
        mitre_atlas: &["AML.T0051", "AML.T0054"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_guardrails_configured",
            "aws-ai-ml-assessment:BR-05",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    super::used_without(
        inv,
        AssetType::BedrockGuardrail,
        "bedrock.guardrails",
        "bedrock:ListGuardrails",
        "guardrails",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_regions_using_bedrock_without_guardrails() {
        let region = asset(
            AssetType::BedrockInvocationLogging,
            "arn:l/r",
            json!({"enabled": true}),
        );
        let agent = asset(AssetType::BedrockAgent, "arn:agent/a", json!({}));
        assert_eq!(
            flagged(&RULE, &inv(vec![region.clone(), agent.clone()])),
            ["arn:l/r"]
        );
        let guard = asset(AssetType::BedrockGuardrail, "arn:g/1", json!({}));
        assert!(flagged(&RULE, &inv(vec![region.clone(), agent, guard])).is_empty());
        assert!(
            flagged(&RULE, &inv(vec![region])).is_empty(),
            "no Bedrock use, nothing to guard"
        );
    }

    #[test]
    fn guardrails_that_could_not_be_listed_are_not_missing_ones() {
        let region = asset(
            AssetType::BedrockInvocationLogging,
            "arn:l/r",
            json!({"enabled": true}),
        );
        let agent = asset(AssetType::BedrockAgent, "arn:agent/a", json!({}));
        let mut i = inv(vec![region.clone(), agent]);
        i.coverage.push(crate::model::Coverage::not_assessed(
            &region.account_id,
            &region.region,
            "bedrock.guardrails",
            crate::model::NotAssessedReason::ApiUnavailable,
            "500",
        ));
        assert!(flagged(&RULE, &i).is_empty());
        // Nor where the account could not be entered (its stored assets are
        // evaluated again while its coverage says why it was not read).
        let mut j = inv(vec![region.clone(), agent_of(&region)]);
        j.coverage.push(crate::model::Coverage::not_assessed(
            &region.account_id,
            "global",
            "account",
            crate::model::NotAssessedReason::AssumeRoleFailed,
            "denied",
        ));
        assert!(flagged(&RULE, &j).is_empty());
    }

    fn agent_of(region: &crate::model::Asset) -> crate::model::Asset {
        let mut a = asset(AssetType::BedrockAgent, "arn:agent/b", json!({}));
        a.account_id = region.account_id.clone();
        a.region = region.region.clone();
        a
    }
}
