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

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::util::{EdgeSink, describe_each, found, read_each, s, ts};
use super::{Batch, Ctx};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{Asset, AssetType, Coverage, Edge, EdgeKind};

/// What a single-resource reader returns: the resource's batch, or `None`
/// when it no longer exists.
type One = Result<Option<Batch>, CollectError>;

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

/// Records the first failure of a side read; later ones add nothing new.
#[derive(Default)]
struct SideCoverage {
    failure: Option<CollectError>,
}

impl SideCoverage {
    fn fail(&mut self, e: CollectError) {
        if self.failure.is_none() {
            self.failure = Some(e);
        }
    }

    fn record(self, ctx: &Ctx, id: &str) -> Coverage {
        match self.failure {
            None => Coverage::assessed(&ctx.account_id, &ctx.region, id),
            Some(e) => {
                Coverage::not_assessed(&ctx.account_id, &ctx.region, id, e.reason, e.to_string())
            }
        }
    }
}

/// One action group of an agent's working draft, as the `action_groups`
/// attribute lists it (`id`, `name`, `state`, `lambda_arn`,
/// `return_of_control`, `functions_without_confirmation`); `None` when gone.
pub async fn action_group(
    ctx: &Ctx,
    agent_id: &str,
    group_id: &str,
) -> Result<Option<Value>, CollectError> {
    let out = found(
        ctx.clients
            .bedrock_agent
            .get_agent_action_group()
            .agent_id(agent_id)
            .agent_version("DRAFT")
            .action_group_id(group_id)
            .send()
            .await
            .op("bedrock-agent:GetAgentActionGroup"),
    )?;
    let Some(g) = out.as_ref().and_then(|o| o.agent_action_group()) else {
        return Ok(None);
    };
    let executor = g.action_group_executor();
    let functions_without_confirmation: Vec<String> = g
        .function_schema()
        .and_then(|f| f.as_functions().ok())
        .map(|fs| {
            fs.iter()
                .filter(|f| {
                    f.require_confirmation()
                        .is_none_or(|r| r.as_str() != "ENABLED")
                })
                .map(|f| f.name().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(json!({
        "id": g.action_group_id(),
        "name": g.action_group_name(),
        "state": g.action_group_state().as_str(),
        "lambda_arn": executor.and_then(|e| e.as_lambda().ok()),
        "return_of_control": executor.is_some_and(|e| e.is_custom_control()),
        "functions_without_confirmation": functions_without_confirmation,
    })))
}

/// Every action group of an agent's working draft.
pub async fn action_groups(ctx: &Ctx, agent_id: &str) -> Result<Vec<Value>, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock_agent
        .list_agent_action_groups()
        .agent_id(agent_id)
        .agent_version("DRAFT")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agent:ListAgentActionGroups")?
        .into_iter()
        .map(|g| g.action_group_id().to_owned())
        .collect();
    describe_each(
        ids,
        |id| async move { action_group(ctx, agent_id, &id).await },
    )
    .await
}

/// The agent's tool edges: one per action group run by a Lambda function.
pub fn tool_edges(agent_arn: &str, groups: &[Value]) -> Vec<Edge> {
    let mut edges = EdgeSink::new("bedrock-agent:GetAgentActionGroup");
    for g in groups {
        edges.add(
            agent_arn,
            g.get("lambda_arn").and_then(Value::as_str),
            EdgeKind::InvokesTool,
            "actionGroupExecutor.lambda",
        );
    }
    edges.edges
}

/// The knowledge bases associated with an agent's working draft, as edges
/// from the agent.
pub async fn agent_knowledge_bases(
    ctx: &Ctx,
    agent_id: &str,
    agent_arn: &str,
) -> Result<Vec<Edge>, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock_agent
        .list_agent_knowledge_bases()
        .agent_id(agent_id)
        .agent_version("DRAFT")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agent:ListAgentKnowledgeBases")?
        .into_iter()
        .map(|k| k.knowledge_base_id().to_owned())
        .collect();
    let mut edges = EdgeSink::new("bedrock-agent:ListAgentKnowledgeBases");
    for kb in ids {
        let kb_arn = ctx.arn("bedrock", &format!("knowledge-base/{kb}"));
        edges.add(
            agent_arn,
            Some(&kb_arn),
            EdgeKind::UsesKnowledgeBase,
            "agentKnowledgeBaseSummaries.knowledgeBaseId",
        );
    }
    Ok(edges.edges)
}

/// One agent's own configuration (`id`: agent id or ARN): role, model,
/// guardrail, encryption, session TTL; its tools and knowledge bases are
/// read by [`agent`].
pub async fn agent_config(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock-agent:GetAgent";
    let id = super::util::arn_tail(id);
    let out = found(
        ctx.clients
            .bedrock_agent
            .get_agent()
            .agent_id(id)
            .send()
            .await
            .op(GET),
    )?;
    let Some(agent) = out.and_then(|o| o.agent) else {
        return Ok(None);
    };
    let arn = agent.agent_arn();
    let mut a = ctx.asset(arn, AssetType::BedrockAgent, agent.agent_name());
    a.tags = tags(ctx, arn).await?;
    let guardrail = agent.guardrail_configuration();
    a.set("agent_id", Some(json!(agent.agent_id())))
        .set("role_arn", Some(json!(agent.agent_resource_role_arn())))
        .set("foundation_model", s(agent.foundation_model()))
        .set(
            "guardrail_id",
            s(guardrail.and_then(|g| g.guardrail_identifier())),
        )
        .set(
            "guardrail_version",
            s(guardrail.and_then(|g| g.guardrail_version())),
        )
        .set("kms_key_arn", s(agent.customer_encryption_key_arn()))
        .set(
            "idle_session_ttl_seconds",
            Some(json!(agent.idle_session_ttl_in_seconds())),
        )
        .set("status", Some(json!(agent.agent_status().as_str())))
        .set("creation_time", ts(Some(agent.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(
        arn,
        Some(agent.agent_resource_role_arn()),
        EdgeKind::ExecutesAs,
        "agentResourceRoleArn",
    );
    if let Some(model) = agent.foundation_model() {
        let model_arn = if model.starts_with("arn:") {
            model.to_owned()
        } else {
            format!(
                "arn:{}:bedrock:{}::foundation-model/{model}",
                ctx.partition, ctx.region
            )
        };
        edges.add(
            arn,
            Some(&model_arn),
            EdgeKind::UsesModel,
            "foundationModel",
        );
    }
    if let Some(g) = guardrail.and_then(|g| g.guardrail_identifier()) {
        let g_arn = if g.starts_with("arn:") {
            g.to_owned()
        } else {
            ctx.arn("bedrock", &format!("guardrail/{g}"))
        };
        edges.add(
            arn,
            Some(&g_arn),
            EdgeKind::GuardedBy,
            "guardrailConfiguration.guardrailIdentifier",
        );
    }
    edges.add_kms(
        ctx,
        arn,
        agent.customer_encryption_key_arn(),
        "customerEncryptionKeyArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Sets an agent's `action_groups` attribute and its tool edges.
pub fn set_action_groups(batch: &mut Batch, mut groups: Vec<Value>) {
    groups.sort_by(|a, b| {
        a.get("id")
            .map(Value::to_string)
            .cmp(&b.get("id").map(Value::to_string))
    });
    let Some(a) = batch.assets.first_mut() else {
        return;
    };
    let arn = a.arn.clone();
    batch
        .edges
        .retain(|e| !(e.from == arn && e.kind == EdgeKind::InvokesTool));
    batch.edges.extend(tool_edges(&arn, &groups));
    a.set("action_groups", Some(Value::Array(groups)));
}

/// One agent whole: its configuration, tools (action groups) and knowledge
/// bases. A side read that fails leaves its coverage record (and no
/// `action_groups` attribute), never a tool-less agent.
pub async fn agent(ctx: &Ctx, id: &str) -> One {
    let Some(mut batch) = agent_config(ctx, id).await? else {
        return Ok(None);
    };
    let (agent_id, arn) = match batch.assets.first() {
        Some(a) => (
            a.str_attr("agent_id").unwrap_or(id).to_owned(),
            a.arn.clone(),
        ),
        None => return Ok(None),
    };
    let mut groups_cov = SideCoverage::default();
    match action_groups(ctx, &agent_id).await {
        Ok(groups) => set_action_groups(&mut batch, groups),
        Err(e) => groups_cov.fail(e),
    }
    let mut kbs_cov = SideCoverage::default();
    match agent_knowledge_bases(ctx, &agent_id, &arn).await {
        Ok(edges) => batch.edges.extend(edges),
        Err(e) => kbs_cov.fail(e),
    }
    batch
        .coverage
        .push(groups_cov.record(ctx, "bedrock_agent.action_groups"));
    batch
        .coverage
        .push(kbs_cov.record(ctx, "bedrock_agent.agent_knowledge_bases"));
    Ok(Some(batch))
}

/// One coverage record per side collector: the first failure if any
/// resource's side read failed, else assessed.
fn merge_coverage(ctx: &Ctx, mut batch: Batch, ids: &[&str]) -> Batch {
    let records = std::mem::take(&mut batch.coverage);
    for id in ids {
        let failed = records
            .iter()
            .find(|c| c.collector == *id && c.reason.is_some())
            .cloned();
        batch
            .coverage
            .push(failed.unwrap_or_else(|| Coverage::assessed(&ctx.account_id, &ctx.region, id)));
    }
    batch
}

/// Agents: role, model, guardrail, encryption, session TTL, tools.
pub async fn agents(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock_agent
        .list_agents()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agent:ListAgents")?
        .into_iter()
        .map(|a| a.agent_id().to_owned())
        .collect();
    let batch = read_each(ids, |id| async move { agent(ctx, &id).await }).await?;
    Ok(merge_coverage(
        ctx,
        batch,
        &[
            "bedrock_agent.action_groups",
            "bedrock_agent.agent_knowledge_bases",
        ],
    ))
}

/// One data source of a knowledge base, as the `data_sources` attribute
/// lists it (`id`, `name`, `bucket_arn`, `kms_key_arn`); `None` when gone.
pub async fn data_source(ctx: &Ctx, kb_id: &str, id: &str) -> Result<Option<Value>, CollectError> {
    let out = found(
        ctx.clients
            .bedrock_agent
            .get_data_source()
            .knowledge_base_id(kb_id)
            .data_source_id(id)
            .send()
            .await
            .op("bedrock-agent:GetDataSource"),
    )?;
    Ok(out.and_then(|o| o.data_source).map(|d| {
        json!({
            "id": d.data_source_id(),
            "name": d.name(),
            "bucket_arn": d
                .data_source_configuration()
                .and_then(|c| c.s3_configuration())
                .map(|s| s.bucket_arn()),
            "kms_key_arn": d
                .server_side_encryption_configuration()
                .and_then(|c| c.kms_key_arn()),
        })
    }))
}

/// Every data source of a knowledge base.
pub async fn data_sources(ctx: &Ctx, kb_id: &str) -> Result<Vec<Value>, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock_agent
        .list_data_sources()
        .knowledge_base_id(kb_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agent:ListDataSources")?
        .into_iter()
        .map(|d| d.data_source_id().to_owned())
        .collect();
    describe_each(ids, |id| async move { data_source(ctx, kb_id, &id).await }).await
}

/// Sets a knowledge base's `data_sources` attribute and its data-source edges.
pub fn set_data_sources(batch: &mut Batch, mut sources: Vec<Value>) {
    sources.sort_by(|a, b| {
        a.get("id")
            .map(Value::to_string)
            .cmp(&b.get("id").map(Value::to_string))
    });
    let Some(a) = batch.assets.first_mut() else {
        return;
    };
    let arn = a.arn.clone();
    batch
        .edges
        .retain(|e| !(e.from == arn && e.kind == EdgeKind::DataSource));
    let mut edges = EdgeSink::new("bedrock-agent:GetDataSource");
    for d in &sources {
        edges.add(
            &arn,
            d.get("bucket_arn").and_then(Value::as_str),
            EdgeKind::DataSource,
            "dataSourceConfiguration.s3Configuration.bucketArn",
        );
    }
    batch.edges.extend(edges.edges);
    a.set("data_sources", Some(Value::Array(sources)));
}

/// One knowledge base's own configuration (`id`: id or ARN): role, vector
/// store, embedding model; its data sources are read by [`knowledge_base`].
pub async fn knowledge_base_config(ctx: &Ctx, id: &str) -> One {
    const GET: &str = "bedrock-agent:GetKnowledgeBase";
    let id = super::util::arn_tail(id);
    let out = found(
        ctx.clients
            .bedrock_agent
            .get_knowledge_base()
            .knowledge_base_id(id)
            .send()
            .await
            .op(GET),
    )?;
    let Some(kb) = out.and_then(|o| o.knowledge_base) else {
        return Ok(None);
    };
    let arn = kb.knowledge_base_arn();
    let mut a: Asset = ctx.asset(arn, AssetType::BedrockKnowledgeBase, kb.name());
    a.tags = tags(ctx, arn).await?;
    let storage = kb.storage_configuration();
    let vector_store = storage.and_then(|s| {
        s.opensearch_serverless_configuration()
            .map(|o| o.collection_arn().to_owned())
            .or_else(|| {
                s.s3_vectors_configuration()
                    .and_then(|v| v.vector_bucket_arn().or(v.index_arn()))
                    .map(str::to_owned)
            })
    });
    let embedding = kb
        .knowledge_base_configuration()
        .and_then(|c| c.vector_knowledge_base_configuration())
        .map(|v| v.embedding_model_arn());
    a.set("knowledge_base_id", Some(json!(kb.knowledge_base_id())))
        .set("role_arn", Some(json!(kb.role_arn())))
        .set("storage_type", s(storage.map(|s| s.r#type().as_str())))
        .set("vector_store_arn", vector_store.clone().map(Value::String))
        .set("embedding_model_arn", s(embedding))
        .set("status", Some(json!(kb.status().as_str())))
        .set("creation_time", ts(Some(kb.created_at())));
    let mut edges = EdgeSink::new(GET);
    edges.add(arn, Some(kb.role_arn()), EdgeKind::ExecutesAs, "roleArn");
    edges.add(
        arn,
        vector_store.as_deref(),
        EdgeKind::VectorStore,
        "storageConfiguration",
    );
    edges.add(
        arn,
        embedding,
        EdgeKind::UsesModel,
        "knowledgeBaseConfiguration.vectorKnowledgeBaseConfiguration.embeddingModelArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// One knowledge base whole: configuration and data sources.
pub async fn knowledge_base(ctx: &Ctx, id: &str) -> One {
    let Some(mut batch) = knowledge_base_config(ctx, id).await? else {
        return Ok(None);
    };
    let kb_id = batch
        .assets
        .first()
        .and_then(|a| a.str_attr("knowledge_base_id"))
        .unwrap_or(id)
        .to_owned();
    let mut cov = SideCoverage::default();
    match data_sources(ctx, &kb_id).await {
        Ok(sources) => set_data_sources(&mut batch, sources),
        Err(e) => cov.fail(e),
    }
    batch
        .coverage
        .push(cov.record(ctx, "bedrock_agent.data_sources"));
    Ok(Some(batch))
}

/// Knowledge bases: role, vector store, embedding model, data sources.
pub async fn knowledge_bases(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids: Vec<String> = ctx
        .clients
        .bedrock_agent
        .list_knowledge_bases()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("bedrock-agent:ListKnowledgeBases")?
        .into_iter()
        .map(|k| k.knowledge_base_id().to_owned())
        .collect();
    let batch = read_each(ids, |id| async move { knowledge_base(ctx, &id).await }).await?;
    Ok(merge_coverage(ctx, batch, &["bedrock_agent.data_sources"]))
}
