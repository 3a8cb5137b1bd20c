//! AWS plumbing shared by every collector: SDK configuration from the standard
//! credential chain with an optional endpoint override, per-(account, region)
//! clients, role assumption, request counting and error classification.

mod clients;
mod counter;
mod error;
pub mod modelled_uri;
mod regions;
pub mod retry;

pub use clients::{AwsSettings, Clients, assume_role, base_config, caller_identity, s3_client};
pub use counter::{RequestCounter, RequestStats};
pub use error::{CollectError, SdkResultExt, source_chain};
pub use regions::{KNOWN_REGIONS, RegionError, parse_regions};
