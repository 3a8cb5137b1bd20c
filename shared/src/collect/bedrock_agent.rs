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

use super::util::{EdgeSink, describe_each, found, s, ts};
use super::{Batch, Ctx};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, Coverage, EdgeKind};

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

struct ActionGroup {
    name: String,
    state: String,
    lambda_arn: Option<String>,
    return_of_control: bool,
    functions_without_confirmation: Vec<String>,
}

async fn action_groups(ctx: &Ctx, agent_id: &str) -> Result<Vec<ActionGroup>, CollectError> {
    const GET: &str = "bedrock-agent:GetAgentActionGroup";
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
    describe_each(ids, |id| async move {
        let out = found(
            ctx.clients
                .bedrock_agent
                .get_agent_action_group()
                .agent_id(agent_id)
                .agent_version("DRAFT")
                .action_group_id(&id)
                .send()
                .await
                .op(GET),
        )?;
        let Some(g) = out.as_ref().and_then(|o| o.agent_action_group()) else {
            return Ok(None);
        };
        let executor = g.action_group_executor();
        let functions_without_confirmation = g
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
        Ok(Some(ActionGroup {
            name: g.action_group_name().to_owned(),
            state: g.action_group_state().as_str().to_owned(),
            lambda_arn: executor.and_then(|e| e.as_lambda().ok()).cloned(),
            return_of_control: executor.is_some_and(|e| e.is_custom_control()),
            functions_without_confirmation,
        }))
    })
    .await
}

async fn agent_knowledge_bases(ctx: &Ctx, agent_id: &str) -> Result<Vec<String>, CollectError> {
    Ok(ctx
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
        .collect())
}

/// Agents: role, model, guardrail, encryption, session TTL, tools.
pub async fn agents(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock-agent:GetAgent";
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
    let described = describe_each(ids, |id| async move {
        let out = found(
            ctx.clients
                .bedrock_agent
                .get_agent()
                .agent_id(&id)
                .send()
                .await
                .op(GET),
        )?;
        let Some(agent) = out.and_then(|o| o.agent) else {
            return Ok(None);
        };
        let tags = tags(ctx, agent.agent_arn()).await?;
        let groups = action_groups(ctx, &id).await;
        let kbs = agent_knowledge_bases(ctx, &id).await;
        Ok(Some((agent, tags, groups, kbs)))
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(GET);
    let mut tool_edges = EdgeSink::new("bedrock-agent:GetAgentActionGroup");
    let mut kb_edges = EdgeSink::new("bedrock-agent:ListAgentKnowledgeBases");
    let mut groups_cov = SideCoverage::default();
    let mut kbs_cov = SideCoverage::default();
    for (agent, tags, groups, kbs) in described {
        let arn = agent.agent_arn();
        let mut a = ctx.asset(arn, AssetType::BedrockAgent, agent.agent_name());
        a.tags = tags;
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
        match groups {
            Ok(groups) => {
                let list: Vec<Value> = groups
                    .iter()
                    .map(|g| {
                        json!({
                            "name": g.name,
                            "state": g.state,
                            "lambda_arn": g.lambda_arn,
                            "return_of_control": g.return_of_control,
                            "functions_without_confirmation": g.functions_without_confirmation,
                        })
                    })
                    .collect();
                a.set("action_groups", Some(Value::Array(list)));
                for g in &groups {
                    tool_edges.add(
                        arn,
                        g.lambda_arn.as_deref(),
                        EdgeKind::InvokesTool,
                        "actionGroupExecutor.lambda",
                    );
                }
            }
            Err(e) => groups_cov.fail(e),
        }
        match kbs {
            Ok(kbs) => {
                for kb in kbs {
                    let kb_arn = ctx.arn("bedrock", &format!("knowledge-base/{kb}"));
                    kb_edges.add(
                        arn,
                        Some(&kb_arn),
                        EdgeKind::UsesKnowledgeBase,
                        "agentKnowledgeBaseSummaries.knowledgeBaseId",
                    );
                }
            }
            Err(e) => kbs_cov.fail(e),
        }
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    batch.edges.extend(tool_edges.edges);
    batch.edges.extend(kb_edges.edges);
    batch
        .coverage
        .push(groups_cov.record(ctx, "bedrock_agent.action_groups"));
    batch
        .coverage
        .push(kbs_cov.record(ctx, "bedrock_agent.agent_knowledge_bases"));
    Ok(batch)
}

struct DataSourceInfo {
    name: String,
    bucket_arn: Option<String>,
    kms_key_arn: Option<String>,
}

async fn data_sources(ctx: &Ctx, kb_id: &str) -> Result<Vec<DataSourceInfo>, CollectError> {
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
    describe_each(ids, |id| async move {
        let out = found(
            ctx.clients
                .bedrock_agent
                .get_data_source()
                .knowledge_base_id(kb_id)
                .data_source_id(&id)
                .send()
                .await
                .op("bedrock-agent:GetDataSource"),
        )?;
        Ok(out.and_then(|o| o.data_source).map(|d| DataSourceInfo {
            name: d.name().to_owned(),
            bucket_arn: d
                .data_source_configuration()
                .and_then(|c| c.s3_configuration())
                .map(|s| s.bucket_arn().to_owned()),
            kms_key_arn: d
                .server_side_encryption_configuration()
                .and_then(|c| c.kms_key_arn())
                .map(str::to_owned),
        }))
    })
    .await
}

/// Knowledge bases: role, vector store, embedding model, data sources.
pub async fn knowledge_bases(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET: &str = "bedrock-agent:GetKnowledgeBase";
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
    let described = describe_each(ids, |id| async move {
        let out = found(
            ctx.clients
                .bedrock_agent
                .get_knowledge_base()
                .knowledge_base_id(&id)
                .send()
                .await
                .op(GET),
        )?;
        let Some(kb) = out.and_then(|o| o.knowledge_base) else {
            return Ok(None);
        };
        let tags = tags(ctx, kb.knowledge_base_arn()).await?;
        let sources = data_sources(ctx, &id).await;
        Ok(Some((kb, tags, sources)))
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new(GET);
    let mut ds_edges = EdgeSink::new("bedrock-agent:GetDataSource");
    let mut ds_cov = SideCoverage::default();
    for (kb, tags, sources) in described {
        let arn = kb.knowledge_base_arn();
        let mut a = ctx.asset(arn, AssetType::BedrockKnowledgeBase, kb.name());
        a.tags = tags;
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
        match sources {
            Ok(sources) => {
                let list: Vec<Value> = sources
                    .iter()
                    .map(|d| json!({"name": d.name, "bucket_arn": d.bucket_arn, "kms_key_arn": d.kms_key_arn}))
                    .collect();
                a.set("data_sources", Some(Value::Array(list)));
                for d in &sources {
                    ds_edges.add(
                        arn,
                        d.bucket_arn.as_deref(),
                        EdgeKind::DataSource,
                        "dataSourceConfiguration.s3Configuration.bucketArn",
                    );
                }
            }
            Err(e) => ds_cov.fail(e),
        }
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    batch.edges.extend(ds_edges.edges);
    batch
        .coverage
        .push(ds_cov.record(ctx, "bedrock_agent.data_sources"));
    Ok(batch)
}
