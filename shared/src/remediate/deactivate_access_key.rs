//! `deactivate_access_key`: sets an access key Inactive
//! (`iam:UpdateAccessKey`). The state is the key's status; rollback sets the
//! status it had before.

use serde_json::{Value, json};

use crate::aws::{CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

/// The key's user name and id, from the record's resource (the user's ARN)
/// and its planned call.
fn target(user_arn: &str, key_id: &str) -> (String, String) {
    let user = user_arn.rsplit('/').next().unwrap_or(user_arn).to_owned();
    (user, key_id.to_owned())
}

/// `{"AccessKeyId": ..., "Status": "Active" | "Inactive"}`.
pub async fn read(
    iam: &aws_sdk_iam::Client,
    user_arn: &str,
    key_id: &str,
) -> Result<Value, CollectError> {
    const OP: &str = "iam:ListAccessKeys";
    let (user, key) = target(user_arn, key_id);
    let out = iam
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

/// Whether the state is the fixed one.
pub fn fixed(state: &Value) -> bool {
    state["Status"] == "Inactive"
}

/// Sets the key's status (`Inactive` to fix, the old one to roll back).
pub async fn write(
    iam: &aws_sdk_iam::Client,
    user_arn: &str,
    key_id: &str,
    status: &str,
) -> Result<(), CollectError> {
    let (user, key) = target(user_arn, key_id);
    iam.update_access_key()
        .user_name(user)
        .access_key_id(key)
        .status(aws_sdk_iam::types::StatusType::from(status))
        .send()
        .await
        .op("iam:UpdateAccessKey")?;
    Ok(())
}
