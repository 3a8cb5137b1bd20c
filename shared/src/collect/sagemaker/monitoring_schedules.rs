//! SageMaker Model Monitor schedules: the list collector
//! `sagemaker.monitoring_schedules`. A schedule runs a monitoring job
//! definition (data quality, model quality, model bias or model
//! explainability) against one endpoint's captured traffic; the List answer
//! carries all the rules read (endpoint, kind, status), so nothing is
//! described. Attribute keys: `endpoint_name`, `endpoint_arn`,
//! `monitoring_type`, `job_definition_name`, `status`.

use super::prelude::*;

/// Every monitoring schedule of the region, from its List pages alone.
pub async fn monitoring_schedules(ctx: &Ctx) -> Result<Batch, CollectError> {
    const LIST: &str = "sagemaker:ListMonitoringSchedules";
    let summaries = ctx
        .clients
        .sagemaker
        .list_monitoring_schedules()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op(LIST)?;
    let mut batch = Batch::default();
    for m in summaries {
        let (Some(name), Some(arn)) = (m.monitoring_schedule_name(), m.monitoring_schedule_arn())
        else {
            continue;
        };
        let mut a = ctx.asset(arn, AssetType::SagemakerMonitoringSchedule, name);
        let endpoint = m
            .endpoint_name()
            .map(|e| ctx.arn("sagemaker", &format!("endpoint/{}", e.to_lowercase())));
        a.set("endpoint_name", s(m.endpoint_name()))
            .set("endpoint_arn", s(endpoint.as_deref()))
            .set(
                "monitoring_type",
                s(m.monitoring_type().map(|t| t.as_str())),
            )
            .set("job_definition_name", s(m.monitoring_job_definition_name()))
            .set(
                "status",
                s(m.monitoring_schedule_status().map(|t| t.as_str())),
            )
            .set("creation_time", ts(m.creation_time()));
        batch.assets.push(a);
    }
    Ok(batch)
}

/// `sagemaker.monitoring_schedules`: listed by the sweep.
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "sagemaker.monitoring_schedules",
    Scope::Regional,
    list_fn!(monitoring_schedules),
);
