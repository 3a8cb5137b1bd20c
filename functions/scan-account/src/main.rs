//! Lambda `scan-account`: for each SQS record, scans one account × scope and
//! brings the findings store up to date; failed or malformed records are
//! returned as batch item failures (ReportBatchItemFailures). All logic is in
//! `aispm_shared::pipeline`.

#![recursion_limit = "256"]

use aispm_shared::aws::{AwsSettings, base_config};
use aispm_shared::pipeline::{self, PipelineConfig};
use aispm_shared::store::DynamoStore;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AISPM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .init();
    let cfg = PipelineConfig::from_env(|k| std::env::var(k).ok())?;
    let settings = AwsSettings::from_env();
    let home = cfg.regions.first().cloned().unwrap_or_default();
    let sdk = base_config(&settings, &home).await;
    let store = DynamoStore::new(&sdk, cfg.table.clone());
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let (cfg, settings, store) = (&cfg, &settings, &store);
        async move {
            tracing::info!(request_id = %event.context.request_id, records = event.payload.records.len(), "batch received");
            Ok::<SqsBatchResponse, Error>(
                pipeline::handle_sqs_event(settings, cfg, store, event.payload).await,
            )
        }
    }))
    .await
}
