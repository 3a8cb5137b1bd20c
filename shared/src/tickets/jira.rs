//! Jira Cloud (REST API v3, basic auth with the user's API token). An issue
//! per finding, labelled `aispm` and `aispm-<finding id>` (the label finds
//! it again, so a retry or a lost link never makes a second one); updates,
//! remediations and closing reasons are comments carrying the event's
//! idempotency key (a comment already holding it is not written again);
//! resolving transitions the issue to a done status, reopening to a to-do
//! one.

use serde_json::{Value, json};

use super::config::JiraSink;
use super::http::{Client, HttpError};
use super::sinks::{BasicApi, Outcome, SinkError, Target, event_words, headline, truncate};
use super::{Link, Owed, TicketEvent};

/// An Atlassian Document Format document of paragraphs.
fn adf(paragraphs: &[String]) -> Value {
    let content: Vec<Value> = paragraphs
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| json!({"type": "paragraph", "content": [{"type": "text", "text": p}]}))
        .collect();
    json!({"type": "doc", "version": 1, "content": content})
}

/// The label that finds a finding's issue.
pub fn label(finding_id: &str) -> String {
    format!("aispm-{finding_id}")
}

/// The sink's API.
struct Api<'a>(BasicApi<'a>);

impl Api<'_> {
    /// The issue labelled for the finding, with its status category.
    async fn find(&self, finding_id: &str) -> Result<Option<(String, String)>, SinkError> {
        let body = json!({
            "jql": format!("labels = \"{}\"", label(finding_id)),
            "fields": ["status"],
            "maxResults": 1,
        });
        let v = self
            .0
            .ok("POST", "/rest/api/3/search/jql", Some(&body))
            .await?;
        let Some(issue) = v["issues"].as_array().and_then(|a| a.first()) else {
            return Ok(None);
        };
        let key = issue["key"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| unexpected("search", &v))?;
        let category = issue["fields"]["status"]["statusCategory"]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Ok(Some((key, category)))
    }

    async fn create(
        &self,
        sink: &JiraSink,
        target: Target<'_>,
        owed: &Owed,
    ) -> Result<String, SinkError> {
        let st = &owed.state;
        let mut lines = vec![
            format!("{} ({}), risk {}", st.title, st.rule_id, st.risk_score),
            format!(
                "Resource: {} ({} / {})",
                st.resource_arn, st.account_id, st.region
            ),
        ];
        if let Some(e) = owed.top_evidence() {
            lines.push(format!("Evidence: {}", truncate(&e, 2000)));
        }
        if let Some(u) = target.finding_url {
            lines.push(format!("aispm: {}", u.replace("{id}", &st.finding_id)));
        }
        lines.push(format!(
            "aispm finding {} · key {}",
            st.finding_id, owed.idempotency_key
        ));
        let project = target.route.project.as_deref().unwrap_or(&sink.project);
        let body = json!({"fields": {
            "project": {"key": project},
            "summary": truncate(&headline(owed), 250),
            "issuetype": {"name": sink.issue_type.as_deref().unwrap_or("Bug")},
            "labels": ["aispm", label(&st.finding_id)],
            "description": adf(&lines),
        }});
        let v = self.0.ok("POST", "/rest/api/3/issue", Some(&body)).await?;
        v["key"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| unexpected("create", &v))
    }

    /// The issue's status category (`new`, `indeterminate`, `done`).
    async fn category(&self, key: &str) -> Result<String, SinkError> {
        let v = self
            .0
            .ok(
                "GET",
                &format!("/rest/api/3/issue/{key}?fields=status"),
                None,
            )
            .await?;
        Ok(v["fields"]["status"]["statusCategory"]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Adds a comment for the event unless one already carries its key.
    async fn comment(&self, key: &str, owed: &Owed) -> Result<(), SinkError> {
        let path = format!("/rest/api/3/issue/{key}/comment");
        let listed = self
            .0
            .ok(
                "GET",
                &format!("{path}?orderBy=-created&maxResults=50"),
                None,
            )
            .await?;
        if listed["comments"]
            .to_string()
            .contains(&owed.idempotency_key)
        {
            return Ok(());
        }
        let mut lines = vec![event_words(owed)];
        if owed.event == TicketEvent::Updated {
            lines.push(format!(
                "Severity {}, risk {}",
                owed.state.severity.as_str(),
                owed.state.risk_score
            ));
            if let Some(e) = owed.top_evidence() {
                lines.push(format!("Evidence: {}", truncate(&e, 2000)));
            }
        }
        lines.push(format!("aispm key {}", owed.idempotency_key));
        self.0
            .ok("POST", &path, Some(&json!({"body": adf(&lines)})))
            .await?;
        Ok(())
    }

    /// Moves the issue to a status of `category` (`done`, `new`) through
    /// the named transition or the first that leads there; nothing when it
    /// is there already.
    async fn transition(
        &self,
        key: &str,
        category: &str,
        named: Option<&str>,
    ) -> Result<(), SinkError> {
        let path = format!("/rest/api/3/issue/{key}/transitions");
        let v = self.0.ok("GET", &path, None).await?;
        let transitions = v["transitions"].as_array().cloned().unwrap_or_default();
        let chosen = transitions.iter().find(|t| match named {
            Some(n) => t["name"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(n)),
            None => t["to"]["statusCategory"]["key"].as_str() == Some(category),
        });
        let Some(id) = chosen.and_then(|t| t["id"].as_str()) else {
            return Err(SinkError::Final(HttpError::Invalid(format!(
                "Jira issue {key} has no transition {} (available: {})",
                named.map_or_else(
                    || format!("to a `{category}` status"),
                    |n| format!("named `{n}`")
                ),
                transitions
                    .iter()
                    .filter_map(|t| t["name"].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        };
        self.0
            .ok("POST", &path, Some(&json!({"transition": {"id": id}})))
            .await?;
        Ok(())
    }
}

fn unexpected(what: &str, v: &Value) -> SinkError {
    SinkError::Final(HttpError::Invalid(format!(
        "Jira answered the {what} without an issue key: {}",
        truncate(&v.to_string(), 300)
    )))
}

/// One try of delivering `owed` to Jira.
pub(super) async fn deliver_once(
    client: &Client,
    sink: &JiraSink,
    target: Target<'_>,
    owed: &Owed,
    link: Option<&Link>,
) -> Result<Outcome, SinkError> {
    let api = Api(BasicApi::new(client, &sink.url, &sink.user, target.secret));
    let base = api.0.base.clone();
    let known = link.and_then(|l| l.external_id.clone());
    let (key, category) = match known {
        Some(k) => (k, None),
        None => match api.find(&owed.state.finding_id).await? {
            Some((k, c)) => (k, Some(c)),
            None if owed.event == TicketEvent::Opened || owed.event == TicketEvent::Reopened => {
                let k = api.create(sink, target, owed).await?;
                (k, Some("new".to_owned()))
            }
            None => {
                return Err(SinkError::Final(HttpError::Invalid(format!(
                    "no Jira issue is labelled {}",
                    label(&owed.state.finding_id)
                ))));
            }
        },
    };
    let closing_or_opening = !matches!(
        owed.event,
        TicketEvent::Opened | TicketEvent::Updated | TicketEvent::Remediated
    );
    let category = match category {
        None if closing_or_opening => Some(api.category(&key).await?),
        c => c,
    };
    match owed.event {
        TicketEvent::Opened => {}
        TicketEvent::Updated | TicketEvent::Remediated => api.comment(&key, owed).await?,
        TicketEvent::Resolved | TicketEvent::Suppressed | TicketEvent::RiskAccepted => {
            api.comment(&key, owed).await?;
            if category.as_deref() != Some("done") {
                api.transition(&key, "done", sink.close_transition.as_deref())
                    .await?;
            }
        }
        TicketEvent::Reopened => {
            if category.as_deref() == Some("done") {
                api.comment(&key, owed).await?;
                api.transition(&key, "new", sink.reopen_transition.as_deref())
                    .await?;
            }
        }
    }
    // A try that failed half way is tried again whole: the label finds
    // the issue, the key finds the comment.
    Ok(Outcome {
        url: Some(format!("{base}/browse/{key}")),
        external_id: Some(key),
    })
}
