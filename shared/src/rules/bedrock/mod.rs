//! Bedrock rules: invocation logging, guardrails, agents, knowledge bases,
//! custom models and AgentCore.

pub mod agent_idle_session_long;
pub mod agent_role_shared;
pub mod agent_without_guardrail;
pub mod agentcore_browser_public_network;
pub mod agentcore_browser_recording_disabled;
pub mod agentcore_code_interpreter_public_network;
pub mod agentcore_gateway_target_weak;
pub mod agentcore_gateway_weak;
pub mod agentcore_memory_without_cmk;
pub mod agentcore_runtime_public_network;
pub mod agentcore_workload_identity_insecure_return_url;
pub mod batch_inference_output_without_cmk;
pub mod custom_model_without_cmk;
pub mod flow_without_cmk;
pub mod flow_without_guardrail;
pub mod guardrail_content_filter_weak;
pub mod guardrail_grounding_missing;
pub mod guardrail_prompt_attack_weak;
pub mod guardrail_sensitive_info_missing;
pub mod guardrails_missing;
pub mod invocation_logging_disabled;
pub mod invocation_logging_text_disabled;
pub mod invocation_logs_unencrypted;
pub mod knowledge_base_without_cmk;
pub mod prompt_management_unused;
pub mod prompt_without_cmk;
pub mod runtime_without_vpc_endpoint;

use std::collections::BTreeSet;

use crate::model::{AssetType, FindingEvidence, Inventory};
use crate::rules::{Hit, Unlisted, flag};

/// The regions (each one `bedrock_invocation_logging` asset) where Bedrock is
/// in use (agents, knowledge bases, custom models, provisioned throughput,
/// flows) and no asset of type `missing` exists, where `collector` listed
/// that type: a list that could not be read (or an account that could not
/// be entered) is no evidence of "none", and stays the rule's coverage gap.
pub(crate) fn used_without(
    inv: &Inventory,
    missing: AssetType,
    collector: &str,
    list_call: &str,
    field: &str,
) -> Vec<Hit> {
    used_without_any(
        inv,
        |a| a.asset_type == missing,
        collector,
        list_call,
        field,
    )
}

/// [`used_without`] for the assets `wanted` picks (a VPC endpoint of one
/// service, say) rather than a whole type.
pub(crate) fn used_without_any(
    inv: &Inventory,
    wanted: impl Fn(&crate::model::Asset) -> bool,
    collector: &str,
    list_call: &str,
    field: &str,
) -> Vec<Hit> {
    let users = [
        AssetType::BedrockAgent,
        AssetType::BedrockKnowledgeBase,
        AssetType::BedrockCustomModel,
        AssetType::BedrockProvisionedThroughput,
        AssetType::BedrockFlow,
    ];
    let present: BTreeSet<(&str, &str)> = inv
        .assets
        .iter()
        .filter(|a| wanted(a))
        .map(|a| (a.account_id.as_str(), a.region.as_str()))
        .collect();
    let unlisted = Unlisted::new(inv, &[collector]);
    flag(inv, &[AssetType::BedrockInvocationLogging], |l| {
        let scope = (l.account_id.as_str(), l.region.as_str());
        if present.contains(&scope) || unlisted.here(scope.0, scope.1) {
            return Vec::new();
        }
        let using: Vec<&str> = inv
            .assets
            .iter()
            .filter(|a| {
                users.contains(&a.asset_type)
                    && a.account_id == l.account_id
                    && a.region == l.region
            })
            .map(|a| a.arn.as_str())
            .collect();
        if using.is_empty() {
            return Vec::new();
        }
        vec![
            FindingEvidence::new(list_call, field, serde_json::json!([])),
            FindingEvidence::new(
                "aispm:inventory",
                "bedrock_assets",
                serde_json::json!(using),
            ),
        ]
    })
}
