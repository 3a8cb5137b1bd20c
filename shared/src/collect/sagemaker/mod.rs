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

pub mod domains;
pub mod endpoint_configs;
pub mod endpoints;
pub mod feature_groups;
pub mod model_package_groups;
pub mod models;
pub mod notebook_instances;
pub mod pipelines;
pub mod processing_jobs;
pub mod training_jobs;
pub mod transform_jobs;
pub mod tuning_jobs;
pub mod user_profiles;

/// SageMaker's CloudTrail event source.
const SOURCE: &str = "sagemaker.amazonaws.com";

/// What every resource file of this service uses.
mod prelude {
    pub(super) use super::{One, enabled, tags};
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
