//! Lambda `scan-account`: for each SQS record, scans one account × scope and
//! brings the findings store up to date; failed or malformed records are
//! returned as batch item failures (ReportBatchItemFailures). All logic is in
//! `aispm_shared::pipeline`.

#![recursion_limit = "256"]

use aispm_shared::pipeline::deps::init_json_logs;
use aispm_shared::pipeline::{self, Deps};
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_json_logs();
    let Deps {
        cfg,
        settings,
        store,
        ..
    } = Deps::from_env(|k| std::env::var(k).ok()).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let (cfg, settings, store) = (&cfg, &settings, &store);
        async move {
            tracing::info!(request_id = %event.context.request_id, records = event.payload.records.len(), "batch received");
            Ok::<SqsBatchResponse, Error>(
                pipeline::handle_sqs_event(
                    settings,
                    cfg,
                    store,
                    event.payload,
                    Some(pipeline::deadline_of_invocation(event.context.deadline)),
                )
                .await,
            )
        }
    }))
    .await
}
