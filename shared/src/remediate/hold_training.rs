//! `hold_training`: holds the training fed by a poisonable bucket (scenario
//! 2). The training jobs and pipelines that read it (the finding's evidence)
//! get, on the roles they run as, the inline deny `aispm-hold-training` of
//! reading the bucket (`s3:GetObject`, `s3:GetObjectVersion`,
//! `s3:ListBucket`), so that no restart or new run with those roles can
//! train on its data; then the jobs still running are stopped
//! (`StopTrainingJob`) and the pipelines' executing runs too
//! (`StopPipelineExecution`). The hold stands until it is released with
//! `aispm remediation rollback ID`, once the data is known clean: rollback
//! puts the roles' policies back as they were; what was stopped stays
//! stopped (a stopped job cannot be resumed). A mitigation: the bucket's
//! finding stays open until its foreign write is removed.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Record;
use super::identity_policies::{Identity, delete_inline, put_inline, role_inline_or_null};
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

/// The inline deny the hold writes on each training role.
pub const HOLD_POLICY: &str = "aispm-hold-training";

fn params(r: &Record) -> &Value {
    r.calls.first().map_or(&Value::Null, |c| &c.params)
}

fn names<'a>(r: &'a Record, key: &str) -> Vec<&'a str> {
    params(r)[key]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The deny the hold writes for `bucket`.
pub fn hold_document(bucket: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "AispmHoldTrainingOnPoisonableData",
        "Effect": "Deny",
        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]}]})
}

/// The plan's calls for a finding on `bucket` read by `readers` (training
/// job and pipeline ARNs), or why there is nothing to hold.
pub fn calls(bucket: &str, readers: &[&str]) -> Result<Vec<super::Call>, String> {
    let tail = |kind: &str| -> Vec<String> {
        readers
            .iter()
            .filter(|a| a.contains(kind))
            .map(|a| super::resource_name(a).to_owned())
            .collect()
    };
    let (jobs, pipelines) = (tail(":training-job/"), tail(":pipeline/"));
    if jobs.is_empty() && pipelines.is_empty() {
        return Err("no training job or pipeline reads the bucket".into());
    }
    Ok(vec![
        super::Call {
            api: "iam:PutRolePolicy".into(),
            params: json!({"Bucket": bucket, "Jobs": jobs, "Pipelines": pipelines,
                           "PolicyName": HOLD_POLICY, "PolicyDocument": hold_document(bucket)}),
        },
        super::Call {
            api: "sagemaker:StopTrainingJob".into(),
            params: json!({"Jobs": jobs, "Which": "those in progress"}),
        },
        super::Call {
            api: "sagemaker:StopPipelineExecution".into(),
            params: json!({"Pipelines": pipelines, "Which": "executions executing"}),
        },
    ])
}

fn error(op: &str, message: impl Into<String>) -> CollectError {
    CollectError::other(op, NotAssessedReason::Error, message)
}

/// `{"Running": [job names in progress, pipeline execution ARNs executing],
/// "Holds": {role name: its aispm-hold-training document or null}}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let mut running = Vec::new();
    let mut roles = Vec::new();
    for job in names(r, "Jobs") {
        let out = c
            .sagemaker
            .describe_training_job()
            .training_job_name(job)
            .send()
            .await
            .op("sagemaker:DescribeTrainingJob")?;
        if matches!(
            out.training_job_status(),
            Some(aws_sdk_sagemaker::types::TrainingJobStatus::InProgress)
        ) {
            running.push(json!(job));
        }
        roles.extend(out.role_arn().map(str::to_owned));
    }
    for p in names(r, "Pipelines") {
        let out = c
            .sagemaker
            .describe_pipeline()
            .pipeline_name(p)
            .send()
            .await
            .op("sagemaker:DescribePipeline")?;
        roles.extend(out.role_arn().map(str::to_owned));
        let runs = c
            .sagemaker
            .list_pipeline_executions()
            .pipeline_name(p)
            .send()
            .await
            .op("sagemaker:ListPipelineExecutions")?;
        for e in runs.pipeline_execution_summaries() {
            if matches!(
                e.pipeline_execution_status(),
                Some(aws_sdk_sagemaker::types::PipelineExecutionStatus::Executing)
            ) {
                running.extend(e.pipeline_execution_arn().map(|a| json!(a)));
            }
        }
    }
    let mut holds = Map::new();
    for role in roles {
        let name = super::resource_name(&role).to_owned();
        if holds.contains_key(&name) {
            continue;
        }
        let doc = role_inline_or_null(c, &name, HOLD_POLICY).await?;
        holds.insert(name, doc);
    }
    Ok(json!({"Running": running, "Holds": holds}))
}

/// Whether nothing reading the bucket runs and every role holds.
pub fn fixed(r: &Record, state: &Value) -> bool {
    let want = &params(r)["PolicyDocument"];
    want.is_object()
        && state["Running"].as_array().is_some_and(Vec::is_empty)
        && state["Holds"]
            .as_object()
            .is_some_and(|h| h.values().all(|d| d == want))
}

/// The state rollback restores (what was stopped stays stopped).
pub fn restorable(state: &Value) -> Value {
    json!({"Holds": state["Holds"]})
}

/// Holds the roles first, so that nothing restarted reads the data, then
/// stops what runs.
pub async fn write(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    let want = &params(r)["PolicyDocument"];
    if !want.is_object() {
        return Err(error(
            "iam:PutRolePolicy",
            "the plan holds no hold document",
        ));
    }
    let empty = Map::new();
    for (role, doc) in before["Holds"].as_object().unwrap_or(&empty) {
        if doc != want {
            put_inline(c, Identity::Role(role), HOLD_POLICY, want).await?;
        }
    }
    for run in before["Running"].as_array().into_iter().flatten() {
        let Some(run) = run.as_str() else { continue };
        if run.starts_with("arn:") {
            c.sagemaker
                .stop_pipeline_execution()
                .pipeline_execution_arn(run)
                .client_request_token(format!("aispm-{}-stop-pipeline-execution", r.action_id))
                .send()
                .await
                .op("sagemaker:StopPipelineExecution")?;
        } else {
            c.sagemaker
                .stop_training_job()
                .training_job_name(run)
                .send()
                .await
                .op("sagemaker:StopTrainingJob")?;
        }
    }
    Ok(())
}

/// Releases the hold: each role's hold policy as it was before (deleted
/// where it had none).
pub async fn undo(c: &Clients, _r: &Record, before: &Value) -> Result<(), CollectError> {
    let holds: BTreeMap<String, Value> = before["Holds"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    for (role, doc) in holds {
        match doc {
            Value::Null => match delete_inline(c, Identity::Role(&role), HOLD_POLICY).await {
                Err(e) if e.code.as_deref() == Some("NoSuchEntity") => {}
                other => other?,
            },
            doc => put_inline(c, Identity::Role(&role), HOLD_POLICY, &doc).await?,
        }
    }
    Ok(())
}
