//! The journal: audited records other parts of aispm keep in the store
//! (remediation actions). Each record has a head (its current state, with a
//! version) and an append-only log of every change; a change writes the new
//! head and its log entry at once, and only over the version it was made
//! from, so two writers never both win and nothing is logged twice.
//!
//! The store holds heads and entries as JSON: what they mean belongs to the
//! module that writes them (`crate::remediate::audit`).
//!
//! | pk | sk | item |
//! |---|---|---|
//! | `JOURNAL#<kind>` | `<id>` | head: `body` JSON, `version` |
//! | `JOURNAL#<kind>#<id>` | `L#<version, 8 digits>` | the entry that made that version |

use std::future::Future;

use serde_json::Value;

use super::{Applied, StoreError};

/// A record's current state.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalHead {
    /// The record's id, unique within its kind.
    pub id: String,
    /// 1 for the first write, one more for each change.
    pub version: u64,
    /// The record as its owner wrote it.
    pub body: Value,
}

/// Audited records with a versioned head and an append-only log.
pub trait Journal: Send + Sync {
    /// Writes `head` as version `expected + 1` (version 1 when `expected` is
    /// `None`: the record must not exist yet) and `entry` as that version's
    /// log entry, both or neither; [`Applied::Conflict`] when the stored
    /// version is not `expected`.
    fn journal_write(
        &self,
        kind: &str,
        head: &JournalHead,
        expected: Option<u64>,
        entry: &Value,
    ) -> impl Future<Output = Result<Applied, StoreError>> + Send;
    /// One record's head (strongly consistent).
    fn journal_head(
        &self,
        kind: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<JournalHead>, StoreError>> + Send;
    /// One record's log, oldest first.
    fn journal_log(
        &self,
        kind: &str,
        id: &str,
    ) -> impl Future<Output = Result<Vec<Value>, StoreError>> + Send;
    /// Every head of a kind, by id.
    fn journal_heads(
        &self,
        kind: &str,
    ) -> impl Future<Output = Result<Vec<JournalHead>, StoreError>> + Send;
}

/// The partition of a kind's heads.
pub(super) fn heads_pk(kind: &str) -> String {
    format!("JOURNAL#{kind}")
}

/// The partition of one record's log.
pub(super) fn log_pk(kind: &str, id: &str) -> String {
    format!("JOURNAL#{kind}#{id}")
}

/// The sort key of the entry that made `version`.
pub(super) fn log_sk(version: u64) -> String {
    format!("L#{version:08}")
}
