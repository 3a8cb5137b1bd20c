//! Bedrock rules: invocation logging, guardrails, agents, knowledge bases,
//! custom models and AgentCore.

pub mod agent_idle_session_long;
pub mod agent_role_shared;
pub mod agent_without_guardrail;
pub mod agentcore_gateway_weak;
pub mod agentcore_runtime_public_network;
pub mod custom_model_without_cmk;
pub mod guardrail_content_filter_weak;
pub mod guardrail_grounding_missing;
pub mod guardrail_prompt_attack_weak;
pub mod guardrail_sensitive_info_missing;
pub mod guardrails_missing;
pub mod invocation_logging_disabled;
pub mod invocation_logging_text_disabled;
pub mod invocation_logs_unencrypted;
pub mod knowledge_base_without_cmk;
