//! Lambda `sweep`: on its EventBridge schedule, lists the organization's
//! accounts, records a sweep and queues one scan task per account × region plus
//! one per account for global resources. All logic is in `aispm_shared::pipeline`.

#![recursion_limit = "256"]

use aispm_shared::pipeline::deps::init_json_logs;
use aispm_shared::pipeline::{self, Deps};
use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_json_logs();
    let Deps {
        cfg,
        settings,
        sdk,
        store,
    } = Deps::from_env(|k| std::env::var(k).ok()).await?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    lambda_runtime::run(service_fn(|event: LambdaEvent<EventBridgeEvent<Value>>| {
        let (cfg, settings, store, sqs) = (&cfg, &settings, &store, &sqs);
        async move {
            tracing::info!(request_id = %event.context.request_id, source = %event.payload.source, "sweep triggered");
            let sweep =
                pipeline::run_sweep(settings, cfg, store, sqs, std::time::SystemTime::now()).await?;
            Ok::<_, Error>(json!({
                "sweep_id": sweep.sweep_id,
                "started_at": sweep.started_at,
                "accounts": sweep.accounts.len(),
                "expected_tasks": sweep.expected_tasks,
            }))
        }
    }))
    .await
}
