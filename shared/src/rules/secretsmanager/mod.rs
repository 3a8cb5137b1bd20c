//! Secrets Manager rules.

pub mod ai_secret_without_rotation;
