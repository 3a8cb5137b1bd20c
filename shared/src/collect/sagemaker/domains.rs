//! SageMaker domains: the single-resource reader and the list collector
//! `sagemaker.domains`.

use super::prelude::*;

/// One Studio domain (`id`: its id or ARN): network access type, auth mode,
/// default execution role, KMS.
pub async fn domain(ctx: &Ctx, id: &str) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeDomain";
    let id = arn_tail(id);
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_domain()
            .domain_id(id)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .domain_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("domain/{id}")));
    let name = d.domain_name().unwrap_or(id).to_owned();
    let mut a = ctx.asset(&arn, AssetType::SagemakerDomain, &name);
    a.tags = tags(ctx, &arn).await?;
    let role = d.default_user_settings().and_then(|u| u.execution_role());
    a.set("domain_id", Some(json!(id)))
        .set(
            "app_network_access_type",
            s(d.app_network_access_type().map(|t| t.as_str())),
        )
        .set("auth_mode", s(d.auth_mode().map(|t| t.as_str())))
        .set("kms_key_id", s(d.kms_key_id()))
        .set("role_arn", s(role))
        .set("vpc_id", s(d.vpc_id()))
        .set("status", s(d.status().map(|t| t.as_str())))
        .set("creation_time", ts(d.creation_time()));
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(
        &arn,
        role,
        EdgeKind::ExecutesAs,
        "DefaultUserSettings.ExecutionRole",
    );
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Studio domains.
pub async fn domains(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list!(ctx, list_domains, "sagemaker:ListDomains", domain_id);
    read_each(ids, |id| async move { domain(ctx, &id).await }).await
}

/// A stored domain is read by its id (the ARN when the id is missing).
fn domain_key(a: &crate::model::Asset) -> Option<String> {
    Some(a.str_attr("domain_id").unwrap_or(&a.arn).to_owned())
}

/// `sagemaker.domains`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.domains",
    Scope::Regional,
    AssetType::SagemakerDomain,
    list_fn!(domains),
    read_fn!(domain),
    domain_key,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &["CreateDomain", "UpdateDomain", "DeleteDomain"],
    id: &["domainId", "response.domainArn"],
    part: None,
}]);
