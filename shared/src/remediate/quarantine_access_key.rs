//! `quarantine_access_key`: attaches AWS's compromised-key quarantine policy
//! (`AWSCompromisedKeyQuarantineV3`, the one AWS attaches itself when it
//! finds a leaked key) to the key's user (`iam:AttachUserPolicy`). It denies
//! the actions an attacker uses first while people investigate; the key's
//! findings stay open until the key is deactivated or deleted. The state is
//! whether the policy is attached; rollback detaches it if it was not.

use serde_json::{Value, json};

use super::Record;
use super::catalog::QUARANTINE_POLICY_ARN;
use crate::aws::{Clients, CollectError, SdkResultExt};

fn user(r: &Record) -> &str {
    super::resource_name(&r.resource_arn)
}

/// `{"PolicyArn": ..., "Attached": bool}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let mut attached = false;
    let mut marker = None;
    loop {
        let out = c
            .iam
            .list_attached_user_policies()
            .user_name(user(r))
            .set_marker(marker.take())
            .send()
            .await
            .op("iam:ListAttachedUserPolicies")?;
        attached |= out
            .attached_policies()
            .iter()
            .any(|p| p.policy_arn() == Some(QUARANTINE_POLICY_ARN));
        match out.marker() {
            Some(m) if out.is_truncated() => marker = Some(m.to_owned()),
            _ => break,
        }
    }
    Ok(json!({"PolicyArn": QUARANTINE_POLICY_ARN, "Attached": attached}))
}

/// Whether the quarantine policy is attached.
pub fn fixed(_: &Record, state: &Value) -> bool {
    state["Attached"] == true
}

/// Attaches the quarantine policy.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    c.iam
        .attach_user_policy()
        .user_name(user(r))
        .policy_arn(QUARANTINE_POLICY_ARN)
        .send()
        .await
        .op("iam:AttachUserPolicy")?;
    Ok(())
}

/// Detaches it when it was not attached before.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    if before["Attached"] == true {
        return Ok(());
    }
    c.iam
        .detach_user_policy()
        .user_name(user(r))
        .policy_arn(QUARANTINE_POLICY_ARN)
        .send()
        .await
        .op("iam:DetachUserPolicy")?;
    Ok(())
}
