//! KMS rules.

pub mod ai_key_rotation_disabled;
