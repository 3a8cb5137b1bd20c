//! The remediation audit: every record and every change of its status in
//! the findings store's journal (kind `remediation`), with who, what, when,
//! and the state before and after. A record whose status, reason or states
//! did not change is not written again, so planning the same findings twice
//! logs nothing twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::ActionKind;
use super::{Record, Status};
use crate::model::Timestamp;
use crate::store::{Applied, Journal, JournalHead, StoreError};

/// The journal kind of remediation records.
pub const KIND: &str = "remediation";

/// One change of a record, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: `aispm remediate` and the caller's ARN, a person's name for an
    /// approval or rollback, or the deployed function.
    pub by: String,
    /// The status it moved to.
    pub status: Status,
    /// Why, when the status says something went wrong or was left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The resource's state before, once read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The resource's state after, once changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// A stored record with its audit facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// The record as last written.
    #[serde(flatten)]
    pub record: Record,
    /// When it was last written.
    pub updated_at: String,
    /// Who wrote it last.
    pub updated_by: String,
    /// When it first changed the resource (`applied`), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
    /// While it awaits approval: when the request expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Who decided it (approved or denied), if a person did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The journal version (not serialized in the head's body).
    #[serde(skip)]
    pub version: u64,
}

fn corrupt(id: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: format!("JOURNAL#{KIND}/{id}"),
        message: e.to_string(),
    }
}

fn read(head: JournalHead) -> Result<Stored, StoreError> {
    let mut stored: Stored = serde_json::from_value(head.body).map_err(|e| corrupt(&head.id, e))?;
    stored.version = head.version;
    Ok(stored)
}

/// One stored record.
pub async fn load<J: Journal>(store: &J, action_id: &str) -> Result<Option<Stored>, StoreError> {
    store
        .journal_head(KIND, action_id)
        .await?
        .map(read)
        .transpose()
}

/// Every stored record, most recently changed first.
pub async fn list<J: Journal>(store: &J) -> Result<Vec<Stored>, StoreError> {
    let mut all = store
        .journal_heads(KIND)
        .await?
        .into_iter()
        .map(read)
        .collect::<Result<Vec<_>, _>>()?;
    all.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.record.action_id.cmp(&b.record.action_id))
    });
    Ok(all)
}

/// One record's log, oldest first.
pub async fn log<J: Journal>(store: &J, action_id: &str) -> Result<Vec<Entry>, StoreError> {
    store
        .journal_log(KIND, action_id)
        .await?
        .into_iter()
        .map(|v| serde_json::from_value(v).map_err(|e| corrupt(action_id, e)))
        .collect()
}

/// Whether `r` says something its stored version does not.
fn changed(stored: &Record, r: &Record) -> bool {
    stored.status != r.status
        || stored.reason != r.reason
        || stored.before != r.before
        || stored.after != r.after
        || stored.mode != r.mode
}

/// What a write says beyond the record itself.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// For a record that starts awaiting approval: when the request expires.
    pub expires_at: Option<Timestamp>,
    /// For a person's decision: who.
    pub decided_by: Option<String>,
}

/// Writes `r` over `stored` (`None`: a new record) with a log entry, unless
/// nothing changed. Returns the stored record as it now is; a record
/// another writer changed meanwhile is [`StoreError::Contended`].
pub async fn save<J: Journal>(
    store: &J,
    stored: Option<&Stored>,
    r: &Record,
    by: &str,
    at: Timestamp,
) -> Result<Stored, StoreError> {
    save_with(store, stored, r, by, at, Meta::default()).await
}

/// [`save`] with the approval facts of [`Meta`].
pub async fn save_with<J: Journal>(
    store: &J,
    stored: Option<&Stored>,
    r: &Record,
    by: &str,
    at: Timestamp,
    meta: Meta,
) -> Result<Stored, StoreError> {
    if let Some(s) = stored
        && !changed(&s.record, r)
    {
        return Ok(s.clone());
    }
    let at = at.to_string();
    let applied_at = stored.and_then(|s| s.applied_at.clone()).or_else(|| {
        matches!(r.status, Status::Applied | Status::Verified)
            .then(|| r.after != r.before)
            .filter(|changed| *changed)
            .map(|_| at.clone())
    });
    let expires_at = match r.status {
        Status::AwaitingApproval => meta
            .expires_at
            .map(|t| t.to_string())
            .or_else(|| stored.and_then(|s| s.expires_at.clone())),
        _ => None,
    };
    let next = Stored {
        record: r.clone(),
        updated_at: at.clone(),
        updated_by: by.to_owned(),
        applied_at,
        expires_at,
        // A fresh request has no decision yet; a decision carries through
        // the changes it leads to.
        decided_by: match r.status {
            Status::AwaitingApproval => None,
            _ => meta
                .decided_by
                .or_else(|| stored.and_then(|s| s.decided_by.clone())),
        },
        version: stored.map_or(1, |s| s.version + 1),
    };
    let entry = Entry {
        at,
        by: by.to_owned(),
        status: r.status,
        reason: r.reason.clone(),
        before: r.before.clone(),
        after: r.after.clone(),
    };
    let head = JournalHead {
        id: r.action_id.clone(),
        version: next.version,
        body: serde_json::to_value(&next).map_err(|e| corrupt(&r.action_id, e))?,
    };
    let entry = serde_json::to_value(&entry).map_err(|e| corrupt(&r.action_id, e))?;
    match store
        .journal_write(KIND, &head, stored.map(|s| s.version), &entry)
        .await?
    {
        Applied::Done => Ok(next),
        Applied::Conflict => Err(StoreError::Contended(format!(
            "remediation {}",
            r.action_id
        ))),
    }
}

/// Changes each action made to resources since `since` (the hourly caps).
pub fn changed_since(stored: &[Stored], since: Timestamp) -> BTreeMap<ActionKind, u32> {
    let mut out = BTreeMap::new();
    for s in stored {
        if s.applied_at
            .as_deref()
            .and_then(|t| Timestamp::parse(t).ok())
            .is_some_and(|t| t >= since)
        {
            *out.entry(s.record.action).or_default() += 1;
        }
    }
    out
}

/// Whether a stored record stands as it is: it changed the resource, was
/// undone, waits for a person, or a person denied it. Planning keeps these
/// instead of planning the action again (a rolled-back fix is not redone
/// behind the person who undid it); dry runs, other skips (an expired
/// request among them) and failures are planned afresh.
pub fn stands(s: &Stored) -> bool {
    match s.record.status {
        Status::Applied | Status::Verified | Status::RolledBack | Status::AwaitingApproval => true,
        Status::Skipped => s.decided_by.is_some(),
        _ => false,
    }
}

/// Whether a request for approval has expired at `now`.
pub fn expired(s: &Stored, now: Timestamp) -> bool {
    s.record.status == Status::AwaitingApproval
        && s.expires_at
            .as_deref()
            .and_then(|t| Timestamp::parse(t).ok())
            .is_some_and(|t| t <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::Mode;
    use crate::store::MemoryStore;

    fn record(status: Status) -> Record {
        Record {
            action_id: "rem-0000000000000001".into(),
            action: ActionKind::DeactivateAccessKey,
            finding_id: "f1".into(),
            rule_id: "identity_access_key_unused".into(),
            resource_arn: "arn:aws:iam::111111111111:user/u".into(),
            account_id: "111111111111".into(),
            region: "global".into(),
            mode: Mode::Auto,
            status,
            reason: None,
            calls: Vec::new(),
            before: None,
            after: None,
        }
    }

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[tokio::test]
    async fn each_change_is_logged_once_and_an_unchanged_record_not_again() {
        let store = MemoryStore::new();
        let planned = record(Status::Planned);
        let s1 = save(&store, None, &planned, "me", t("2026-12-01T00:00:00Z"))
            .await
            .unwrap();
        let same = save(&store, Some(&s1), &planned, "me", t("2026-12-01T00:01:00Z"))
            .await
            .unwrap();
        assert_eq!(same.version, 1);
        let mut applied = record(Status::Applied);
        applied.before = Some(serde_json::json!({"Status": "Active"}));
        applied.after = Some(serde_json::json!({"Status": "Inactive"}));
        let s2 = save(&store, Some(&s1), &applied, "me", t("2026-12-01T00:02:00Z"))
            .await
            .unwrap();
        assert_eq!(s2.version, 2);
        assert_eq!(s2.applied_at.as_deref(), Some("2026-12-01T00:02:00.000Z"));
        let stored = load(&store, &applied.action_id).await.unwrap().unwrap();
        assert_eq!(stored, s2);
        assert!(stands(&stored));
        let entries = log(&store, &applied.action_id).await.unwrap();
        let statuses: Vec<Status> = entries.iter().map(|e| e.status).collect();
        assert_eq!(statuses, [Status::Planned, Status::Applied]);
        assert_eq!(entries[1].before, applied.before);
        // A writer holding the old version loses instead of logging over it.
        let err = save(
            &store,
            Some(&s1),
            &record(Status::Failed),
            "other",
            t("2026-12-01T00:03:00Z"),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Contended(_)), "{err}");
        assert_eq!(log(&store, &applied.action_id).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn only_changes_made_in_the_window_count_toward_the_hourly_cap() {
        let store = MemoryStore::new();
        let mut fixed = record(Status::Applied);
        fixed.before = Some(serde_json::json!({"Status": "Active"}));
        fixed.after = Some(serde_json::json!({"Status": "Inactive"}));
        save(&store, None, &fixed, "me", t("2026-12-01T10:30:00Z"))
            .await
            .unwrap();
        // Already fixed: applied without a change, so it does not count.
        let mut untouched = record(Status::Applied);
        untouched.action_id = "rem-0000000000000002".into();
        untouched.before = Some(serde_json::json!({"Status": "Inactive"}));
        untouched.after = untouched.before.clone();
        save(&store, None, &untouched, "me", t("2026-12-01T10:40:00Z"))
            .await
            .unwrap();
        let all = list(&store).await.unwrap();
        assert_eq!(all.len(), 2);
        let since = |s| changed_since(&all, t(s));
        assert_eq!(
            since("2026-12-01T10:00:00Z").get(&ActionKind::DeactivateAccessKey),
            Some(&1)
        );
        assert!(since("2026-12-01T11:00:00Z").is_empty());
    }
}
