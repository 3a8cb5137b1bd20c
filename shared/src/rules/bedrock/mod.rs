//! Bedrock rules.

pub mod invocation_logging_disabled;
