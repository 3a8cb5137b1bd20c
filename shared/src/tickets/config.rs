//! The ticket routing configuration (`docs/tickets.md`): named sinks and
//! the routes that send findings to them.
//!
//! ```json
//! {"sinks": {"soc": {"type": "generic", "url": "https://hooks.example.com/aispm",
//!                    "secret_env": "AISPM_WEBHOOK_SECRET"}},
//!  "routes": [{"sink": "soc", "min_severity": "high"}]}
//! ```
//!
//! An unknown key, sink type, severity or sink name is an error naming it
//! and where it is.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use thiserror::Error;

use crate::model::Severity;
use crate::store::FindingState;

/// A configuration that cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("ticket configuration: {0}")]
pub struct ConfigError(pub String);

/// Where a sink's secret comes from: exactly one of these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretRef {
    /// An environment variable holding it.
    pub secret_env: Option<String>,
    /// A file holding it (trailing newline ignored).
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment (never one of a
    /// scanned account).
    pub secret_arn: Option<String>,
}

impl SecretRef {
    /// Whether a secret is named at all.
    pub fn is_set(&self) -> bool {
        self.secret_env.is_some() || self.secret_file.is_some() || self.secret_arn.is_some()
    }

    fn check(&self, sink: &str, required: bool) -> Result<(), ConfigError> {
        let n = [&self.secret_env, &self.secret_file, &self.secret_arn]
            .iter()
            .filter(|s| s.is_some())
            .count();
        match n {
            0 if required => Err(ConfigError(format!(
                "sinks.{sink}: needs its secret: one of secret_env, secret_file or secret_arn"
            ))),
            0 | 1 => Ok(()),
            _ => Err(ConfigError(format!(
                "sinks.{sink}: names more than one of secret_env, secret_file and secret_arn; use one"
            ))),
        }
    }
}

/// One sink, by type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SinkConfig {
    /// A JSON webhook, signed with the secret (`X-Aispm-Signature`).
    Generic(GenericSink),
    /// A Slack incoming webhook (the secret is the webhook URL, unless
    /// `url` is given).
    Slack(SlackSink),
    /// Jira Cloud REST v3 (the secret is the API token of `user`).
    Jira(JiraSink),
    /// PagerDuty Events API v2 (the secret is the integration's routing
    /// key).
    Pagerduty(PagerDutySink),
    /// ServiceNow Table API (the secret is the password of `user`).
    Servicenow(ServiceNowSink),
}

impl SinkConfig {
    /// The type's name, as written.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Generic(_) => "generic",
            Self::Slack(_) => "slack",
            Self::Jira(_) => "jira",
            Self::Pagerduty(_) => "pagerduty",
            Self::Servicenow(_) => "servicenow",
        }
    }

    /// Where its secret comes from.
    pub fn secret(&self) -> SecretRef {
        macro_rules! of {
            ($s:expr) => {
                SecretRef {
                    secret_env: $s.secret_env.clone(),
                    secret_file: $s.secret_file.clone(),
                    secret_arn: $s.secret_arn.clone(),
                }
            };
        }
        match self {
            Self::Generic(s) => of!(s),
            Self::Slack(s) => of!(s),
            Self::Jira(s) => of!(s),
            Self::Pagerduty(s) => of!(s),
            Self::Servicenow(s) => of!(s),
        }
    }

    /// Its base URL, when it has one.
    fn url(&self) -> Option<&str> {
        match self {
            Self::Generic(s) => Some(&s.url),
            Self::Slack(s) => s.url.as_deref(),
            Self::Jira(s) => Some(&s.url),
            Self::Pagerduty(s) => s.url.as_deref(),
            Self::Servicenow(s) => Some(&s.url),
        }
    }
}

/// `type: generic`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericSink {
    /// Where events are posted.
    pub url: String,
    /// An environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the secret (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment holding it
    /// (never one of a scanned account).
    #[serde(default)]
    pub secret_arn: Option<String>,
}

/// `type: slack`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSink {
    /// The webhook URL, when it is not kept as the secret.
    #[serde(default)]
    pub url: Option<String>,
    /// An environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the secret (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment holding it
    /// (never one of a scanned account).
    #[serde(default)]
    pub secret_arn: Option<String>,
}

/// `type: jira`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraSink {
    /// The site, `https://<name>.atlassian.net`.
    pub url: String,
    /// The project key issues are created in (a route may name another).
    pub project: String,
    /// The account the API token belongs to (an email address).
    pub user: String,
    /// The issue type (default `Bug`).
    #[serde(default)]
    pub issue_type: Option<String>,
    /// The transition to close with (default: the first to a "done"
    /// status).
    #[serde(default)]
    pub close_transition: Option<String>,
    /// The transition to reopen with (default: the first to a "to do"
    /// status).
    #[serde(default)]
    pub reopen_transition: Option<String>,
    /// An environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the secret (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment holding it
    /// (never one of a scanned account).
    #[serde(default)]
    pub secret_arn: Option<String>,
}

/// `type: pagerduty`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySink {
    /// The Events API base (default `https://events.pagerduty.com`).
    #[serde(default)]
    pub url: Option<String>,
    /// An environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the secret (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment holding it
    /// (never one of a scanned account).
    #[serde(default)]
    pub secret_arn: Option<String>,
}

/// `type: servicenow`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNowSink {
    /// The instance, `https://<name>.service-now.com`.
    pub url: String,
    /// The user incidents are written as.
    pub user: String,
    /// The assignment group (a route may name another).
    #[serde(default)]
    pub assignment_group: Option<String>,
    /// An environment variable holding the secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the secret (trailing newline ignored).
    #[serde(default)]
    pub secret_file: Option<String>,
    /// A Secrets Manager secret of the ticketing deployment holding it
    /// (never one of a scanned account).
    #[serde(default)]
    pub secret_arn: Option<String>,
}

/// One value or a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Which findings go to a sink, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The sink's name.
    pub sink: String,
    /// The lowest severity routed (default `medium`).
    #[serde(default = "default_min_severity")]
    pub min_severity: Severity,
    /// The lowest risk score routed (default 0).
    #[serde(default)]
    pub min_risk: u8,
    /// Only these rule families (the rule id's first part: `sagemaker`,
    /// `bedrock`, `iam`...).
    #[serde(default, deserialize_with = "one_or_many")]
    pub rule_family: Vec<String>,
    /// Only these accounts.
    #[serde(default, deserialize_with = "one_or_many")]
    pub accounts: Vec<String>,
    /// Only accounts under these OUs (or the root), read from
    /// Organizations.
    #[serde(default, deserialize_with = "one_or_many")]
    pub ous: Vec<String>,
    /// Only resources whose `owner` tag (or `owner_tag_key`) is one of
    /// these.
    #[serde(default, deserialize_with = "one_or_many")]
    pub owner: Vec<String>,
    /// The tag read for `owner` (default `owner`).
    #[serde(default)]
    pub owner_tag_key: Option<String>,
    /// The Jira project, instead of the sink's.
    #[serde(default)]
    pub project: Option<String>,
    /// The ServiceNow assignment group, instead of the sink's.
    #[serde(default)]
    pub queue: Option<String>,
    /// The Slack channel named in the message.
    #[serde(default)]
    pub channel: Option<String>,
}

fn default_min_severity() -> Severity {
    Severity::Medium
}

/// What a route may need to know of a finding beyond its state.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The account's parents up to the root, when known.
    pub ou_path: Option<Vec<String>>,
    /// The resource's tags.
    pub tags: BTreeMap<String, String>,
}

impl Route {
    /// Whether `state` goes through this route.
    pub fn matches(&self, state: &FindingState, facts: &Facts) -> bool {
        let family = state.rule_id.split('_').next().unwrap_or_default();
        state.severity >= self.min_severity
            && state.risk_score >= self.min_risk
            && (self.rule_family.is_empty() || self.rule_family.iter().any(|f| f == family))
            && (self.accounts.is_empty() || self.accounts.contains(&state.account_id))
            && (self.ous.is_empty()
                || facts
                    .ou_path
                    .as_ref()
                    .is_some_and(|p| p.iter().any(|ou| self.ous.contains(ou))))
            && (self.owner.is_empty()
                || facts
                    .tags
                    .get(self.owner_tag_key.as_deref().unwrap_or("owner"))
                    .is_some_and(|o| self.owner.contains(o)))
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketConfig {
    /// Sinks by name.
    pub sinks: BTreeMap<String, SinkConfig>,
    /// Routes, in order: a finding goes to each sink of the first route
    /// naming that sink that it matches.
    pub routes: Vec<Route>,
    /// A link to a finding for people (`{id}` is replaced by its id).
    #[serde(default)]
    pub finding_url: Option<String>,
}

impl TicketConfig {
    /// Reads and checks a configuration.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let cfg: Self = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                ConfigError(inner.to_string())
            } else {
                ConfigError(format!("{path}: {inner}"))
            }
        })?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), ConfigError> {
        for (name, sink) in &self.sinks {
            let needs_secret = !matches!(sink, SinkConfig::Slack(s) if s.url.is_some());
            sink.secret().check(name, needs_secret)?;
            if let Some(url) = sink.url() {
                check_url(url).map_err(|m| ConfigError(format!("sinks.{name}.url: {m}")))?;
            }
        }
        let names: BTreeSet<&str> = self.sinks.keys().map(String::as_str).collect();
        for (i, r) in self.routes.iter().enumerate() {
            if !names.contains(r.sink.as_str()) {
                let known: Vec<&str> = names.iter().copied().collect();
                return Err(ConfigError(format!(
                    "routes[{i}].sink: no sink named `{}` (sinks: {})",
                    r.sink,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            if r.min_risk > 100 {
                return Err(ConfigError(format!(
                    "routes[{i}].min_risk: {} is over 100",
                    r.min_risk
                )));
            }
        }
        Ok(())
    }

    /// The sinks a finding goes to, each with the first route that sends it
    /// there.
    pub fn routes_for<'a>(
        &'a self,
        state: &FindingState,
        facts: &Facts,
    ) -> Vec<(&'a str, &'a SinkConfig, &'a Route)> {
        let mut out: Vec<(&str, &SinkConfig, &Route)> = Vec::new();
        for r in &self.routes {
            if out.iter().any(|(s, _, _)| *s == r.sink) || !r.matches(state, facts) {
                continue;
            }
            if let Some((name, sink)) = self.sinks.get_key_value(&r.sink) {
                out.push((name.as_str(), sink, r));
            }
        }
        out
    }

    /// Whether any route reads the account's OUs.
    pub fn uses_ous(&self) -> bool {
        self.routes.iter().any(|r| !r.ous.is_empty())
    }

    /// Whether any route reads the resource's tags.
    pub fn uses_tags(&self) -> bool {
        self.routes.iter().any(|r| !r.owner.is_empty())
    }
}

/// `https://...`, or `http://` to this machine only (a local receiver).
fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(format!("`{url}` is not an https:// URL"));
    };
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if matches!(host, "127.0.0.1" | "localhost" | "[") || rest.starts_with("[::1]") {
        Ok(())
    } else {
        Err(format!(
            "`{url}` is plain http to another machine; use https:// (http:// is for 127.0.0.1 only)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"sinks": {"soc": {"type": "generic", "url": "https://hooks.example.com/aispm",
                       "secret_env": "AISPM_WEBHOOK_SECRET"},
               "ml-team": {"type": "jira", "url": "https://acme.atlassian.net",
                           "project": "MLSEC", "user": "bot@acme.example", "secret_env": "JIRA_TOKEN"}},
     "routes": [{"sink": "soc", "min_severity": "high"},
                {"sink": "ml-team", "min_severity": "medium", "rule_family": "sagemaker"}]}"#;

    fn err(text: &str) -> String {
        TicketConfig::parse(text)
            .err()
            .map(|e| e.0)
            .unwrap_or_default()
    }

    #[test]
    fn the_documented_shape_reads() {
        let cfg = TicketConfig::parse(SAMPLE).unwrap();
        assert_eq!(cfg.sinks.len(), 2);
        assert_eq!(cfg.routes[1].rule_family, ["sagemaker"]);
        assert_eq!(cfg.routes[0].min_severity, Severity::High);
    }

    #[test]
    fn unknown_keys_types_and_names_are_errors_naming_them() {
        let e = err(&SAMPLE.replace("\"min_severity\": \"high\"", "\"min_sev\": \"high\""));
        assert!(
            e.starts_with("routes[0].min_sev: unknown field `min_sev`"),
            "{e}"
        );
        let e = err(&SAMPLE.replace("\"type\": \"jira\"", "\"type\": \"jiraa\""));
        assert!(
            e.contains("sinks.ml-team") && e.contains("unknown variant `jiraa`"),
            "{e}"
        );
        let e = err(&SAMPLE.replace("\"project\": \"MLSEC\"", "\"projekt\": \"MLSEC\""));
        assert!(e.contains("sinks.ml-team") && e.contains("projekt"), "{e}");
        let e = err(&SAMPLE.replace("{\"sink\": \"soc\"", "{\"sink\": \"noc\""));
        assert_eq!(
            e,
            "routes[0].sink: no sink named `noc` (sinks: ml-team, soc)"
        );
        let e = err(&SAMPLE.replace("\"high\"", "\"hi\""));
        assert!(
            e.starts_with("routes[0].min_severity: unknown variant `hi`"),
            "{e}"
        );
        let e = err(&SAMPLE.replace("\"routes\"", "\"rutes\""));
        assert!(e.contains("unknown field `rutes`"), "{e}");
    }

    #[test]
    fn secrets_and_urls_are_checked() {
        let e = err(&SAMPLE.replace(
            ",\n                       \"secret_env\": \"AISPM_WEBHOOK_SECRET\"",
            "",
        ));
        assert_eq!(
            e,
            "sinks.soc: needs its secret: one of secret_env, secret_file or secret_arn"
        );
        let e = err(&SAMPLE.replace(
            "\"secret_env\": \"JIRA_TOKEN\"",
            "\"secret_env\": \"JIRA_TOKEN\", \"secret_file\": \"/x\"",
        ));
        assert!(e.contains("more than one"), "{e}");
        let e = err(&SAMPLE.replace("https://hooks.example.com", "http://hooks.example.com"));
        assert!(
            e.starts_with("sinks.soc.url: `http://hooks.example.com/aispm` is plain http"),
            "{e}"
        );
        assert!(
            TicketConfig::parse(&SAMPLE.replace("https://hooks.example.com", "http://127.0.0.1:9"))
                .is_ok()
        );
    }

    fn finding() -> FindingState {
        serde_json::from_value(serde_json::json!({
            "finding_id": "f", "rule_id": "sagemaker_notebook_root_access", "title": "t",
            "severity": "high", "risk_score": 70, "status": "open", "account_id": "111111111111",
            "region": "us-east-1", "scope": "us-east-1", "resource_arn": "arn:x",
            "resource_type": "sagemaker_notebook_instance", "first_seen": "2026-12-01T00:00:00Z",
            "last_seen": "2026-12-01T00:00:00Z", "occurrence": 1, "detail_hash": "h", "version": 1
        }))
        .unwrap()
    }

    fn route(extra: serde_json::Value) -> Route {
        let mut v = serde_json::json!({"sink": "s"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn routes_match_on_each_condition_and_miss_on_each() {
        let f = finding();
        let facts = Facts {
            ou_path: Some(vec!["ou-ml".into(), "r-root".into()]),
            tags: BTreeMap::from([
                ("owner".into(), "ml-team".into()),
                ("team".into(), "x".into()),
            ]),
        };
        let cases = [
            (serde_json::json!({}), true),
            (serde_json::json!({"min_severity": "critical"}), false),
            (serde_json::json!({"min_severity": "high"}), true),
            (serde_json::json!({"min_risk": 71}), false),
            (serde_json::json!({"min_risk": 70}), true),
            (serde_json::json!({"rule_family": ["bedrock", "s3"]}), false),
            (serde_json::json!({"rule_family": "sagemaker"}), true),
            (serde_json::json!({"accounts": ["222222222222"]}), false),
            (serde_json::json!({"accounts": "111111111111"}), true),
            (serde_json::json!({"ous": "ou-web"}), false),
            (serde_json::json!({"ous": "r-root"}), true),
            (serde_json::json!({"owner": "web-team"}), false),
            (serde_json::json!({"owner": ["ml-team"]}), true),
            (
                serde_json::json!({"owner": "x", "owner_tag_key": "team"}),
                true,
            ),
        ];
        for (extra, want) in cases {
            assert_eq!(route(extra.clone()).matches(&f, &facts), want, "{extra}");
        }
        // An account whose place is unknown matches no route by OU.
        let unknown = Facts::default();
        assert!(!route(serde_json::json!({"ous": "r-root"})).matches(&f, &unknown));
        assert!(route(serde_json::json!({})).matches(&f, &unknown));
    }

    #[test]
    fn each_sink_gets_the_first_route_that_names_it() {
        let text = SAMPLE.replace(
            r#"{"sink": "ml-team", "min_severity": "medium", "rule_family": "sagemaker"}"#,
            r#"{"sink": "ml-team", "min_severity": "medium", "rule_family": "sagemaker", "project": "ML"},
               {"sink": "ml-team", "project": "OTHER"}"#,
        );
        let cfg = TicketConfig::parse(&text).unwrap();
        let got: Vec<(&str, Option<&str>)> = cfg
            .routes_for(&finding(), &Facts::default())
            .into_iter()
            .map(|(name, _, r)| (name, r.project.as_deref()))
            .collect();
        assert_eq!(got, [("soc", None), ("ml-team", Some("ML"))]);
    }
}
