//! Bedrock agents and knowledge bases, with their action groups (tools) and data
//! sources. Attribute keys: `role_arn`, `foundation_model`, `guardrail_id`,
//! `guardrail_version`, `kms_key_arn`, `idle_session_ttl_seconds`,
//! `action_groups`, `storage_type`, `vector_store_arn`, `embedding_model_arn`,
//! `data_sources`.
//!
//! Action groups, agent knowledge-base associations and data sources are read on
//! the side; each reports its own coverage (`bedrock_agent.action_groups`,
//! `bedrock_agent.agent_knowledge_bases`, `bedrock_agent.data_sources`), so an
//! endpoint that lacks them leaves a "not assessed" record rather than an agent
//! that looks tool-less.

//!
//! An event re-reads only what its call changed: an agent's or knowledge
//! base's own configuration, one action group, the knowledge-base
//! associations, or one data source (the specs' part readers).

pub mod agents;
pub mod flows;
pub mod knowledge_bases;
pub mod prompts;

use std::collections::BTreeMap;

use crate::aws::{CollectError, SdkResultExt};
use crate::collect::{Batch, Ctx};
use serde_json::Value;

pub(crate) use crate::collect::util::{SideCoverage, merge_coverage};
use crate::model::EdgeKind;

pub use agents::{
    action_group, action_groups, agent, agent_config, agent_knowledge_bases, set_action_groups,
    tool_edges,
};
pub use knowledge_bases::{
    data_source, data_sources, knowledge_base, knowledge_base_config, set_data_sources,
};

/// Bedrock Agents' CloudTrail event source (Bedrock's).
const SOURCE: &str = "bedrock.amazonaws.com";

/// What a single-resource reader returns: the resource's batch, or `None`
/// when it no longer exists.
type One = Result<Option<Batch>, CollectError>;

/// The ARN of a model named by id or ARN (`anthropic.claude-...` is a
/// foundation model of the context's region).
fn model_arn(ctx: &Ctx, model: &str) -> String {
    if model.starts_with("arn:") {
        model.to_owned()
    } else {
        format!(
            "arn:{}:bedrock:{}::foundation-model/{model}",
            ctx.partition, ctx.region
        )
    }
}

async fn tags(ctx: &Ctx, arn: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let out = ctx
        .clients
        .bedrock_agent
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .op("bedrock-agent:ListTagsForResource")?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

/// A stored resource's string attribute (an id the readers take), else the
/// identifier the call named.
fn stored_id<'a>(stored: &'a Batch, attr: &str, id: &'a str) -> &'a str {
    stored
        .assets
        .first()
        .and_then(|a| a.str_attr(attr))
        .unwrap_or(id)
}

/// A freshly read configuration with the parts that change with their own
/// calls kept from `stored`: its `attr` attribute and its edges of `kinds`.
fn keep_parts(
    config: Option<Batch>,
    stored: &Batch,
    attr: &str,
    kinds: &[EdgeKind],
) -> Option<Batch> {
    let old = stored.assets.first()?;
    config.map(|mut b| {
        if let Some(a) = b.assets.first_mut() {
            a.set(attr, old.attributes.get(attr).cloned());
        }
        b.edges.extend(
            stored
                .edges
                .iter()
                .filter(|e| e.from == old.arn && kinds.contains(&e.kind))
                .cloned(),
        );
        b
    })
}

/// The stored list `attr` (action groups, data sources) when every entry
/// carries its id; entries stored before ids were kept are re-listed whole.
fn listed(stored: &Batch, attr: &str) -> Option<Vec<Value>> {
    stored
        .assets
        .first()
        .and_then(|a| a.attributes.get(attr))
        .and_then(Value::as_array)
        .filter(|l| l.iter().all(|x| x.get("id").is_some()))
        .cloned()
}

/// `list` without the entry `child`, plus `current` (its fresh read; `None`
/// when it is gone).
fn with_entry(mut list: Vec<Value>, child: &str, current: Option<Value>) -> Vec<Value> {
    list.retain(|x| x.get("id").and_then(Value::as_str) != Some(child));
    list.extend(current);
    list
}
