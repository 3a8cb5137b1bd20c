//! `deny_data_exfiltration`: writes the inline policy
//! `aispm-deny-data-exfiltration` on the role, an explicit deny of the
//! policy's `deny_actions` (egress and data actions by default), with
//! `iam:PutRolePolicy`. The deny caps what the role can do whatever its
//! other policies grant; its findings stay open. The state is that inline
//! policy's document (`null` when the role has none of that name); rollback
//! puts the old document back or deletes the policy.

use serde_json::{Value, json};

use super::Record;
use super::catalog::DENY_EXFILTRATION_POLICY;
use super::identity_policies::role_inline_or_null;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

fn role(r: &Record) -> &str {
    super::resource_name(&r.resource_arn)
}

/// The document the plan writes.
fn planned(r: &Record) -> Option<&Value> {
    r.calls
        .first()
        .map(|c| &c.params["PolicyDocument"])
        .filter(|d| d.is_object())
}

/// `{"PolicyName": ..., "PolicyDocument": document | null}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let doc = role_inline_or_null(c, role(r), DENY_EXFILTRATION_POLICY).await?;
    Ok(json!({"PolicyName": DENY_EXFILTRATION_POLICY, "PolicyDocument": doc}))
}

/// Whether the role's inline deny is the planned one.
pub fn fixed(r: &Record, state: &Value) -> bool {
    planned(r).is_some_and(|d| state["PolicyDocument"] == *d)
}

async fn put(c: &Clients, r: &Record, doc: &Value) -> Result<(), CollectError> {
    c.iam
        .put_role_policy()
        .role_name(role(r))
        .policy_name(DENY_EXFILTRATION_POLICY)
        .policy_document(doc.to_string())
        .send()
        .await
        .op("iam:PutRolePolicy")?;
    Ok(())
}

/// Writes the planned deny.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    let Some(doc) = planned(r) else {
        return Err(CollectError::other(
            "iam:PutRolePolicy",
            NotAssessedReason::Error,
            "the plan holds no policy document",
        ));
    };
    put(c, r, doc).await
}

/// Puts the document before back, or deletes the policy when there was
/// none.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    match &before["PolicyDocument"] {
        Value::Null => {
            c.iam
                .delete_role_policy()
                .role_name(role(r))
                .policy_name(DENY_EXFILTRATION_POLICY)
                .send()
                .await
                .op("iam:DeleteRolePolicy")?;
            Ok(())
        }
        doc => put(c, r, doc).await,
    }
}
