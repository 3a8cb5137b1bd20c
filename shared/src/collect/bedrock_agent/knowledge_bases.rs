//! Bedrock knowledge bases with their data sources: collector
//! `bedrock_agent.knowledge_bases`.

use serde_json::{Value, json};

use super::{One, SideCoverage, keep_parts, listed, merge_coverage, stored_id, tags, with_entry};
use crate::aws::{CollectError, SdkResultExt};
use crate::collect::spec::{EventCalls, ResourceSpec, list_fn, part_fn, read_fn};
use crate::collect::util::{EdgeSink, describe_each, found, read_each, s, ts};
use crate::collect::{Batch, Ctx, Scope};
use crate::model::{Asset, AssetType, EdgeKind};

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
    let id = crate::collect::util::arn_tail(id);
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

/// Re-reads a stored knowledge base's own configuration, keeping its data
/// sources (they change with their own calls).
async fn config_part(ctx: &Ctx, id: &str, _child: Option<&str>, stored: Batch) -> One {
    let config = knowledge_base_config(ctx, id).await?;
    Ok(keep_parts(
        config,
        &stored,
        "data_sources",
        &[EdgeKind::DataSource],
    ))
}

/// Re-reads one data source of a stored knowledge base (`child`), or all of
/// them when the call names none or the stored list lacks ids.
async fn data_source_part(ctx: &Ctx, id: &str, child: Option<&str>, stored: Batch) -> One {
    let kb_id = stored_id(&stored, "knowledge_base_id", id).to_owned();
    let sources = match (listed(&stored, "data_sources"), child) {
        (Some(sources), Some(d)) => with_entry(sources, d, data_source(ctx, &kb_id, d).await?),
        _ => data_sources(ctx, &kb_id).await?,
    };
    let mut batch = stored;
    set_data_sources(&mut batch, sources);
    Ok(Some(batch))
}

/// `bedrock_agent.knowledge_bases`: the knowledge base's configuration and
/// each data source change with their own calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "bedrock_agent.knowledge_bases",
    Scope::Regional,
    AssetType::BedrockKnowledgeBase,
    list_fn!(knowledge_bases),
    read_fn!(knowledge_base),
    |a| a.str_attr("knowledge_base_id").map(str::to_owned),
)
.refreshed_by(part_fn!(config_part))
.on(&[
    EventCalls {
        source: super::SOURCE,
        names: &[
            "CreateKnowledgeBase",
            "UpdateKnowledgeBase",
            "DeleteKnowledgeBase",
        ],
        id: &["knowledgeBaseId", "response.knowledgeBase.knowledgeBaseId"],
        part: None,
    },
    EventCalls {
        source: super::SOURCE,
        names: &["CreateDataSource", "UpdateDataSource", "DeleteDataSource"],
        id: &[
            "knowledgeBaseId+dataSourceId",
            "knowledgeBaseId+response.dataSource.dataSourceId",
        ],
        part: Some(part_fn!(data_source_part)),
    },
]);
