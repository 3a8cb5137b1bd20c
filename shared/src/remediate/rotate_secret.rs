//! `rotate_secret`: turns on rotation of a secret (`secretsmanager:
//! RotateSecret`), which also rotates it now: with the rotation function it
//! has, or, for one without, the policy's `rotation_lambda_arn` every
//! `rotation_days` (default 30). A secret with neither is not changed, and
//! the failure says what the policy needs. The state is `{"RotationEnabled"}`;
//! rollback turns rotation off again (`CancelRotateSecret`): the function
//! stays configured, and a rotation already made stays made (the old value
//! is the secret's `AWSPREVIOUS` version). aispm never reads the value.

use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

const ROTATE: &str = "secretsmanager:RotateSecret";

fn param<'a>(r: &'a Record, k: &str) -> Option<&'a Value> {
    r.calls
        .first()
        .and_then(|c| c.params.get(k))
        .filter(|v| !v.is_null())
}

/// `{"RotationEnabled": bool}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let out = describe(c, r).await?;
    Ok(json!({"RotationEnabled": out.rotation_enabled().unwrap_or(false)}))
}

async fn describe(
    c: &Clients,
    r: &Record,
) -> Result<aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput, CollectError>
{
    c.secrets
        .describe_secret()
        .secret_id(&r.resource_arn)
        .send()
        .await
        .op("secretsmanager:DescribeSecret")
}

/// Whether rotation is on.
pub fn fixed(_: &Record, state: &Value) -> bool {
    state["RotationEnabled"] == true
}

/// Rotates with the secret's own function, or turns rotation on with the
/// policy's.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    let current = describe(c, r).await?;
    let lambda = match (current.rotation_lambda_arn(), param(r, "RotationLambdaARN")) {
        (Some(own), _) if !own.is_empty() => own.to_owned(),
        (_, Some(Value::String(planned))) => planned.clone(),
        _ => {
            return Err(CollectError::other(
                ROTATE,
                NotAssessedReason::Error,
                "the secret has no rotation function and the policy's rotate_secret entry gives no rotation_lambda_arn; nothing was changed",
            ));
        }
    };
    let days = param(r, "RotationRules")
        .and_then(|rules| rules["AutomaticallyAfterDays"].as_i64())
        .or_else(|| {
            current
                .rotation_rules()
                .and_then(|rules| rules.automatically_after_days())
        })
        .unwrap_or(30);
    c.secrets
        .rotate_secret()
        .secret_id(&r.resource_arn)
        .rotation_lambda_arn(lambda)
        .rotation_rules(
            aws_sdk_secretsmanager::types::RotationRulesType::builder()
                .automatically_after_days(days)
                .build(),
        )
        .send()
        .await
        .op(ROTATE)?;
    Ok(())
}

/// Turns rotation off again when it was off.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    if before["RotationEnabled"] == true {
        return Ok(());
    }
    c.secrets
        .cancel_rotate_secret()
        .secret_id(&r.resource_arn)
        .send()
        .await
        .op("secretsmanager:CancelRotateSecret")?;
    Ok(())
}
