//! aispm's IAM policy engine: a pure library (no AWS calls, no clock).
//!
//! - [`policy`]: parse IAM JSON policies, with errors that say what and where.
//! - [`matcher`] and [`condition`]: does one statement apply to a request.
//! - [`authorize`]: AWS's evaluation logic over every policy type.
//! - [`catalog`]: every AWS action, its access level, resources, condition keys.
//! - [`query`]: what-can, who-can, who-can-assume over an account snapshot.
//! - [`exposure`]: is a resource-based policy public.
//! - [`simulate`]: the `aispm iam simulate` request format.
//!
//! It is its own crate (re-exported as `aispm_shared::iam`) so that the
//! fuzzer and the benchmarks build without the AWS SDK.

pub mod authorize;
pub mod batch;
pub mod catalog;
pub mod condition;
pub mod context;
pub mod err;
pub mod exposure;
pub mod matcher;
pub mod pattern;
pub mod policy;
pub mod query;
pub mod simulate;
mod skim;

pub use authorize::{Deciding, Decision, Outcome, PolicySet, PolicySource, Request, authorize};
pub use catalog::{AccessLevel, Catalog};
pub use context::{Context, Principal};
pub use err::{PolicyError, RequestError};
pub use exposure::{Exposure, is_public};
pub use policy::{Effect, Policy, PolicyKind};
pub use query::{AccountSnapshot, Capabilities, Grantee, what_can, who_can, who_can_assume};
pub use simulate::{Simulation, simulate};
