//! The queue message: one account, one scope of one sweep.

use serde::{Deserialize, Serialize};

use super::{MESSAGE_VERSION, PipelineError};
use crate::model::{GLOBAL_REGION, Timestamp};
use crate::reconcile::Origin;
use crate::scan;

/// One unit of work on the queue: one account, one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanTask {
    /// Message format version ([`MESSAGE_VERSION`]).
    pub version: u32,
    /// The sweep this belongs to.
    pub sweep_id: String,
    /// The sweep's start time: `last_seen` of everything observed.
    pub sweep_at: String,
    /// The account to scan.
    pub account_id: String,
    /// `global` or a region.
    pub scope: String,
    /// The region global collectors call.
    pub home_region: String,
    /// The role to assume in the account.
    pub role_name: String,
    /// Names the ExternalId configured on the scanner (never the value itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id_ref: Option<String>,
    /// The organization's management account (the only one that reads SCPs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account: Option<String>,
}

impl ScanTask {
    /// Parses and validates a message body.
    pub fn parse(body: &str) -> Result<Self, PipelineError> {
        let t: ScanTask =
            serde_json::from_str(body).map_err(|e| PipelineError::Message(e.to_string()))?;
        if t.version != MESSAGE_VERSION {
            return Err(PipelineError::Message(format!(
                "unsupported version {} (expected {MESSAGE_VERSION})",
                t.version
            )));
        }
        scan::parse_account_ids(&t.account_id)
            .map_err(|e| PipelineError::Message(e.to_string()))?;
        for r in [&t.scope, &t.home_region] {
            if r != GLOBAL_REGION {
                crate::aws::parse_regions(r).map_err(|e| PipelineError::Message(e.to_string()))?;
            }
        }
        if t.sweep_id.is_empty() || Timestamp::parse(&t.sweep_at).is_err() {
            return Err(PipelineError::Message(format!(
                "bad sweep id or time `{}` / `{}`",
                t.sweep_id, t.sweep_at
            )));
        }
        Ok(t)
    }

    /// The reconciler's origin of this task: its sweep and the sweep's time.
    pub fn origin(&self) -> Result<Origin, PipelineError> {
        let at = Timestamp::parse(&self.sweep_at)
            .map_err(|e| PipelineError::Message(format!("sweep_at: {e}")))?;
        Ok(Origin::Sweep {
            id: self.sweep_id.clone(),
            at,
        })
    }
}
