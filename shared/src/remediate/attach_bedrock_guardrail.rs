//! `attach_bedrock_guardrail`: attaches the policy's guardrail (id and
//! version) to a Bedrock agent (`bedrock:UpdateAgent`, every other setting
//! of the agent written back as it was read) and prepares the agent so the
//! guardrail takes effect (`bedrock:PrepareAgent`). The state is the
//! agent's `guardrailConfiguration` (`null` for none); rollback writes the
//! old one back and prepares again. Two writes: when the second fails, the
//! record says the first was made (see `after`).

use aws_sdk_bedrockagent::types::GuardrailConfiguration;
use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

const UPDATE: &str = "bedrock:UpdateAgent";

/// The agent id, the last segment of its ARN.
pub(super) fn agent_id(r: &Record) -> &str {
    super::resource_name(&r.resource_arn)
}

/// The guardrail the plan attaches.
fn planned(r: &Record) -> Value {
    r.calls
        .first()
        .map(|c| c.params["guardrailConfiguration"].clone())
        .unwrap_or(Value::Null)
}

/// `{"guardrailConfiguration": {"guardrailIdentifier", "guardrailVersion"} | null}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let agent = get(c, r).await?;
    let g = agent.guardrail_configuration().map(|g| {
        json!({"guardrailIdentifier": g.guardrail_identifier(),
               "guardrailVersion": g.guardrail_version()})
    });
    Ok(json!({ "guardrailConfiguration": g }))
}

async fn get(c: &Clients, r: &Record) -> Result<aws_sdk_bedrockagent::types::Agent, CollectError> {
    c.bedrock_agent
        .get_agent()
        .agent_id(agent_id(r))
        .send()
        .await
        .op("bedrock:GetAgent")?
        .agent
        .ok_or_else(|| {
            CollectError::other(
                "bedrock:GetAgent",
                NotAssessedReason::Error,
                format!("agent {} answered without its settings", agent_id(r)),
            )
        })
}

/// Whether the agent has the planned guardrail.
pub fn fixed(r: &Record, state: &Value) -> bool {
    let want = planned(r);
    !want.is_null() && state["guardrailConfiguration"] == want
}

/// Writes the agent back with `guardrail` (`null`: none), then prepares it.
async fn put(c: &Clients, r: &Record, guardrail: &Value) -> Result<(), CollectError> {
    let a = get(c, r).await?;
    let guardrail = match guardrail {
        Value::Null => None,
        g => Some(
            GuardrailConfiguration::builder()
                .set_guardrail_identifier(g["guardrailIdentifier"].as_str().map(str::to_owned))
                .set_guardrail_version(g["guardrailVersion"].as_str().map(str::to_owned))
                .build(),
        ),
    };
    c.bedrock_agent
        .update_agent()
        .agent_id(agent_id(r))
        .agent_name(a.agent_name())
        .agent_resource_role_arn(a.agent_resource_role_arn())
        .set_foundation_model(a.foundation_model().map(str::to_owned))
        .set_instruction(a.instruction().map(str::to_owned))
        .set_description(a.description().map(str::to_owned))
        .set_orchestration_type(a.orchestration_type().cloned())
        .set_custom_orchestration(a.custom_orchestration().cloned())
        .set_idle_session_ttl_in_seconds(Some(a.idle_session_ttl_in_seconds()))
        .set_customer_encryption_key_arn(a.customer_encryption_key_arn().map(str::to_owned))
        .set_prompt_override_configuration(a.prompt_override_configuration().cloned())
        .set_memory_configuration(a.memory_configuration().cloned())
        .set_agent_collaboration(a.agent_collaboration().cloned())
        .set_guardrail_configuration(guardrail)
        .send()
        .await
        .op(UPDATE)?;
    prepare(c, r).await
}

/// Prepares the agent, so what was written takes effect.
pub(super) async fn prepare(c: &Clients, r: &Record) -> Result<(), CollectError> {
    c.bedrock_agent
        .prepare_agent()
        .agent_id(agent_id(r))
        .send()
        .await
        .op("bedrock:PrepareAgent")?;
    Ok(())
}

/// Attaches the planned guardrail.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    let want = planned(r);
    if want["guardrailIdentifier"].as_str().is_none() {
        return Err(CollectError::other(
            UPDATE,
            NotAssessedReason::Error,
            "the plan names no guardrail (the policy's guardrail_id and guardrail_version)",
        ));
    }
    put(c, r, &want).await
}

/// Writes the old guardrail configuration back.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    put(c, r, &before["guardrailConfiguration"]).await
}
