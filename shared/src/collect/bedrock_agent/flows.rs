//! Bedrock Flows (the working draft of each): collector
//! `bedrock_agent.flows`. A flow chains prompts, knowledge bases, agents,
//! Lambda functions and code into one application; every node that calls
//! a model is where a guardrail belongs. Attribute keys: `flow_id`,
//! `role_arn`, `kms_key_arn`, `model_nodes` (names of the nodes that call a
//! model: prompts, and knowledge-base nodes that generate),
//! `unguarded_nodes` (those of them without a guardrail), `node_types`.

use aws_sdk_bedrockagent::types::{FlowNodeConfiguration, PromptFlowNodeSourceConfiguration};
use serde_json::json;

use super::{model_arn, tags};
use crate::aws::{CollectError, SdkResultExt};
use crate::collect::spec::{ResourceSpec, list_fn};
use crate::collect::util::{EdgeSink, found, list_ids, read_each, s, ts};
use crate::collect::{Batch, Ctx, Scope};
use crate::model::{AssetType, EdgeKind};

/// One flow: its role, key and nodes, with edges to the models, knowledge
/// bases, prompts, agents and Lambda functions its nodes use.
async fn flow(ctx: &Ctx, id: &str) -> Result<Option<Batch>, CollectError> {
    const GET: &str = "bedrock-agent:GetFlow";
    let Some(f) = found(
        ctx.clients
            .bedrock_agent
            .get_flow()
            .flow_identifier(id)
            .send()
            .await
            .op(GET),
    )?
    else {
        return Ok(None);
    };
    let arn = f.arn();
    let mut a = ctx.asset(arn, AssetType::BedrockFlow, f.name());
    a.tags = tags(ctx, arn).await?;
    let mut edges = EdgeSink::new(GET);
    let mut model_nodes = Vec::new();
    let mut unguarded = Vec::new();
    let mut types = Vec::new();
    let nodes = f.definition().map(|d| d.nodes()).unwrap_or_default();
    for n in nodes {
        types.push(n.r#type().as_str().to_owned());
        let guard = match n.configuration() {
            Some(FlowNodeConfiguration::Prompt(p)) => {
                match p.source_configuration() {
                    Some(PromptFlowNodeSourceConfiguration::Inline(i)) => edges.add(
                        arn,
                        Some(&model_arn(ctx, i.model_id())),
                        EdgeKind::UsesModel,
                        "definition.nodes.configuration.prompt.sourceConfiguration.inline.modelId",
                    ),
                    Some(PromptFlowNodeSourceConfiguration::Resource(r)) => edges.add(
                        arn,
                        Some(r.prompt_arn()),
                        EdgeKind::UsesModel,
                        "definition.nodes.configuration.prompt.sourceConfiguration.resource.promptArn",
                    ),
                    _ => {}
                }
                Some(p.guardrail_configuration().is_some())
            }
            Some(FlowNodeConfiguration::KnowledgeBase(k)) => {
                let kb = ctx.arn(
                    "bedrock",
                    &format!("knowledge-base/{}", k.knowledge_base_id()),
                );
                edges.add(
                    arn,
                    Some(&kb),
                    EdgeKind::UsesKnowledgeBase,
                    "definition.nodes.configuration.knowledgeBase.knowledgeBaseId",
                );
                k.model_id().map(|m| {
                    edges.add(
                        arn,
                        Some(&model_arn(ctx, m)),
                        EdgeKind::UsesModel,
                        "definition.nodes.configuration.knowledgeBase.modelId",
                    );
                    k.guardrail_configuration().is_some()
                })
            }
            Some(FlowNodeConfiguration::LambdaFunction(l)) => {
                edges.add(
                    arn,
                    Some(l.lambda_arn()),
                    EdgeKind::InvokesTool,
                    "definition.nodes.configuration.lambdaFunction.lambdaArn",
                );
                None
            }
            _ => None,
        };
        if let Some(guarded) = guard {
            model_nodes.push(n.name());
            if !guarded {
                unguarded.push(n.name());
            }
        }
    }
    a.set("flow_id", Some(json!(f.id())))
        .set("role_arn", Some(json!(f.execution_role_arn())))
        .set("kms_key_arn", s(f.customer_encryption_key_arn()))
        .set("model_nodes", Some(json!(model_nodes)))
        .set("unguarded_nodes", Some(json!(unguarded)))
        .set("node_types", Some(json!(types)))
        .set("status", Some(json!(f.status().as_str())))
        .set("creation_time", ts(Some(f.created_at())));
    edges.add(
        arn,
        Some(f.execution_role_arn()),
        EdgeKind::ExecutesAs,
        "executionRoleArn",
    );
    edges.add_kms(
        ctx,
        arn,
        f.customer_encryption_key_arn(),
        "customerEncryptionKeyArn",
    );
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Every flow of the region.
pub async fn flows(ctx: &Ctx) -> Result<Batch, CollectError> {
    let ids = list_ids!(
        ctx.clients.bedrock_agent.list_flows(),
        "bedrock-agent:ListFlows",
        |f| f.id().to_owned()
    );
    read_each(ids, |id| async move { flow(ctx, &id).await }).await
}

/// `bedrock_agent.flows`: listed by the sweep.
pub const SPEC: ResourceSpec =
    ResourceSpec::listed("bedrock_agent.flows", Scope::Regional, list_fn!(flows));
