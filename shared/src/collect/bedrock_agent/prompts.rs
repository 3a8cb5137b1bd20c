//! Bedrock Prompt Management prompts (the working draft of each): collector
//! `bedrock_agent.prompts`. A managed prompt is a versioned template with the
//! model it runs on; its text is application logic and often holds business
//! rules, so it is encrypted like data.

use serde_json::json;

use super::tags;
use crate::aws::{CollectError, SdkResultExt};
use crate::collect::spec::{ResourceSpec, list_fn};
use crate::collect::util::{EdgeSink, found, list_ids, read_each, s, ts};
use crate::collect::{Batch, Ctx, Scope};
use crate::model::{AssetType, EdgeKind};

/// One prompt: its key, variants and the models they run on.
async fn prompt(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agent:GetPrompt";
    let Some(p) = found(
        ctx.clients
            .bedrock_agent
            .get_prompt()
            .prompt_identifier(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = p.arn();
    let mut a = ctx.asset(arn, AssetType::BedrockPrompt, p.name());
    a.tags = tags(ctx, arn).await?;
    let models: Vec<&str> = p.variants().iter().filter_map(|v| v.model_id()).collect();
    a.set("prompt_id", Some(json!(p.id())))
        .set("kms_key_arn", s(p.customer_encryption_key_arn()))
        .set("default_variant", s(p.default_variant()))
        .set("models", Some(json!(models)))
        .set("creation_time", ts(Some(p.created_at())));
    let mut edges = EdgeSink::new(GET);
    for m in &models {
        edges.add(
            arn,
            Some(&super::model_arn(ctx, m)),
            EdgeKind::UsesModel,
            "variants.modelId",
        );
    }
    edges.add_kms(
        ctx,
        arn,
        p.customer_encryption_key_arn(),
        "customerEncryptionKeyArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every prompt of the region.
pub async fn prompts(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list_ids!(
        ctx.clients.bedrock_agent.list_prompts(),
        "bedrock-agent:ListPrompts",
        |p| p.id().to_owned()
    );
    read_each(ids, |id| async move { prompt(ctx, &id).await }).await
}

/// `bedrock_agent.prompts`: listed by the sweep.
pub const SPEC: ResourceSpec =
    ResourceSpec::listed("bedrock_agent.prompts", Scope::Regional, list_fn!(prompts));
