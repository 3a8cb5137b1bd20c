//! ## What it does
//! Flags Bedrock AgentCore custom browsers without session recording.
//!
//! ## Why is this bad?
//! A browser session is the agent acting on the web for someone: which
//! pages it opened, what it typed, what it submitted. Without a recording
//! there is no record of what an agent did after a prompt injection or a
//! complaint, and nothing to replay.
//!
//! ## Example
//! No `recording`, or `recording.enabled=false`; use instead recording to an
//! S3 bucket of your own, encrypted and with a retention rule.
//!
//! ## Remediation
//! Create the browser with `recording.enabled=true` and an `s3Location`
//! (recording cannot be added to an existing browser), move the agents to
//! it and delete the old one.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/browser-tool.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_browser_recording_disabled",
        title: "Bedrock AgentCore browser does not record its sessions",
        severity: Severity::Low,
        rationale: "Without session recordings nothing shows what an agent did on the web on someone's behalf, after an incident or a complaint.",
        resource_types: &[AssetType::BedrockAgentcoreBrowser],
        collectors: &["bedrock_agentcore.browsers"],
        remediation: "Create the browser with `recording.enabled=true` and an S3 location of your own, move the agents to it and delete the old one.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI09", "ASI10"],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Measure],
        aws_security_hub: &["BedrockAgentCore.6"],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-06"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreBrowser], |b| {
        match b.attributes.get("recording_enabled") {
            Some(v @ serde_json::Value::Bool(false)) => vec![ev(
                "bedrock-agentcore-control:GetBrowser",
                "recording.enabled",
                v.clone(),
            )],
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
    fn flags_browsers_that_do_not_record() {
        let b = |arn: &str, v: serde_json::Value| asset(AssetType::BedrockAgentcoreBrowser, arn, v);
        let i = inv(vec![
            b("arn:browser/blind", json!({"recording_enabled": false})),
            b(
                "arn:browser/recorded",
                json!({"recording_enabled": true, "recording_bucket": "arn:aws:s3:::rec"}),
            ),
            // Read without the attribute (an older record): not judged.
            b("arn:browser/unknown", json!({})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:browser/blind"]);
    }
}
