//! The Bedrock Agents API model declares most of its paths with a trailing
//! slash (`POST /agents/`, `GET /agents/{agentId}/`); the Rust SDK writes
//! them without it (`/agents`). AWS answers both, boto3 sends the modelled
//! form, and emulators that route by the model (moto) answer only that.
//! This interceptor, on the Bedrock Agents client only, puts the slash back
//! for exactly the operations whose modelled path ends with one, before the
//! request is signed (so the signature covers the path sent).

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The Bedrock Agents operations (API version 2023-06-05) whose modelled
/// request path ends with `/`, from the service model.
pub const SLASHED: &[&str] = &[
    "AssociateAgentCollaborator",
    "AssociateAgentKnowledgeBase",
    "CreateAgent",
    "CreateAgentActionGroup",
    "CreateAgentAlias",
    "CreateDataSource",
    "CreateFlow",
    "CreateKnowledgeBase",
    "CreatePrompt",
    "CreateRetrievalInstruction",
    "CreateVpcConfiguration",
    "DeleteAgent",
    "DeleteAgentActionGroup",
    "DeleteAgentAlias",
    "DeleteAgentVersion",
    "DeleteFlow",
    "DeleteFlowVersion",
    "DeletePrompt",
    "DisassociateAgentCollaborator",
    "DisassociateAgentKnowledgeBase",
    "GetAgent",
    "GetAgentActionGroup",
    "GetAgentAlias",
    "GetAgentCollaborator",
    "GetAgentKnowledgeBase",
    "GetAgentVersion",
    "GetFlow",
    "GetFlowVersion",
    "GetPrompt",
    "ListAgentActionGroups",
    "ListAgentAliases",
    "ListAgentCollaborators",
    "ListAgentKnowledgeBases",
    "ListAgentVersions",
    "ListAgents",
    "ListDataSources",
    "ListFlows",
    "ListIngestionJobs",
    "ListKnowledgeBases",
    "ListPrompts",
    "ListRetrievalInstructions",
    "ListVpcConfigurations",
    "PrepareAgent",
    "PrepareFlow",
    "StartIngestionJob",
    "UpdateAgent",
    "UpdateAgentActionGroup",
    "UpdateAgentAlias",
    "UpdateAgentCollaborator",
    "UpdateAgentKnowledgeBase",
    "UpdateFlow",
    "UpdatePrompt",
];

/// `uri` with a `/` at the end of its path (before any query), when it has
/// none.
pub fn with_trailing_slash(uri: &str) -> Option<String> {
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    if path.ends_with('/') {
        return None;
    }
    Some(match query {
        Some(q) => format!("{path}/?{q}"),
        None => format!("{path}/"),
    })
}

/// Restores the modelled trailing slash of Bedrock Agents paths.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelledUri;

impl Intercept for ModelledUri {
    fn name(&self) -> &'static str {
        "aispm::ModelledUri"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let slashed = cfg
            .load::<Metadata>()
            .is_some_and(|m| SLASHED.contains(&m.name()));
        if !slashed {
            return Ok(());
        }
        let request = context.request_mut();
        if let Some(uri) = with_trailing_slash(request.uri()) {
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slash_goes_before_the_query_and_only_once() {
        assert_eq!(
            with_trailing_slash("https://bedrock-agent.us-east-1.amazonaws.com/agents").as_deref(),
            Some("https://bedrock-agent.us-east-1.amazonaws.com/agents/")
        );
        assert_eq!(
            with_trailing_slash("http://127.0.0.1:5000/flows?maxResults=10").as_deref(),
            Some("http://127.0.0.1:5000/flows/?maxResults=10")
        );
        assert_eq!(with_trailing_slash("http://h/agents/a1/"), None);
    }
}
