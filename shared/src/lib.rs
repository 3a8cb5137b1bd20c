//! aispm core library: collectors, asset model, rules and risk scoring.
//!
//! Everything that decides lives here and runs the same in the CLI, in the Lambda
//! functions and in tests. Collectors talk to AWS through the official SDK; the
//! rule and scoring modules are pure.

pub mod access;
pub mod aws;
pub mod collect;
pub mod events;
pub use aispm_iam as iam;
pub mod graph;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod reconcile;
pub mod remediate;
pub mod risk;
pub mod rules;
pub mod scan;
pub mod signing;
pub mod store;
pub mod tickets;
