//! Governance rules: ownership and purpose of AI assets (shadow AI).

pub mod asset_without_owner;
