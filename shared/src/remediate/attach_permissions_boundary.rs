//! `attach_permissions_boundary`: sets the role's permissions boundary to
//! the policy's `boundary_arn` (`iam:PutRolePermissionsBoundary`). The
//! boundary caps what the role's policies can grant; the role's findings
//! stay open while its policies still say more. The state is the boundary
//! the role has (`null` for none); rollback puts it back or deletes it.

use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;

fn role(r: &Record) -> &str {
    super::resource_name(&r.resource_arn)
}

/// The boundary the plan attaches.
fn wanted(r: &Record) -> Option<&str> {
    r.calls
        .first()
        .and_then(|c| c.params["PermissionsBoundary"].as_str())
}

/// `{"PermissionsBoundary": ARN | null}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let out = c
        .iam
        .get_role()
        .role_name(role(r))
        .send()
        .await
        .op("iam:GetRole")?;
    let arn = out
        .role()
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn());
    Ok(json!({ "PermissionsBoundary": arn }))
}

/// Whether the role has the planned boundary.
pub fn fixed(r: &Record, state: &Value) -> bool {
    wanted(r).is_some_and(|w| state["PermissionsBoundary"] == w)
}

async fn put(c: &Clients, r: &Record, arn: &str) -> Result<(), CollectError> {
    c.iam
        .put_role_permissions_boundary()
        .role_name(role(r))
        .permissions_boundary(arn)
        .send()
        .await
        .op("iam:PutRolePermissionsBoundary")?;
    Ok(())
}

/// Attaches the planned boundary.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    let Some(arn) = wanted(r) else {
        return Err(CollectError::other(
            "iam:PutRolePermissionsBoundary",
            NotAssessedReason::Error,
            "the plan names no boundary (the policy's boundary_arn)",
        ));
    };
    put(c, r, arn).await
}

/// Puts the boundary before back, or deletes the boundary when there was
/// none.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    match before["PermissionsBoundary"].as_str() {
        Some(arn) => put(c, r, arn).await,
        None => {
            c.iam
                .delete_role_permissions_boundary()
                .role_name(role(r))
                .send()
                .await
                .op("iam:DeleteRolePermissionsBoundary")?;
            Ok(())
        }
    }
}
