//! SageMaker user profiles: the single-resource reader and the list collector
//! `sagemaker.user_profiles`.

use super::prelude::*;

/// One Studio user profile (`DOMAIN_ID/NAME`) and its execution role.
pub async fn user_profile(ctx: &Ctx, id: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeUserProfile";
    let Some((domain, name)) = id.split_once('/') else {
        return Ok(None);
    };
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_user_profile()
            .domain_id(domain)
            .user_profile_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .user_profile_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("user-profile/{domain}/{name}")));
    let role = d.user_settings().and_then(|u| u.execution_role());
    let mut a = ctx.asset(&arn, AssetType::SagemakerUserProfile, name);
    a.set("domain_id", Some(json!(domain)))
        .set("role_arn", s(role))
        .set("status", s(d.status().map(|t| t.as_str())));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        role,
        EdgeKind::ExecutesAs,
        "UserSettings.ExecutionRole",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Studio user profiles.
pub async fn user_profiles(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .sagemaker
        .list_user_profiles()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("sagemaker:ListUserProfiles")?
        .into_iter()
        .filter_map(|p| Some(format!("{}/{}", p.domain_id()?, p.user_profile_name()?)))
        .collect();
    read_each(ids, |id| async move { user_profile(ctx, &id).await }).await
}

/// A stored user profile is read as `DOMAIN_ID/NAME`.
fn profile_key(a: &crate::model::Asset) -> Option<String> {
    Some(format!("{}/{}", a.str_attr("domain_id")?, a.name))
}

/// `sagemaker.user_profiles`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.user_profiles",
    Scope::Regional,
    AssetType::SagemakerUserProfile,
    list_fn!(user_profiles),
    read_fn!(user_profile),
    profile_key,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &[
        "CreateUserProfile",
        "UpdateUserProfile",
        "DeleteUserProfile",
    ],
    id: &["domainId+userProfileName"],
    part: None,
}]);
