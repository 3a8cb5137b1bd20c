//! An in-memory store with the same semantics as [`super::DynamoStore`]:
//! conditional finding writes by version, tasks counted once, snapshot
//! items keyed as the table keys them, findings listed riskiest first. The
//! reconciler's and lifecycle's tests run on it without the emulator; both
//! stores pass [`super::contract::check`].

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use super::{
    AccountSnapshot, Applied, Change, FindingDetail, FindingEvent, FindingFilter, FindingReads,
    FindingState, FindingWrites, SnapshotDiff, SnapshotItem, Snapshots, StoreError, SweepRecord,
    Sweeps, TaskRecord,
};
use crate::store::{Journal, JournalHead};

#[derive(Debug, Default)]
struct Tables {
    sweeps: BTreeMap<String, SweepRecord>,
    /// (sweep, account, scope) → task.
    tasks: BTreeMap<(String, String, String), TaskRecord>,
    /// account → sort key → item.
    items: BTreeMap<String, BTreeMap<String, SnapshotItem>>,
    /// (account, finding) → state.
    states: BTreeMap<(String, String), FindingState>,
    /// (account, finding) → detail.
    details: BTreeMap<(String, String), FindingDetail>,
    /// (account, finding) → event key → event (a key written twice keeps
    /// the last write, as a table does).
    history: BTreeMap<(String, String), BTreeMap<String, FindingEvent>>,
    /// (kind, id) → head and log.
    journal: BTreeMap<(String, String), (JournalHead, Vec<Value>)>,
}

/// A findings store in process memory (tests, and a scan that keeps no
/// state between runs).
#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Tables>, StoreError> {
        self.tables.lock().map_err(|_| StoreError::Corrupt {
            key: "memory".to_owned(),
            message: "a writer panicked while holding the store".to_owned(),
        })
    }
}

/// The order the table's `by_status` index and `list` use: riskiest first,
/// then account and id.
fn rank(st: &FindingState) -> (u8, String, String) {
    (
        100u8.saturating_sub(st.risk_score),
        st.account_id.clone(),
        st.finding_id.clone(),
    )
}

fn key(account: &str, finding: &str) -> (String, String) {
    (account.to_owned(), finding.to_owned())
}

impl Sweeps for MemoryStore {
    async fn create_sweep(&self, s: &SweepRecord) -> Result<(), StoreError> {
        let mut t = self.lock()?;
        if t.sweeps.contains_key(&s.sweep_id) {
            return Err(StoreError::Corrupt {
                key: s.sweep_id.clone(),
                message: "sweep already exists".to_owned(),
            });
        }
        t.sweeps.insert(s.sweep_id.clone(), s.clone());
        Ok(())
    }

    async fn sweep(&self, sweep_id: &str) -> Result<Option<SweepRecord>, StoreError> {
        Ok(self.lock()?.sweeps.get(sweep_id).cloned())
    }

    async fn latest_sweep(&self) -> Result<Option<SweepRecord>, StoreError> {
        Ok(self.lock()?.sweeps.values().next_back().cloned())
    }

    async fn tasks(&self, sweep_id: &str) -> Result<Vec<TaskRecord>, StoreError> {
        Ok(self
            .lock()?
            .tasks
            .iter()
            .filter(|((s, _, _), _)| s == sweep_id)
            .map(|(_, t)| t.clone())
            .collect())
    }

    async fn task(
        &self,
        sweep_id: &str,
        account_id: &str,
        scope: &str,
    ) -> Result<Option<TaskRecord>, StoreError> {
        let k = (sweep_id.to_owned(), account_id.to_owned(), scope.to_owned());
        Ok(self.lock()?.tasks.get(&k).cloned())
    }

    async fn complete_task(&self, t: &TaskRecord) -> Result<bool, StoreError> {
        let mut tables = self.lock()?;
        let k = (t.sweep_id.clone(), t.account_id.clone(), t.scope.clone());
        if tables.tasks.contains_key(&k) {
            return Ok(false);
        }
        let Some(sweep) = tables.sweeps.get_mut(&t.sweep_id) else {
            return Err(StoreError::NotFound(format!("sweep {}", t.sweep_id)));
        };
        sweep.done_tasks += 1;
        tables.tasks.insert(k, t.clone());
        Ok(true)
    }
}

impl Snapshots for MemoryStore {
    async fn account(&self, account_id: &str) -> Result<AccountSnapshot, StoreError> {
        let t = self.lock()?;
        Ok(AccountSnapshot {
            items: t
                .items
                .get(account_id)
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default(),
            findings: t
                .states
                .iter()
                .filter(|((a, _), _)| a == account_id)
                .map(|(_, s)| s.clone())
                .collect(),
        })
    }

    async fn write_snapshot(
        &self,
        account_id: &str,
        diff: &SnapshotDiff,
    ) -> Result<(), StoreError> {
        let mut t = self.lock()?;
        let items = t.items.entry(account_id.to_owned()).or_default();
        // Like DynamoDB's conditional writes: a later observation stays.
        let later = |items: &BTreeMap<String, SnapshotItem>, sk: &str| {
            diff.at
                .as_deref()
                .is_some_and(|at| items.get(sk).is_some_and(|i| i.is_newer_than(at)))
        };
        for it in &diff.put {
            if !later(items, &it.sk) {
                items.insert(it.sk.clone(), it.clone());
            }
        }
        for sk in &diff.delete {
            if !later(items, sk) {
                items.remove(sk);
            }
        }
        Ok(())
    }
}

impl FindingWrites for MemoryStore {
    async fn apply(&self, c: &Change) -> Result<Applied, StoreError> {
        let mut t = self.lock()?;
        let k = key(&c.state.account_id, &c.state.finding_id);
        let stored = t.states.get(&k).map(|s| s.version);
        if stored != c.expected_version {
            return Ok(Applied::Conflict);
        }
        t.states.insert(k.clone(), c.state.clone());
        if let Some(d) = &c.detail {
            t.details.insert(k.clone(), d.clone());
        }
        let history = t.history.entry(k).or_default();
        for e in &c.events {
            history.insert(format!("{}#{}", e.at, e.kind.as_str()), e.clone());
        }
        Ok(Applied::Done)
    }

    async fn state(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingState>, StoreError> {
        Ok(self
            .lock()?
            .states
            .get(&key(account_id, finding_id))
            .cloned())
    }
}

impl Journal for MemoryStore {
    async fn journal_write(
        &self,
        kind: &str,
        head: &JournalHead,
        expected: Option<u64>,
        entry: &Value,
    ) -> Result<Applied, StoreError> {
        let mut t = self.lock()?;
        let k = (kind.to_owned(), head.id.clone());
        let stored = t.journal.get(&k).map(|(h, _)| h.version);
        if stored != expected {
            return Ok(Applied::Conflict);
        }
        let new = JournalHead {
            version: expected.map_or(1, |v| v + 1),
            ..head.clone()
        };
        let slot = t
            .journal
            .entry(k)
            .or_insert_with(|| (new.clone(), Vec::new()));
        slot.0 = new;
        slot.1.push(entry.clone());
        Ok(Applied::Done)
    }

    async fn journal_head(&self, kind: &str, id: &str) -> Result<Option<JournalHead>, StoreError> {
        let t = self.lock()?;
        Ok(t.journal
            .get(&(kind.to_owned(), id.to_owned()))
            .map(|(h, _)| h.clone()))
    }

    async fn journal_log(&self, kind: &str, id: &str) -> Result<Vec<Value>, StoreError> {
        let t = self.lock()?;
        Ok(t.journal
            .get(&(kind.to_owned(), id.to_owned()))
            .map(|(_, log)| log.clone())
            .unwrap_or_default())
    }

    async fn journal_heads(&self, kind: &str) -> Result<Vec<JournalHead>, StoreError> {
        let t = self.lock()?;
        Ok(t.journal
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|(_, (h, _))| h.clone())
            .collect())
    }
}

impl FindingReads for MemoryStore {
    async fn finding(&self, finding_id: &str) -> Result<Option<FindingState>, StoreError> {
        Ok(self
            .lock()?
            .states
            .iter()
            .find(|((_, f), _)| f == finding_id)
            .map(|(_, s)| s.clone()))
    }

    async fn detail(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingDetail>, StoreError> {
        Ok(self
            .lock()?
            .details
            .get(&key(account_id, finding_id))
            .cloned())
    }

    async fn history(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Vec<FindingEvent>, StoreError> {
        Ok(self
            .lock()?
            .history
            .get(&key(account_id, finding_id))
            .map(|h| h.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn list(&self, filter: &FindingFilter) -> Result<Vec<FindingState>, StoreError> {
        let mut states: Vec<FindingState> = self
            .lock()?
            .states
            .values()
            .filter(|st| {
                filter.status.is_none_or(|x| st.status == x)
                    && filter
                        .account_id
                        .as_ref()
                        .is_none_or(|a| &st.account_id == a)
                    && filter.rule_id.as_ref().is_none_or(|r| &st.rule_id == r)
            })
            .cloned()
            .collect();
        states.sort_by_key(rank);
        Ok(states)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_store_contract() {
        let store = MemoryStore::new();
        if let Err(e) = crate::store::contract::check(&store).await {
            panic!("{e}");
        }
    }
}
