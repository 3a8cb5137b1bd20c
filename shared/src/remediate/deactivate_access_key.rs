//! `deactivate_access_key`: sets an access key Inactive
//! (`iam:UpdateAccessKey`). The state is the key's status; rollback sets the
//! status it had before.

use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

/// The key's user name (from the record's resource, the user's ARN) and id
/// (from its planned call).
fn target(r: &Record) -> (String, String) {
    let user = super::resource_name(&r.resource_arn).to_owned();
    let key = r
        .calls
        .first()
        .and_then(|c| c.params["AccessKeyId"].as_str())
        .unwrap_or_default()
        .to_owned();
    (user, key)
}

/// `{"AccessKeyId": ..., "Status": "Active" | "Inactive"}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    const OP: &str = "iam:ListAccessKeys";
    let (user, key) = target(r);
    if key.is_empty() {
        return Err(CollectError::other(
            OP,
            NotAssessedReason::Error,
            "the plan names no access key",
        ));
    }
    let out = c
        .iam
        .list_access_keys()
        .user_name(&user)
        .send()
        .await
        .op(OP)?;
    let found = out
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key.as_str()))
        .ok_or_else(|| {
            CollectError::other(
                OP,
                NotAssessedReason::Error,
                format!("user {user} has no access key {key}"),
            )
        })?;
    Ok(json!({"AccessKeyId": key,
              "Status": found.status().map(|s| s.as_str().to_owned())}))
}

/// Whether the key is inactive.
pub fn fixed(_: &Record, state: &Value) -> bool {
    state["Status"] == "Inactive"
}

async fn set(c: &Clients, r: &Record, status: &str) -> Result<(), CollectError> {
    let (user, key) = target(r);
    c.iam
        .update_access_key()
        .user_name(user)
        .access_key_id(key)
        .status(aws_sdk_iam::types::StatusType::from(status))
        .send()
        .await
        .op("iam:UpdateAccessKey")?;
    Ok(())
}

/// Sets the key Inactive.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    set(c, r, "Inactive").await
}

/// Sets the status the key had before.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    set(c, r, before["Status"].as_str().unwrap_or("Active")).await
}
