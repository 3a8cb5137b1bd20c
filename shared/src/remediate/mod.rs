//! Remediation: what aispm may change to fix a finding, decided before
//! anything is touched.
//!
//! Three parts, each pure and tested here:
//! - [`catalog`]: every action aispm knows (Cloud Custodian's action shape:
//!   the IAM permissions it calls, the rules whose findings it accepts, the
//!   settings it needs), and whether this version can apply it yet;
//! - [`policy`]: the remediation policy file (`docs/remediation.md`): a mode
//!   per action (`off | dry_run | approval | auto`, `dry_run` by default), a
//!   scope, blast-radius caps and an exclusion tag that always wins;
//! - [`plan`]: for a set of findings, one [`Record`] per (finding, action):
//!   what would be called, in which mode, or why it is skipped.
//!
//! Applying a plan (through the separate remediator role), verifying it by a
//! rescan and rolling it back build on these records.

pub mod apply;
pub mod attach_bedrock_guardrail;
pub mod attach_permissions_boundary;
pub mod audit;
pub mod callback;
pub mod catalog;
pub mod deactivate_access_key;
pub mod deny_data_exfiltration;
pub mod docs;
pub mod enable_bedrock_invocation_logging;
pub mod enable_kms_key_rotation;
pub mod function;
pub mod hold_training;
pub mod identity_policies;
pub mod narrow;
pub mod narrow_role_policy;
pub mod needs;
pub mod placement;
pub mod plan;
pub mod policy;
pub mod quarantine_access_key;
pub mod require_action_confirmation;
pub mod role;
pub mod rotate_secret;
pub mod run;
pub mod s3_block_public_access;
pub mod s3_remove_foreign_write;
pub mod stream;
pub mod verify;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use catalog::ActionKind;
pub use plan::{Facts, plan, plan_stored};
pub use policy::{ActionPolicy, Mode, PolicyError, RemediationPolicy};

/// Where a remediation action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Decided, not yet run.
    Planned,
    /// Dry run: the calls it would make are recorded, nothing is changed.
    DryRun,
    /// Waits for a person to approve it.
    AwaitingApproval,
    /// Changed in the account, not yet verified by a rescan.
    Applied,
    /// Changed, and the rescan no longer sees the finding.
    Verified,
    /// Could not be applied, or the rescan still sees the finding.
    Failed,
    /// Undone: the state before was restored.
    RolledBack,
    /// Not run, with the reason (policy, scope, cap, exclusion tag).
    Skipped,
}

impl Status {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::DryRun => "dry_run",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Applied => "applied",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::RolledBack => "rolled_back",
            Self::Skipped => "skipped",
        }
    }
}

/// One AWS call an action makes (or, in a dry run, would make).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// `service:Operation`, as the remediator role's policy names it.
    pub api: String,
    /// The parameters that matter, as the API names them.
    pub params: serde_json::Value,
}

/// One remediation action on one finding: the unit that is planned,
/// approved, applied, verified, rolled back and audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Stable for the (action, finding, occurrence): planning twice gives
    /// the same id, so nothing is recorded twice.
    pub action_id: String,
    /// The action.
    pub action: ActionKind,
    /// The finding it fixes.
    pub finding_id: String,
    /// The finding's rule.
    pub rule_id: String,
    /// The resource it changes.
    pub resource_arn: String,
    /// The resource's account.
    pub account_id: String,
    /// The resource's region, or `global`.
    pub region: String,
    /// The mode the policy gives it.
    pub mode: Mode,
    /// Where it stands.
    pub status: Status,
    /// Why it is skipped or failed, or what a person must decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The calls it makes (or would make).
    pub calls: Vec<Call>,
    /// The resource's relevant state before the change, once read.
    pub before: Option<serde_json::Value>,
    /// The resource's relevant state after the change, once applied.
    pub after: Option<serde_json::Value>,
}

/// The name a resource's calls take: the last segment of its ARN (a user's,
/// role's or agent's name or id, a bucket's name).
pub fn resource_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// The value of the evidence field `name` (evidence as the planner holds
/// it: `{"field", "value"}`).
pub fn evidence_field<'a>(evidence: &'a [Value], name: &str) -> Option<&'a Value> {
    evidence
        .iter()
        .find(|e| e["field"] == name)
        .map(|e| &e["value"])
}

/// The strings of the evidence list `name`.
pub fn evidence_list<'a>(evidence: &'a [Value], name: &str) -> Vec<&'a str> {
    evidence_field(evidence, name)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The stable id of an action on one occurrence of a finding.
pub fn action_id(action: ActionKind, finding_id: &str, occurrence: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(action.name().as_bytes());
    h.update([0]);
    h.update(finding_id.as_bytes());
    h.update([0]);
    h.update(occurrence.to_be_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("rem-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_are_stable_and_distinct() {
        let a = action_id(ActionKind::DeactivateAccessKey, "f1", 1);
        assert_eq!(a, action_id(ActionKind::DeactivateAccessKey, "f1", 1));
        assert!(a.starts_with("rem-") && a.len() == 20, "{a}");
        assert_ne!(a, action_id(ActionKind::QuarantineAccessKey, "f1", 1));
        assert_ne!(a, action_id(ActionKind::DeactivateAccessKey, "f2", 1));
        // A reopened finding is a new occurrence: a new action.
        assert_ne!(a, action_id(ActionKind::DeactivateAccessKey, "f1", 2));
    }

    #[test]
    fn statuses_serialize_as_documented() {
        for s in [
            Status::Planned,
            Status::DryRun,
            Status::AwaitingApproval,
            Status::Applied,
            Status::Verified,
            Status::Failed,
            Status::RolledBack,
            Status::Skipped,
        ] {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
    }
}
