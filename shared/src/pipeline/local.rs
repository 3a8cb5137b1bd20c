//! Running the pipeline in one process, as Lambda would: the queue and its
//! dead-letter queue are created like the SAM template creates them, and
//! [`drain`] plays the SQS event source mapping: receive a batch, hand it to the
//! scanner's handler as an `SqsEvent`, delete the records that succeeded, leave
//! the reported failures to come back after the visibility timeout (and to be
//! dead-lettered by SQS after `maxReceiveCount` receives).

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};
use tracing::info;

use super::{PipelineConfig, PipelineError, handle_sqs_event};
use crate::aws::{AwsSettings, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;
use crate::store::Store;

/// A scan queue and its dead-letter queue.
#[derive(Debug, Clone)]
pub struct Queues {
    /// The scan queue.
    pub queue_url: String,
    /// Its ARN (the event source of the records).
    pub queue_arn: String,
    /// The dead-letter queue.
    pub dlq_url: String,
}

/// How the local queue behaves (the SAM template sets the same for AWS).
#[derive(Debug, Clone, Copy)]
pub struct QueueSettings {
    /// Receives before SQS moves a message to the dead-letter queue.
    pub max_receive_count: u32,
    /// Seconds a received message stays hidden.
    pub visibility_timeout_secs: u32,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            max_receive_count: 3,
            visibility_timeout_secs: 2,
        }
    }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, CollectError> {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .op("sqs:GetQueueAttributes")?;
    attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| {
            CollectError::other(
                "sqs:GetQueueAttributes",
                NotAssessedReason::Error,
                format!("no QueueArn for {url}"),
            )
        })
}

/// Creates (or reuses) `name` and `name-dlq` with a redrive policy.
pub async fn ensure_queues(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    settings: QueueSettings,
) -> Result<Queues, PipelineError> {
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .op("sqs:CreateQueue")?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let dlq_arn = queue_arn(sqs, &dlq_url).await?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": settings.max_receive_count,
    })
    .to_string();
    let queue_url = sqs
        .create_queue()
        .queue_name(name)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            settings.visibility_timeout_secs.to_string(),
        )
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .send()
        .await
        .op("sqs:CreateQueue")?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let queue_arn = queue_arn(sqs, &queue_url).await?;
    Ok(Queues {
        queue_url,
        queue_arn,
        dlq_url,
    })
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Batches handed to the handler.
    pub batches: u64,
    /// Records that succeeded (and were deleted).
    pub succeeded: u64,
    /// Records reported as failures (left for redelivery).
    pub failed: u64,
}

/// Messages visible plus in flight.
pub async fn queue_depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<u64, PipelineError> {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .op("sqs:GetQueueAttributes")?;
    let get = |k: QueueAttributeName| -> u64 {
        attrs
            .attributes()
            .and_then(|a| a.get(&k))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok(get(QueueAttributeName::ApproximateNumberOfMessages)
        + get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
}

/// Feeds the queue to the scanner handler until it is empty (failed messages
/// included: they come back until SQS dead-letters them), or `limit` passes.
pub async fn drain<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    sqs: &aws_sdk_sqs::Client,
    queues: &Queues,
    batch_size: i32,
    limit: Duration,
) -> Result<DrainReport, PipelineError> {
    let started = Instant::now();
    let mut report = DrainReport::default();
    let region = cfg.regions.first().cloned();
    loop {
        if started.elapsed() > limit {
            return Err(PipelineError::Config(format!(
                "the scan queue did not drain within {} s ({} messages left)",
                limit.as_secs(),
                queue_depth(sqs, &queues.queue_url).await?
            )));
        }
        let resp = sqs
            .receive_message()
            .queue_url(&queues.queue_url)
            .max_number_of_messages(batch_size.clamp(1, 10))
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .op("sqs:ReceiveMessage")?;
        let messages = resp.messages();
        if messages.is_empty() {
            if queue_depth(sqs, &queues.queue_url).await? == 0 {
                return Ok(report);
            }
            continue;
        }
        let mut event = SqsEvent::default();
        let mut handles: HashMap<String, String> = HashMap::new();
        for m in messages {
            let mut rec = SqsMessage::default();
            rec.message_id = m.message_id().map(str::to_owned);
            rec.receipt_handle = m.receipt_handle().map(str::to_owned);
            rec.body = m.body().map(str::to_owned);
            rec.md5_of_body = m.md5_of_body().map(str::to_owned);
            rec.attributes = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            rec.event_source = Some("aws:sqs".to_owned());
            rec.event_source_arn = Some(queues.queue_arn.clone());
            rec.aws_region = region.clone();
            if let (Some(id), Some(h)) = (m.message_id(), m.receipt_handle()) {
                handles.insert(id.to_owned(), h.to_owned());
            }
            event.records.push(rec);
        }
        let total = event.records.len() as u64;
        let response = handle_sqs_event(settings, cfg, store, event, None).await;
        report.batches += 1;
        let failed: BTreeSet<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        report.failed += failed.len() as u64;
        report.succeeded += total - failed.len() as u64;
        let done: Vec<DeleteMessageBatchRequestEntry> = handles
            .iter()
            .filter(|(id, _)| !failed.contains(id.as_str()))
            .filter_map(|(id, h)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(id.replace(|c: char| !c.is_ascii_alphanumeric(), ""))
                    .receipt_handle(h)
                    .build()
                    .ok()
            })
            .collect();
        if !done.is_empty() {
            sqs.delete_message_batch()
                .queue_url(&queues.queue_url)
                .set_entries(Some(done))
                .send()
                .await
                .op("sqs:DeleteMessageBatch")?;
        }
        info!(
            batch = report.batches,
            records = total,
            failed = failed.len(),
            "batch handled"
        );
    }
}
