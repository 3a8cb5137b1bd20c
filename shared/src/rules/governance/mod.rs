//! Governance rules: ownership and purpose of AI assets (shadow AI).

pub mod asset_outside_approved_scope;
pub mod asset_without_owner;
pub mod asset_without_purpose;
