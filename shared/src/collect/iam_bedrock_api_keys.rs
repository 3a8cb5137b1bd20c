//! Bedrock API keys: IAM service-specific credentials for
//! `bedrock.amazonaws.com` (collector `iam.bedrock_api_keys`, global). A
//! long-term Bedrock API key is an IAM credential of its user: one call with
//! `AllUsers` lists every one in the account, with status, creation and
//! expiry; the secret is never returned by that call nor asked for.

use serde_json::json;

use super::spec::{ResourceSpec, list_fn};
use super::util::ts;
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::AssetType;

/// The service name Bedrock API keys are issued for.
const SERVICE: &str = "bedrock.amazonaws.com";

/// Every Bedrock API key of the account, as an asset named
/// `<user ARN>/bedrock-api-key/<credential id>` (the user's own ARN is what
/// findings name) with its `user_arn`, `status`, creation and expiry.
pub async fn bedrock_api_keys(ctx: &Ctx) -> Result<Batch, CollectError> {
    const LIST: &str = "iam:ListServiceSpecificCredentials";
    let mut batch = Batch::default();
    let mut marker: Option<String> = None;
    loop {
        let out = ctx
            .clients
            .iam
            .list_service_specific_credentials()
            .service_name(SERVICE)
            .all_users(true)
            .set_marker(marker.take())
            .send()
            .await
            .op(LIST)?;
        for c in out.service_specific_credentials() {
            let user_arn = format!(
                "arn:{}:iam::{}:user/{}",
                ctx.partition,
                ctx.account_id,
                c.user_name()
            );
            let id = c.service_specific_credential_id();
            let mut a = crate::model::Asset::new(
                format!("{user_arn}/bedrock-api-key/{id}"),
                AssetType::BedrockApiKey,
                id,
                &ctx.account_id,
                "global",
            );
            a.set("user_arn", Some(json!(user_arn)))
                .set("status", Some(json!(c.status().as_str())))
                .set("alias", c.service_credential_alias().map(|s| json!(s)))
                .set("creation_time", ts(Some(c.create_date())))
                .set("expiration_time", ts(c.expiration_date()));
            batch.assets.push(a);
        }
        match out.marker() {
            Some(m) if out.is_truncated() => marker = Some(m.to_owned()),
            _ => break,
        }
    }
    Ok(batch)
}

/// `iam.bedrock_api_keys`: listed by the sweep, once per account.
pub const SPEC: ResourceSpec = ResourceSpec::listed(
    "iam.bedrock_api_keys",
    Scope::Global,
    list_fn!(bedrock_api_keys),
);
