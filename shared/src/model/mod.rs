//! The data aispm produces: assets, evidence-carrying edges, coverage records and
//! findings. Everything here is plain data, serialisable, and free of AWS clients.

mod asset;
mod coverage;
pub mod evidence_cap;
mod finding;
mod time;

pub use asset::{Asset, AssetType, Edge, EdgeKind, Evidence, Inventory};
pub use coverage::{Coverage, CoverageStatus, NotAssessed, NotAssessedReason, NotAssessedStatus};
pub use finding::{
    Disposition, Finding, FindingEvidence, FindingStatus, Frameworks, NistAiRmf, Remediation,
    Severity,
};
pub use time::{Timestamp, TimestampError};

/// The pseudo-region used for global resources (IAM, Organizations).
pub const GLOBAL_REGION: &str = "global";
