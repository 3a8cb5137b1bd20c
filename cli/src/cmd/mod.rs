//! One file per command.

pub(crate) mod event;
pub(crate) mod findings;
pub(crate) mod iam;
pub(crate) mod metrics;
pub(crate) mod remediate;
pub(crate) mod remediation;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod store;
pub(crate) mod sweep;
pub(crate) mod tickets;
