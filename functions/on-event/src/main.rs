//! Lambda `on-event`: EventBridge delivers CloudTrail API calls and AWS Health
//! events from the central bus; each one rescans exactly the resource it
//! changed (`aispm_shared::events`). Unknown events are ignored; a malformed
//! one fails the invocation, so Lambda's retries and on-failure destination
//! (the dead-letter queue) take it, without blocking other events.

#![recursion_limit = "256"]

use aispm_shared::aws::{AwsSettings, base_config};
use aispm_shared::events;
use aispm_shared::pipeline::PipelineConfig;
use aispm_shared::store::DynamoStore;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

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
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (cfg, settings, store) = (&cfg, &settings, &store);
        async move {
            tracing::info!(request_id = %event.context.request_id, "event received");
            let outcome = events::handle(settings, cfg, store, &event.payload).await?;
            Ok::<_, Error>(serde_json::to_value(outcome)?)
        }
    }))
    .await
}
