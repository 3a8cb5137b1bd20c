//! The stored shape of a finding: its small, often-written state, its
//! detail, its history events, and the versioned change a writer applies.
//! What decides the changes is the reconciler's
//! (`crate::reconcile::lifecycle`); the store only applies them.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Disposition;
use crate::model::{
    AssetType, Finding, FindingEvidence, FindingStatus, Frameworks, Remediation, Severity,
};

/// The small, frequently updated record of one finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingState {
    /// Stable id (rule and resource).
    pub finding_id: String,
    /// The rule.
    pub rule_id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Latest risk score.
    pub risk_score: u8,
    /// Lifecycle status.
    pub status: FindingStatus,
    /// Account of the resource.
    pub account_id: String,
    /// Region of the resource, or `global`.
    pub region: String,
    /// The scan scope that owns it: `global` or a region.
    pub scope: String,
    /// The resource.
    pub resource_arn: String,
    /// The resource type.
    pub resource_type: AssetType,
    /// On an access key's finding, the key id (`resource_arn` names its
    /// user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// First observation (sweep time).
    pub first_seen: String,
    /// Latest observation (sweep time).
    pub last_seen: String,
    /// When it was last resolved, while resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// Occurrence number: 1, then +1 on every reopening.
    pub occurrence: u32,
    /// Suppression or risk acceptance in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    /// Hash of the detail record (evidence, remediation, frameworks).
    pub detail_hash: String,
    /// Optimistic-locking version, +1 on every write.
    pub version: u64,
}

/// The large, rarely changing part of a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDetail {
    /// Evidence of the latest observation.
    pub evidence: Vec<FindingEvidence>,
    /// How to fix it.
    pub remediation: Remediation,
    /// Framework mappings.
    pub frameworks: Frameworks,
    /// Linked findings (attack path ↔ parts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

impl FindingDetail {
    /// The detail of an observed finding.
    /// Its evidence is capped ([`crate::model::evidence_cap`]) so the item
    /// stays under DynamoDB's 400 KB.
    pub fn of(f: &Finding) -> Self {
        let mut evidence = f.evidence.clone();
        crate::model::evidence_cap::cap_evidence(&mut evidence);
        Self {
            evidence,
            remediation: f.remediation.clone(),
            frameworks: f.frameworks.clone(),
            related: f.related.clone(),
        }
    }

    /// A short content hash.
    pub fn hash(&self) -> String {
        short_hash(&serde_json::to_vec(self).unwrap_or_default())
    }
}

/// What happened to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// First observed.
    Opened,
    /// Observed again after being resolved.
    Reopened,
    /// No longer observed by a scan that could assess it.
    Resolved,
    /// Severity or risk score changed.
    RiskChanged,
    /// Suppressed by a person.
    Suppressed,
    /// Accepted as a risk by a person.
    RiskAccepted,
    /// A suppression or acceptance ran out.
    DispositionExpired,
    /// A remediation action changed, verified, failed on or rolled back its
    /// resource (the note names the action, its id and status).
    Remediation,
}

impl EventKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Reopened => "reopened",
            Self::Resolved => "resolved",
            Self::RiskChanged => "risk_changed",
            Self::Suppressed => "suppressed",
            Self::RiskAccepted => "risk_accepted",
            Self::DispositionExpired => "disposition_expired",
            Self::Remediation => "remediation",
        }
    }
}

/// One entry of a finding's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingEvent {
    /// The finding.
    pub finding_id: String,
    /// When (sweep time, or wall time for a person's action).
    pub at: String,
    /// What happened.
    pub kind: EventKind,
    /// Occurrence number at the time.
    pub occurrence: u32,
    /// Severity at the time.
    pub severity: Severity,
    /// Risk score at the time.
    pub risk_score: u8,
    /// The sweep that observed it, or the person who acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Free text (a suppression's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One write the store must apply atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The new state.
    pub state: FindingState,
    /// The version the stored state must have (`None`: must not exist yet).
    pub expected_version: Option<u64>,
    /// A new detail record, when it changed.
    pub detail: Option<FindingDetail>,
    /// History entries to add.
    pub events: Vec<FindingEvent>,
}

/// First 16 bytes of SHA-256, hex.
pub fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
