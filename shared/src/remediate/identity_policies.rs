//! An IAM role's or user's own policies, read and written by name: what
//! `narrow_role_policy` changes, in one place for both kinds of identity.

use crate::aws::{Clients, CollectError, SdkResultExt};

use super::Record;

/// The identity the record changes.
#[derive(Clone, Copy)]
pub enum Identity<'a> {
    /// A role, by name.
    Role(&'a str),
    /// A user, by name.
    User(&'a str),
}

/// The identity `r` changes (its ARN names a user or a role).
pub fn identity(r: &Record) -> Identity<'_> {
    let name = super::resource_name(&r.resource_arn);
    if r.resource_arn.contains(":user/") {
        Identity::User(name)
    } else {
        Identity::Role(name)
    }
}

/// Role `role`'s inline policy `name` as a document, `null` when it has none
/// of that name.
pub async fn role_inline_or_null(
    c: &Clients,
    role: &str,
    name: &str,
) -> Result<serde_json::Value, CollectError> {
    match c
        .iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await
        .op("iam:GetRolePolicy")
    {
        Ok(out) => Ok(crate::collect::util::policy_json(out.policy_document())),
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(serde_json::Value::Null),
        Err(e) => Err(e),
    }
}

/// The names of its inline policies.
pub async fn inline_names(c: &Clients, id: Identity<'_>) -> Result<Vec<String>, CollectError> {
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let (page, next) = match id {
            Identity::Role(n) => {
                let o = c
                    .iam
                    .list_role_policies()
                    .role_name(n)
                    .set_marker(marker.take())
                    .send()
                    .await
                    .op("iam:ListRolePolicies")?;
                let next = o.marker().filter(|_| o.is_truncated()).map(str::to_owned);
                (o.policy_names().to_vec(), next)
            }
            Identity::User(n) => {
                let o = c
                    .iam
                    .list_user_policies()
                    .user_name(n)
                    .set_marker(marker.take())
                    .send()
                    .await
                    .op("iam:ListUserPolicies")?;
                let next = o.marker().filter(|_| o.is_truncated()).map(str::to_owned);
                (o.policy_names().to_vec(), next)
            }
        };
        names.extend(page);
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(names),
        }
    }
}

/// The ARNs of its attached managed policies.
pub async fn attached(c: &Clients, id: Identity<'_>) -> Result<Vec<String>, CollectError> {
    let mut arns = Vec::new();
    let mut marker = None;
    loop {
        let (page, next) = match id {
            Identity::Role(n) => {
                let o = c
                    .iam
                    .list_attached_role_policies()
                    .role_name(n)
                    .set_marker(marker.take())
                    .send()
                    .await
                    .op("iam:ListAttachedRolePolicies")?;
                let next = o.marker().filter(|_| o.is_truncated()).map(str::to_owned);
                (o.attached_policies().to_vec(), next)
            }
            Identity::User(n) => {
                let o = c
                    .iam
                    .list_attached_user_policies()
                    .user_name(n)
                    .set_marker(marker.take())
                    .send()
                    .await
                    .op("iam:ListAttachedUserPolicies")?;
                let next = o.marker().filter(|_| o.is_truncated()).map(str::to_owned);
                (o.attached_policies().to_vec(), next)
            }
        };
        arns.extend(
            page.iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned)),
        );
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(arns),
        }
    }
}

/// Writes inline policy `name`.
pub async fn put_inline(
    c: &Clients,
    id: Identity<'_>,
    name: &str,
    doc: &serde_json::Value,
) -> Result<(), CollectError> {
    put_raw(c, id, name, &doc.to_string()).await
}

/// Writes inline policy `name` as the text `doc`.
pub async fn put_raw(
    c: &Clients,
    id: Identity<'_>,
    name: &str,
    doc: &str,
) -> Result<(), CollectError> {
    match id {
        Identity::Role(n) => {
            c.iam
                .put_role_policy()
                .role_name(n)
                .policy_name(name)
                .policy_document(doc)
                .send()
                .await
                .op("iam:PutRolePolicy")?;
        }
        Identity::User(n) => {
            c.iam
                .put_user_policy()
                .user_name(n)
                .policy_name(name)
                .policy_document(doc)
                .send()
                .await
                .op("iam:PutUserPolicy")?;
        }
    }
    Ok(())
}

/// Deletes inline policy `name`.
pub async fn delete_inline(c: &Clients, id: Identity<'_>, name: &str) -> Result<(), CollectError> {
    match id {
        Identity::Role(n) => {
            c.iam
                .delete_role_policy()
                .role_name(n)
                .policy_name(name)
                .send()
                .await
                .op("iam:DeleteRolePolicy")?;
        }
        Identity::User(n) => {
            c.iam
                .delete_user_policy()
                .user_name(n)
                .policy_name(name)
                .send()
                .await
                .op("iam:DeleteUserPolicy")?;
        }
    }
    Ok(())
}

/// Detaches managed policy `arn`.
pub async fn detach(c: &Clients, id: Identity<'_>, arn: &str) -> Result<(), CollectError> {
    match id {
        Identity::Role(n) => {
            c.iam
                .detach_role_policy()
                .role_name(n)
                .policy_arn(arn)
                .send()
                .await
                .op("iam:DetachRolePolicy")?;
        }
        Identity::User(n) => {
            c.iam
                .detach_user_policy()
                .user_name(n)
                .policy_arn(arn)
                .send()
                .await
                .op("iam:DetachUserPolicy")?;
        }
    }
    Ok(())
}

/// Attaches managed policy `arn`.
pub async fn attach(c: &Clients, id: Identity<'_>, arn: &str) -> Result<(), CollectError> {
    match id {
        Identity::Role(n) => {
            c.iam
                .attach_role_policy()
                .role_name(n)
                .policy_arn(arn)
                .send()
                .await
                .op("iam:AttachRolePolicy")?;
        }
        Identity::User(n) => {
            c.iam
                .attach_user_policy()
                .user_name(n)
                .policy_arn(arn)
                .send()
                .await
                .op("iam:AttachUserPolicy")?;
        }
    }
    Ok(())
}
