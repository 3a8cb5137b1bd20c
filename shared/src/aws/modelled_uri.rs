//! The Bedrock Agents API model declares most of its paths with a trailing
//! slash (`POST /agents/`, `GET /agents/{agentId}/`); the Rust SDK writes
//! them without it (`/agents`). AWS answers both, boto3 sends the modelled
//! form, and emulators that route by the model (moto) answer only that.
//! This interceptor, on the Bedrock Agents client only, puts the slash back
//! for exactly the operations whose modelled path ends with one, before the
//! request is signed (so the signature covers the path sent).
//!
//! moto also writes this API's timestamps as epoch numbers where the model
//! (and AWS) use date-time strings, which the Rust SDK refuses to read:
//! [`EpochTimestamps`], the HTTP client of the same client only, rewrites a
//! JSON answer's numeric values of the model's timestamp members into
//! date-time strings before the SDK reads it. An answer from AWS has none,
//! and passes unchanged.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
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

/// The members of the Bedrock Agents model (2023-06-05) whose shape is a
/// timestamp.
pub const TIMESTAMP_MEMBERS: &[&str] = &[
    "createdAt",
    "endDate",
    "lastUpdatedAt",
    "preparedAt",
    "startDate",
    "startedAt",
    "textReadyAt",
    "updatedAt",
];

/// Rewrites numeric timestamp members anywhere in `v` into date-time
/// strings; whether anything changed.
pub fn timestamps_as_strings(v: &mut serde_json::Value) -> bool {
    use aws_smithy_types::date_time::{DateTime, Format};
    match v {
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for (k, item) in map.iter_mut() {
                if let Some(n) = item
                    .as_f64()
                    .filter(|_| TIMESTAMP_MEMBERS.contains(&k.as_str()))
                {
                    if let Ok(text) = DateTime::from_secs_f64(n).fmt(Format::DateTime) {
                        *item = serde_json::Value::String(text);
                        changed = true;
                    }
                } else {
                    changed |= timestamps_as_strings(item);
                }
            }
            changed
        }
        serde_json::Value::Array(items) => {
            let mut changed = false;
            for item in items {
                changed |= timestamps_as_strings(item);
            }
            changed
        }
        _ => false,
    }
}

/// The Bedrock Agents client's HTTP client: the SDK's own, with JSON
/// answers' epoch timestamps rewritten as the model writes them.
#[derive(Debug, Clone)]
pub struct EpochTimestamps {
    inner: SharedHttpClient,
}

impl EpochTimestamps {
    /// Wraps the SDK's default HTTPS client (rustls with aws-lc), one per
    /// process: every Bedrock Agents client (one per account and region a
    /// sweep enters) shares its connections and root certificates.
    pub fn new() -> Self {
        use aws_smithy_http_client::tls;
        static INNER: std::sync::OnceLock<SharedHttpClient> = std::sync::OnceLock::new();
        let inner = INNER.get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build_https()
        });
        Self {
            inner: inner.clone(),
        }
    }
}

impl Default for EpochTimestamps {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient for EpochTimestamps {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Rewriting(self.inner.http_connector(settings, components)))
    }
}

#[derive(Debug)]
struct Rewriting(SharedHttpConnector);

impl HttpConnector for Rewriting {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move {
            let mut response = inner.call(request).await?;
            let json = response
                .headers()
                .get("content-type")
                .is_some_and(|t| t.contains("json") || t.contains("text/html"));
            if !json {
                return Ok(response);
            }
            let body = std::mem::replace(response.body_mut(), SdkBody::taken());
            let bytes = ByteStream::new(body)
                .collect()
                .await
                .map_err(|e| ConnectorError::io(Box::new(e)))?
                .into_bytes();
            let rewritten = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|mut v| {
                    timestamps_as_strings(&mut v).then(|| serde_json::to_vec(&v).ok())
                })
                .flatten();
            let body = rewritten.unwrap_or_else(|| bytes.to_vec());
            response
                .headers_mut()
                .insert("content-length", body.len().to_string());
            *response.body_mut() = SdkBody::from(body);
            Ok(response)
        })
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

    #[test]
    fn epoch_timestamps_become_date_times_and_nothing_else_changes() {
        let mut v = serde_json::json!({"agent": {"agentId": "a", "createdAt": 1796413296.5,
            "updatedAt": "2026-12-01T00:00:00Z", "idleSessionTTLInSeconds": 3600},
            "agentSummaries": [{"updatedAt": 0}]});
        assert!(timestamps_as_strings(&mut v));
        assert_eq!(v["agent"]["createdAt"], "2026-12-04T19:41:36.5Z");
        assert_eq!(v["agent"]["updatedAt"], "2026-12-01T00:00:00Z");
        assert_eq!(v["agent"]["idleSessionTTLInSeconds"], 3600);
        assert_eq!(v["agentSummaries"][0]["updatedAt"], "1970-01-01T00:00:00Z");
        let mut aws = serde_json::json!({"agent": {"createdAt": "2026-12-01T00:00:00Z"}});
        assert!(
            !timestamps_as_strings(&mut aws),
            "an answer from AWS passes unchanged"
        );
    }
}
