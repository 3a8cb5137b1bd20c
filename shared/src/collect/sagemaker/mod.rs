//! SageMaker collectors. Attribute keys written here are the ones rules read:
//! `direct_internet_access`, `root_access`, `subnet_id`, `kms_key_id`, `role_arn`,
//! `platform_identifier`, `network_isolation`, `inter_container_encryption`,
//! `vpc_configured`, `container_images`, `variants`, `app_network_access_type`,
//! `auth_mode`, `status`, `creation_time`.
//!
//! One file per resource kind, named as its collector id
//! (`sagemaker.endpoints` lives in `endpoints.rs`): each holds the
//! single-resource reader, the list collector and the kind's spec.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::aws::{CollectError, SdkResultExt};
use crate::collect::{Batch, Ctx};

/// What a single-resource reader returns: the resource's batch, or `None`
/// when it no longer exists.
type One = Result<Option<Batch>, CollectError>;

/// Lists one page-set of names with a paginator and keeps those present.
macro_rules! list {
    ($ctx:expr, $op:ident, $name:literal, $field:ident) => {
        $ctx.clients
            .sagemaker
            .$op()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .op($name)?
            .into_iter()
            .filter_map(|m| m.$field().map(str::to_owned))
            .collect::<Vec<String>>()
    };
}

/// Jobs of one kind described per account and region: every active one
/// first, then the most recent.
pub const MAX_JOBS_DESCRIBED: usize = 200;
/// Job summaries listed per account and region (ten pages), newest first;
/// what lies beyond is counted as "more".
pub const MAX_JOBS_LISTED: usize = 1_000;

/// Lists a job kind's summaries newest first, at most [`MAX_JOBS_LISTED`]:
/// `(name, active)` pairs and whether more were left unlisted.
macro_rules! recent_jobs {
    ($ctx:expr, $op:ident, $name:literal, $field:ident, $status:ident) => {{
        let mut stream = $ctx
            .clients
            .sagemaker
            .$op()
            .sort_order(aws_sdk_sagemaker::types::SortOrder::Descending)
            .into_paginator()
            .items()
            .send();
        let mut jobs: Vec<(String, bool)> = Vec::new();
        let mut more = false;
        while let Some(j) = stream.try_next().await.op($name)? {
            if jobs.len() == super::MAX_JOBS_LISTED {
                more = true;
                break;
            }
            if let Some(n) = j.$field() {
                let active = j
                    .$status()
                    .is_some_and(|s| matches!(s.as_str(), "InProgress" | "Stopping"));
                jobs.push((n.to_owned(), active));
            }
        }
        (jobs, more)
    }};
}

/// Which of a listing's jobs (newest first, `(name, active)`) are described:
/// every active one, then the most recent, [`MAX_JOBS_DESCRIBED`] in all;
/// and, when some were left, a `bounded` coverage record of
/// `<collector>:older` that counts them (the described jobs stay assessed).
pub(super) fn bound_jobs(
    (account_id, region): (&str, &str),
    collector: &str,
    jobs: Vec<(String, bool)>,
    more: bool,
) -> (Vec<String>, Option<crate::model::Coverage>) {
    let listed = jobs.len();
    let (active, done): (Vec<_>, Vec<_>) = jobs.into_iter().partition(|(_, a)| *a);
    let names: Vec<String> = active
        .into_iter()
        .chain(done)
        .take(MAX_JOBS_DESCRIBED)
        .map(|(n, _)| n)
        .collect();
    if names.len() == listed && !more {
        return (names, None);
    }
    let plus = if more { "+" } else { "" };
    let gap = crate::model::Coverage::not_assessed(
        account_id,
        region,
        &format!("{collector}:older"),
        crate::model::NotAssessedReason::Bounded,
        format!(
            "{} of {listed}{plus} jobs described (active first, then the most recent); {}{plus} older ones not read",
            names.len(),
            listed - names.len()
        ),
    );
    (names, Some(gap))
}

pub mod domains;
pub mod endpoint_configs;
pub mod endpoints;
pub mod feature_groups;
pub mod inference_experiments;
pub mod model_package_groups;
pub mod models;
pub mod monitoring_job_definitions;
pub mod monitoring_schedules;
pub mod notebook_instances;
pub mod pipelines;
pub mod processing_jobs;
pub mod training_jobs;
pub mod transform_jobs;
pub mod tuning_jobs;
pub mod user_profiles;

/// Describes the jobs [`bound_jobs`] keeps of a listing with `read`, and
/// adds the record that counts the rest.
pub(super) async fn read_recent<F, Fut>(
    ctx: &Ctx,
    collector: &str,
    (jobs, more): (Vec<(String, bool)>, bool),
    read: F,
) -> Result<Batch, CollectError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = One>,
{
    let (names, older) = bound_jobs((&ctx.account_id, &ctx.region), collector, jobs, more);
    let mut batch = crate::collect::util::read_each(names, read).await?;
    batch.coverage.extend(older);
    Ok(batch)
}

/// SageMaker's CloudTrail event source.
const SOURCE: &str = "sagemaker.amazonaws.com";

/// What every resource file of this service uses.
mod prelude {
    pub(super) use super::{One, enabled, read_recent, tags};
    pub(super) use crate::aws::{CollectError, SdkResultExt};
    pub(super) use crate::collect::spec::{EventCalls, ResourceSpec, by_name, list_fn, read_fn};
    pub(super) use crate::collect::util::{EdgeSink, arn_tail, found, read_each, s, strings, ts};
    pub(super) use crate::collect::{Batch, Ctx, Scope};
    pub(super) use crate::model::{AssetType, EdgeKind};
    pub(super) use serde_json::{Value, json};
}

async fn tags(ctx: &Ctx, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let items: Vec<_> = ctx
        .clients
        .sagemaker
        .list_tags()
        .resource_arn(arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("sagemaker:ListTags")?;
    Ok(items
        .iter()
        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
        .collect())
}

fn enabled(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::Bool(x.eq_ignore_ascii_case("Enabled")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_listings_are_bounded_active_first_and_the_rest_counted() {
        let at = ("111111111111", "us-east-1");
        // a short listing is read whole, with no gap
        let few = vec![("b".to_owned(), false), ("a".to_owned(), true)];
        assert_eq!(
            bound_jobs(at, "sagemaker.training_jobs", few, false),
            (vec!["a".to_owned(), "b".to_owned()], None)
        );
        // newest first; two active ones among the oldest
        let mut jobs: Vec<(String, bool)> = (0..500).map(|i| (format!("j{i:03}"), false)).collect();
        jobs[450].1 = true;
        jobs[499].1 = true;
        let (names, gap) = bound_jobs(at, "sagemaker.training_jobs", jobs, true);
        assert_eq!(names.len(), MAX_JOBS_DESCRIBED);
        assert_eq!(&names[..3], ["j450", "j499", "j000"]);
        assert_eq!(names.last().map(String::as_str), Some("j197"));
        let gap = gap.expect("the rest is counted");
        assert_eq!(gap.collector, "sagemaker.training_jobs:older");
        assert_eq!(gap.reason, Some(crate::model::NotAssessedReason::Bounded));
        let detail = gap.detail.unwrap_or_default();
        assert!(detail.starts_with("200 of 500+ jobs described"), "{detail}");
        assert!(detail.contains("300+ older ones not read"), "{detail}");
    }
}
