//! Bedrock rules.

pub mod agent_role_shared;
pub mod invocation_logging_disabled;
