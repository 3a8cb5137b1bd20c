//! Bedrock agents with their action groups (tools) and knowledge-base
//! associations: collector `bedrock_agent.agents`.

use serde_json::{Value, json};

use super::{One, SideCoverage, keep_parts, listed, merge_coverage, stored_id, tags, with_entry};
use crate::aws::{CollectError, SdkResultExt};
use crate::collect::spec::{EventCalls, ResourceSpec, list_fn, part_fn, read_fn};
use crate::collect::util::{EdgeSink, describe_each, found, read_each, s, ts};
use crate::collect::{Batch, Ctx, Scope};
use crate::model::{AssetType, Edge, EdgeKind};

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
    let id = crate::collect::util::arn_tail(id);
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
        edges.add(
            arn,
            Some(&super::model_arn(ctx, model)),
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

/// Re-reads a stored agent's own configuration, keeping its tools and
/// knowledge bases (they change with their own calls).
async fn config_part(ctx: &Ctx, id: &str, _child: Option<&str>, stored: Batch) -> One {
    let config = agent_config(ctx, id).await?;
    Ok(keep_parts(
        config,
        &stored,
        "action_groups",
        &[EdgeKind::InvokesTool, EdgeKind::UsesKnowledgeBase],
    ))
}

/// Re-reads one action group of a stored agent (`child`), or all of them
/// when the call names none or the stored list lacks ids.
async fn action_group_part(ctx: &Ctx, id: &str, child: Option<&str>, stored: Batch) -> One {
    let agent_id = stored_id(&stored, "agent_id", id).to_owned();
    let groups = match (listed(&stored, "action_groups"), child) {
        (Some(groups), Some(g)) => with_entry(groups, g, action_group(ctx, &agent_id, g).await?),
        _ => action_groups(ctx, &agent_id).await?,
    };
    let mut batch = stored;
    set_action_groups(&mut batch, groups);
    Ok(Some(batch))
}

/// Re-reads the knowledge bases associated with a stored agent.
async fn knowledge_bases_part(ctx: &Ctx, id: &str, _child: Option<&str>, stored: Batch) -> One {
    let agent_id = stored_id(&stored, "agent_id", id).to_owned();
    let Some(arn) = stored.assets.first().map(|a| a.arn.clone()) else {
        return Ok(Some(stored));
    };
    let kbs = agent_knowledge_bases(ctx, &agent_id, &arn).await?;
    let mut batch = stored;
    batch
        .edges
        .retain(|e| e.kind != EdgeKind::UsesKnowledgeBase);
    batch.edges.extend(kbs);
    Ok(Some(batch))
}

/// `bedrock_agent.agents`: the agent's configuration, its action groups
/// and its knowledge bases each change with their own calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "bedrock_agent.agents",
    Scope::Regional,
    AssetType::BedrockAgent,
    list_fn!(agents),
    read_fn!(agent),
    |a| a.str_attr("agent_id").map(str::to_owned),
)
.refreshed_by(part_fn!(config_part))
.on(&[
    EventCalls {
        source: super::SOURCE,
        names: &["CreateAgent", "UpdateAgent", "DeleteAgent"],
        id: &["agentId", "response.agent.agentId"],
        part: None,
    },
    EventCalls {
        source: super::SOURCE,
        names: &[
            "CreateAgentActionGroup",
            "UpdateAgentActionGroup",
            "DeleteAgentActionGroup",
        ],
        id: &[
            "agentId+actionGroupId",
            "agentId+response.agentActionGroup.actionGroupId",
        ],
        part: Some(part_fn!(action_group_part)),
    },
    EventCalls {
        source: super::SOURCE,
        names: &[
            "AssociateAgentKnowledgeBase",
            "UpdateAgentKnowledgeBase",
            "DisassociateAgentKnowledgeBase",
        ],
        id: &["agentId"],
        part: Some(part_fn!(knowledge_bases_part)),
    },
]);
