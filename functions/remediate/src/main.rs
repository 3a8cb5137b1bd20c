//! Lambda `remediate`: the findings table's stream delivers state changes;
//! each batch plans remediation for the findings opened, reopened or changed
//! in severity, applies what the remediation policy allows through the
//! remediator role, verifies it by a rescan, and records every action in
//! the audit (`aispm_shared::remediate::function`). A batch whose store
//! writes fail fails the invocation, so the stream retries it; records are
//! idempotent, so a retried batch changes and logs nothing twice. Requests
//! to its function URL are signed approval callbacks: approve or deny an
//! action awaiting approval.

#![recursion_limit = "256"]

use aispm_shared::pipeline::Deps;
use aispm_shared::pipeline::deps::init_json_logs;
use aispm_shared::remediate::function::{Function, Invocation};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_json_logs();
    let get = |k: &str| std::env::var(k).ok();
    let deps = Deps::from_env(get).await?;
    let function = Function::from_env(&deps, get).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let (function, store) = (&function, &deps.store);
        async move {
            let request_id = event.context.request_id;
            match Invocation::parse(event.payload)? {
                Invocation::Stream(batch) => {
                    tracing::info!(%request_id, records = batch.records.len(), "stream batch received");
                    let summary = function.handle(store, &batch).await?;
                    Ok::<_, Error>(serde_json::to_value(summary)?)
                }
                Invocation::Callback(req) => {
                    tracing::info!(%request_id, "approval callback received");
                    let answer = function.callback(store, &req).await;
                    tracing::info!(%request_id, status = answer.status_code, "approval callback answered");
                    Ok(serde_json::to_value(answer)?)
                }
            }
        }
    }))
    .await
}
