//! The SQS adapter: sending a sweep's tasks, and the scanner's batch handler.

use std::collections::BTreeSet;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use tracing::{Instrument, error, warn};

use super::{PipelineConfig, PipelineError, ScanTask, run_task_by};
use crate::aws::{AwsSettings, SdkResultExt};
use crate::store::Store;

/// Sends tasks with SendMessageBatch (10 per call), retrying failed entries.
pub async fn enqueue(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    tasks: &[ScanTask],
) -> Result<(), PipelineError> {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    for chunk in tasks.chunks(10) {
        let mut pending: Vec<(String, String)> = chunk
            .iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), serde_json::to_string(t).unwrap_or_default()))
            .collect();
        let mut last_error = String::new();
        for attempt in 0..4u32 {
            if pending.is_empty() {
                break;
            }
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
            }
            let entries = pending
                .iter()
                .map(|(id, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(id)
                        .message_body(body)
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PipelineError::Config(e.to_string()))?;
            let resp = sqs
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .op("sqs:SendMessageBatch")?;
            let failed: BTreeSet<&str> = resp.failed().iter().map(|f| f.id()).collect();
            if let Some(f) = resp.failed().first() {
                last_error = format!("{}: {}", f.code(), f.message().unwrap_or_default());
            }
            pending.retain(|(id, _)| failed.contains(id.as_str()));
        }
        if !pending.is_empty() {
            return Err(PipelineError::Enqueue {
                failed: pending.len(),
                total: tasks.len(),
                detail: last_error,
            });
        }
    }
    Ok(())
}

/// The scanner's SQS handler: each record is one task; a record that is
/// malformed or whose task fails is reported as a batch item failure, so SQS
/// redelivers only it (and, after the queue's receive count, dead-letters it).
/// With a `deadline` (the invocation's), each task is done by it
/// ([`run_task_by`]); records left when too little time remains are failed
/// without starting, for redelivery.
pub async fn handle_sqs_event<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    event: SqsEvent,
    deadline: Option<tokio::time::Instant>,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("task", message_id = %message_id);
        let result = async {
            let body = record
                .body
                .as_deref()
                .ok_or_else(|| PipelineError::Message("empty body".to_owned()))?;
            let task = ScanTask::parse(body)?;
            let span = tracing::info_span!("scan", sweep_id = %task.sweep_id, account_id = %task.account_id, scope = %task.scope);
            run_task_by(settings, cfg, store, &task, deadline)
                .instrument(span)
                .await
        }
        .instrument(span)
        .await;
        if let Err(e) = result {
            let chain = crate::aws::source_chain(&e);
            if matches!(e, PipelineError::Message(_)) {
                warn!(message_id = %message_id, error = %chain, "malformed message");
            } else if matches!(e, PipelineError::NoTime { .. }) {
                warn!(message_id = %message_id, error = %chain, "not started; left for redelivery");
            } else {
                error!(message_id = %message_id, error = %chain, "task failed");
            }
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
