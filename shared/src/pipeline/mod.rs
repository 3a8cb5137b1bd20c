//! The serverless pipeline: the sweep (schedule → one SQS message per account ×
//! region, plus one per account for global resources) and the account scanner
//! (SQS → scan one scope → hand the view to the reconciler → count the task on
//! its sweep). The Lambda functions and `aispm sweep --local` call these same
//! functions; nothing here knows which one is calling.
//!
//! - [`task`]: the queue message;
//! - [`config`]: settings from the function's environment;
//! - [`deps`]: what a function main builds once (settings, SDK config, store);
//! - [`sweep`]: planning and starting a sweep;
//! - [`sqs`]: sending tasks, and the scanner's batch handler;
//! - [`scan_task`]: one task, scanned and reconciled;
//! - [`local`]: the whole pipeline in one process.

pub mod config;
pub mod deps;
pub mod local;
pub mod scan_task;
pub mod sqs;
pub mod sweep;
pub mod task;

use std::time::SystemTime;

use thiserror::Error;

use crate::aws::CollectError;
use crate::model::Timestamp;
use crate::scan::ScanError;
use crate::store::StoreError;

pub use config::PipelineConfig;
pub use deps::Deps;
pub use scan_task::{
    MIN_TASK_TIME, collectors_deadline, deadline_of_invocation, run_task, run_task_by,
};
pub use sqs::{enqueue, handle_sqs_event};
pub use sweep::{plan_tasks, run_sweep};
pub use task::ScanTask;

/// Version of the queue message format.
pub const MESSAGE_VERSION: u32 = 1;

/// The pipeline could not do its job.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// A required setting is missing or wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// A queue message that is not a scan task.
    #[error("malformed scan task: {0}")]
    Message(String),
    /// An EventBridge event that cannot be handled (missing or wrong fields).
    #[error("malformed event: {0}")]
    Event(String),
    /// The scan could not start.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An AWS call of the pipeline itself failed.
    #[error(transparent)]
    Aws(#[from] CollectError),
    /// An invocation with too little time left to start a task.
    #[error("{left_ms} ms left before the deadline: too little to start a scan task")]
    NoTime {
        /// Time left.
        left_ms: u64,
    },
    /// Messages could not be queued.
    #[error("could not queue {failed} of {total} scan tasks: {detail}")]
    Enqueue {
        /// Messages that failed.
        failed: usize,
        /// Messages in all.
        total: usize,
        /// The first failure.
        detail: String,
    },
}

/// A time as fixed-width RFC 3339 UTC with milliseconds (sorts as text): the
/// store's format ([`Timestamp`]'s text).
pub fn timestamp(t: SystemTime) -> String {
    Timestamp::from(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SweepRecord;
    use std::collections::BTreeMap;

    fn is_timestamp(s: &str) -> bool {
        Timestamp::parse(s).is_ok()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn task() -> ScanTask {
        ScanTask {
            version: 1,
            sweep_id: "sw-1".to_owned(),
            sweep_at: "2026-11-24T01:00:00.000Z".to_owned(),
            account_id: "111111111111".to_owned(),
            scope: "us-east-1".to_owned(),
            home_region: "us-east-1".to_owned(),
            role_name: "aispm-scanner".to_owned(),
            external_id_ref: None,
            management_account: None,
        }
    }

    #[test]
    fn task_messages_round_trip_and_bad_ones_say_why() {
        let t = task();
        let body = serde_json::to_string(&t).unwrap();
        assert_eq!(ScanTask::parse(&body).unwrap(), t);
        let err = |b: &str| ScanTask::parse(b).unwrap_err().to_string();
        assert!(err("not json").starts_with("malformed scan task"));
        assert!(err(&body.replace("111111111111", "12")).contains("account id"));
        assert!(err(&body.replace("\"us-east-1\"", "\"mars-1\"")).contains("mars-1"));
        assert!(err(&body.replace("\"version\":1", "\"version\":9")).contains("version 9"));
    }

    #[test]
    fn config_names_what_is_missing() {
        let e = PipelineConfig::from_env(env(&[])).unwrap_err().to_string();
        assert!(e.contains("AISPM_TABLE"), "{e}");
        let e = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,nowhere"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("AISPM_REGIONS") && e.contains("nowhere"), "{e}");
        let c = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,eu-west-1"),
            ("AISPM_EXTERNAL_ID", "x-123"),
            ("AISPM_EXTERNAL_ID_REF", "AISPM_EXTERNAL_ID"),
        ]))
        .unwrap();
        assert_eq!(c.role_name, "aispm-scanner");
        assert_eq!(
            c.external_id(Some("AISPM_EXTERNAL_ID")).unwrap().as_deref(),
            Some("x-123")
        );
        assert!(c.external_id(Some("OTHER")).is_err());
        assert!(c.suppressions.is_empty());
        let e = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1"),
            ("AISPM_SUPPRESSIONS", r#"{"suppressions": [{"rule": "*"}]}"#),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("AISPM_SUPPRESSIONS") && e.contains("missing field"),
            "{e}"
        );
    }

    #[test]
    fn a_sweep_plans_global_plus_each_region_per_account() {
        let cfg = PipelineConfig::from_env(env(&[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "us-east-1,eu-west-1"),
        ]))
        .unwrap();
        let sweep = SweepRecord {
            sweep_id: "sw".to_owned(),
            started_at: "2026-11-24T01:00:00.000Z".to_owned(),
            accounts: vec!["111111111111".to_owned(), "222222222222".to_owned()],
            regions: cfg.regions.clone(),
            expected_tasks: 6,
            done_tasks: 0,
        };
        let tasks = plan_tasks(&sweep, &cfg, Some("111111111111"));
        assert_eq!(tasks.len() as u64, sweep.expected_tasks);
        let scopes: Vec<_> = tasks
            .iter()
            .map(|t| (t.account_id.as_str(), t.scope.as_str()))
            .collect();
        assert!(scopes.contains(&("222222222222", "global")));
        assert!(scopes.contains(&("222222222222", "eu-west-1")));
        assert!(
            tasks
                .iter()
                .all(|t| ScanTask::parse(&serde_json::to_string(t).unwrap()).is_ok())
        );
    }

    #[test]
    fn timestamps_are_fixed_width_and_sortable() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_795_000_000_007);
        let s = timestamp(t);
        assert_eq!(s.len(), "2026-11-24T01:00:00.000Z".len());
        assert!(s.ends_with(".007Z"), "{s}");
        assert!(is_timestamp(&s));
        let later = timestamp(t + std::time::Duration::from_millis(993));
        assert!(later > s);
    }
}
