//! ## What it does
//! Flags Bedrock AgentCore workload identities that allow an OAuth2 return
//! URL which is not `https://` (plain `http://` is accepted only on the
//! loopback address, as RFC 8252 allows for native apps), or whose host has
//! a wildcard.
//!
//! ## Why is this bad?
//! When an agent asks a user to authorize it (three-legged OAuth through
//! AgentCore Identity), the user comes back to one of these URLs carrying
//! the session that completes the grant. A clear-text or wildcard return URL
//! lets whoever sees or owns it take that session, and with it a token to
//! act as the user in their SaaS tools.
//!
//! ## Example
//! `allowedResourceOauth2ReturnUrls=["http://agent.example.com/callback"]`;
//! use instead `https://agent.example.com/callback`.
//!
//! ## Remediation
//! Update the workload identity (UpdateWorkloadIdentity) so that every
//! allowed return URL is an exact `https://` URL of your application.
//!
//! ## References
//! - <https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/oauth2-authorization-url-session-binding.html>
//! - <https://www.rfc-editor.org/rfc/rfc8252#section-7.3>

use serde_json::Value;

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "bedrock_agentcore_workload_identity_insecure_return_url",
        title: "Bedrock AgentCore workload identity allows a clear-text or wildcard OAuth return URL",
        severity: Severity::Medium,
        rationale: "The OAuth return URL receives the session that completes a user's grant to an agent; in clear text or on a wildcard host someone else can take it and act as the user.",
        resource_types: &[AssetType::BedrockAgentcoreWorkloadIdentity],
        collectors: &["bedrock_agentcore.workload_identities"],
        remediation: "Update the workload identity so that every allowed OAuth2 return URL is an exact `https://` URL of your application.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM06"],
        owasp_agentic: &["ASI03", "ASI07"],
        mitre_atlas: &[],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

/// Why a return URL is unsafe, or `None`.
fn unsafe_url(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    if host.contains('*') {
        return Some("wildcard host");
    }
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let loopback = name == "localhost" || name == "::1" || name.starts_with("127.");
    match scheme {
        "https" => None,
        "http" if loopback => None,
        _ => Some("not https"),
    }
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::BedrockAgentcoreWorkloadIdentity], |w| {
        let urls = w.attributes.get("return_urls").and_then(Value::as_array);
        urls.into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|u| {
                unsafe_url(u).map(|why| {
                    ev(
                        "bedrock-agentcore-control:GetWorkloadIdentity",
                        &format!("allowedResourceOauth2ReturnUrls ({why})"),
                        u,
                    )
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn judges_each_url() {
        for (url, why) in [
            ("http://agent.example.com/cb", Some("not https")),
            ("https://*.example.com/cb", Some("wildcard host")),
            ("https://agent.example.com/cb", None),
            ("HTTPS://Agent.Example.com/cb", None),
            ("http://localhost:8080/cb", None),
            ("http://127.0.0.1/cb", None),
            ("http://[::1]:9000/cb", None),
            ("http://localhost.evil.com/cb", Some("not https")),
            ("http://user@localhost.evil.com/cb", Some("not https")),
            ("myapp://callback", Some("not https")),
        ] {
            assert_eq!(unsafe_url(url), why, "{url}");
        }
    }

    #[test]
    fn flags_identities_with_an_unsafe_url_only() {
        let w = |arn: &str, urls: Value| {
            asset(
                AssetType::BedrockAgentcoreWorkloadIdentity,
                arn,
                json!({ "return_urls": urls }),
            )
        };
        let i = inv(vec![
            w(
                "arn:wi/clear",
                json!(["https://app.example.com/cb", "http://app.example.com/cb"]),
            ),
            w("arn:wi/good", json!(["https://app.example.com/cb"])),
            w("arn:wi/none", json!([])),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:wi/clear"]);
    }
}
