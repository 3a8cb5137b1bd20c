//! ## What it does
//! Flags regions where Bedrock is in use (agents, knowledge bases, custom
//! models, provisioned throughput) and Prompt Management holds no prompt. A
//! region whose prompts could not be listed is a coverage gap, not a finding.
//!
//! ## Why is this bad?
//! Prompts kept in application code change with every deploy, unreviewed and
//! unversioned apart from the code, and cannot be encrypted, audited or rolled
//! back on their own. Managed prompts are versioned resources with their own
//! access control and key.
//!
//! ## Example
//! An agent whose instructions and a Lambda whose system prompt live in code;
//! use instead prompts created with CreatePrompt and published as versions.
//!
//! ## Remediation
//! Move system prompts and templates into Bedrock Prompt Management
//! (CreatePrompt, CreatePromptVersion), encrypted with a customer managed key,
//! and have applications reference a version.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-management.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_prompt_management_unused",
        title: "Bedrock is used in a region with no managed prompt",
        severity: Severity::Low,
        rationale: "Prompts kept in code are unversioned, unreviewed application logic that cannot be encrypted, audited or rolled back on their own.",
        resource_types: &[AssetType::BedrockInvocationLogging],
        collectors: &["bedrock_agent.prompts", "bedrock.invocation_logging"],
        remediation: "Move system prompts and templates into Bedrock Prompt Management (CreatePrompt, CreatePromptVersion), encrypted with a customer managed key, and have applications reference a version.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM07"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0056"],
        nist_ai_rmf: &[NistAiRmf::Govern],
        aws_security_hub: &[],
        needs: &[],
        covers: &[
            "prowler:bedrock_prompt_management_exists",
            "aws-ai-ml-assessment:BR-07",
        ],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    super::used_without(
        inv,
        AssetType::BedrockPrompt,
        "bedrock_agent.prompts",
        "bedrock-agent:ListPrompts",
        "prompts",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn region() -> crate::model::Asset {
        asset(
            AssetType::BedrockInvocationLogging,
            "arn:l/r",
            json!({"enabled": true}),
        )
    }

    #[test]
    fn flags_regions_using_bedrock_without_prompts() {
        let agent = asset(AssetType::BedrockAgent, "arn:agent/a", json!({}));
        assert_eq!(
            flagged(&RULE, &inv(vec![region(), agent.clone()])),
            ["arn:l/r"]
        );
        let prompt = asset(AssetType::BedrockPrompt, "arn:prompt/p", json!({}));
        assert!(flagged(&RULE, &inv(vec![region(), agent.clone(), prompt])).is_empty());
        assert!(
            flagged(&RULE, &inv(vec![region()])).is_empty(),
            "no Bedrock use"
        );
        let mut unlisted = inv(vec![region(), agent]);
        unlisted.coverage.push(crate::model::Coverage::not_assessed(
            &region().account_id,
            &region().region,
            "bedrock_agent.prompts",
            crate::model::NotAssessedReason::ApiUnavailable,
            "404",
        ));
        assert!(flagged(&RULE, &unlisted).is_empty(), "unread is not none");
    }
}
