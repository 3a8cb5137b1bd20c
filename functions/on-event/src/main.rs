//! Lambda `on-event`: EventBridge delivers CloudTrail API calls and AWS Health
//! events from the central bus; each one rescans exactly the resource it
//! changed (`aispm_shared::events`). Unknown events are ignored; a malformed
//! one fails the invocation, so Lambda's retries and on-failure destination
//! (the dead-letter queue) take it, without blocking other events.

#![recursion_limit = "256"]

use aispm_shared::events;
use aispm_shared::pipeline::Deps;
use aispm_shared::pipeline::deps::init_json_logs;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_json_logs();
    let Deps {
        cfg,
        settings,
        store,
        ..
    } = Deps::from_env(|k| std::env::var(k).ok()).await?;
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
