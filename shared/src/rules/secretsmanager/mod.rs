//! Secrets Manager rules.

pub mod ai_secret_without_rotation;
pub mod secret_readable_outside_org;
