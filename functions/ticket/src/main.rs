//! Lambda `ticket`: the findings table's stream delivers finding changes;
//! each batch brings the tickets of the findings it touched in step with
//! them (opened, updated, resolved, reopened, closed with a reason,
//! remediated) through the configured sinks (`aispm_shared::tickets`). A
//! delivery that fails every attempt waits in the dead-letter queue for
//! `aispm tickets replay`; a finding whose store access fails is reported as
//! a batch item failure, so the stream retries it, and ticket links make the
//! retry deliver nothing twice.

#![recursion_limit = "256"]

use aispm_shared::pipeline::Deps;
use aispm_shared::pipeline::deps::init_json_logs;
use aispm_shared::tickets::function::Function;
use aws_lambda_events::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_json_logs();
    let get = |k: &str| std::env::var(k).ok();
    let deps = Deps::from_env(get).await?;
    let function = Function::from_env(&deps.sdk, get).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let (function, store) = (&function, &deps.store);
        async move {
            let request_id = event.context.request_id;
            let batch: Event = serde_json::from_value(event.payload)
                .map_err(|e| Error::from(format!("not a DynamoDB stream batch: {e}")))?;
            tracing::info!(%request_id, records = batch.records.len(), "stream batch received");
            let summary = function.handle(store, &batch).await;
            Ok::<_, Error>(serde_json::to_value(summary)?)
        }
    }))
    .await
}
