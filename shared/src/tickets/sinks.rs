//! Delivering one event to one sink: the generic webhook, Slack and
//! PagerDuty here, Jira ([`super::jira`]) and ServiceNow
//! ([`super::servicenow`]) beside. A delivery is tried again as a whole
//! (its lookups first) while the sink's answers say it may go better
//! ([`super::http`]), so a retry after a timeout finds what the first try
//! made instead of making it twice.

use thiserror::Error;
use tracing::warn;

use super::config::{Route, SecretRef, SinkConfig};
use super::http::{Client, Failure, HttpError, Request, Response};
use super::{Link, Owed, TicketEvent};
use crate::model::Severity;

/// Where an event goes.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The sink's name.
    pub name: &'a str,
    /// The sink.
    pub config: &'a SinkConfig,
    /// The route that sent the finding there.
    pub route: &'a Route,
    /// The sink's secret.
    pub secret: &'a str,
    /// `finding_url` of the configuration.
    pub finding_url: Option<&'a str>,
}

/// What a delivered event left in the sink.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The ticket's id there (Jira key, ServiceNow sys_id, PagerDuty dedup
    /// key).
    pub external_id: Option<String>,
    /// A link to it.
    pub url: Option<String>,
}

/// Why one try of a delivery did not finish.
#[derive(Debug, Error)]
pub enum SinkError {
    /// May go better on the next try.
    #[error("{}", .0.message)]
    Retry(Failure),
    /// Will not.
    #[error(transparent)]
    Final(#[from] HttpError),
}

/// One request of a delivery, sent once: an answer that says "try again"
/// ends this try.
pub(super) async fn call(client: &Client, req: &Request) -> Result<Response, SinkError> {
    client.once(req).await.map_err(SinkError::Retry)
}

/// [`call`], where only 2xx will do.
pub(super) async fn call_ok(client: &Client, req: &Request) -> Result<Response, SinkError> {
    let resp = call(client, req).await?;
    Ok(super::http::expect_success(req, resp)?)
}

/// Delivers `owed` to `target`, trying the whole delivery again as the
/// client's [`super::http::Retry`] allows.
pub async fn deliver(
    client: &Client,
    target: Target<'_>,
    owed: &Owed,
    link: Option<&Link>,
    sent_at: &str,
) -> Result<Outcome, HttpError> {
    let retry = client.retry();
    let attempts = retry.attempts.max(1);
    let mut last = String::new();
    for n in 1..=attempts {
        let attempt = match target.config {
            SinkConfig::Generic(s) => generic(client, &s.url, target, owed, sent_at).await,
            SinkConfig::Slack(s) => {
                let url = s.url.as_deref().unwrap_or(target.secret);
                slack(client, url, target, owed).await
            }
            SinkConfig::Pagerduty(s) => {
                let base = s.url.as_deref().unwrap_or("https://events.pagerduty.com");
                pagerduty(client, base, target, owed).await
            }
            SinkConfig::Jira(s) => super::jira::deliver_once(client, s, target, owed, link).await,
            SinkConfig::Servicenow(s) => {
                super::servicenow::deliver_once(client, s, target, owed, link).await
            }
        };
        match attempt {
            Ok(o) => return Ok(o),
            Err(SinkError::Final(e)) => return Err(e),
            Err(SinkError::Retry(f)) => {
                last = f.message;
                if n < attempts {
                    let wait = retry.backoff(n, f.retry_after);
                    warn!(sink = target.name, event = owed.event.as_str(), attempt = n, wait_ms = wait.as_millis() as u64, error = %last, "delivery failed; trying again");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
    Err(HttpError::Exhausted {
        method: "deliver",
        url: target.name.to_owned(),
        attempts,
        last,
    })
}

/// The generic webhook's body.
pub fn generic_body(target: Target<'_>, owed: &Owed, sent_at: &str) -> serde_json::Value {
    let mut body = serde_json::json!({
        "event": owed.event.as_str(),
        "idempotency_key": owed.idempotency_key,
        "sent_at": sent_at,
        "finding": owed.finding_json(target.finding_url),
    });
    if let (Some(o), Some(note)) = (body.as_object_mut(), &owed.note) {
        o.insert("note".into(), note.clone().into());
    }
    body
}

async fn generic(
    client: &Client,
    url: &str,
    target: Target<'_>,
    owed: &Owed,
    sent_at: &str,
) -> Result<Outcome, SinkError> {
    let body = serde_json::to_vec(&generic_body(target, owed, sent_at)).unwrap_or_default();
    let t = crate::model::Timestamp::parse(sent_at)
        .map(|t| t.unix_secs())
        .unwrap_or_default();
    let req = Request {
        method: "POST",
        url: url.to_owned(),
        headers: vec![
            (
                "x-aispm-signature".into(),
                crate::signing::sign(target.secret.as_bytes(), t, &body),
            ),
            ("x-aispm-event".into(), owed.event.as_str().into()),
            ("idempotency-key".into(), owed.idempotency_key.clone()),
        ],
        body,
    };
    call_ok(client, &req).await?;
    Ok(Outcome::default())
}

/// A short title: `[HIGH] <title>`.
pub(super) fn headline(owed: &Owed) -> String {
    format!(
        "[{}] {}",
        owed.state.severity.as_str().to_ascii_uppercase(),
        owed.state.title
    )
}

/// What an event says in words.
pub(super) fn event_words(owed: &Owed) -> String {
    let base = match owed.event {
        TicketEvent::Opened => "Opened",
        TicketEvent::Updated => "Updated: severity, risk or evidence changed",
        TicketEvent::Resolved => "Resolved: no longer observed",
        TicketEvent::Reopened => "Reopened: observed again",
        TicketEvent::Suppressed => "Suppressed",
        TicketEvent::RiskAccepted => "Risk accepted",
        TicketEvent::Remediated
            if owed.note.as_deref().and_then(super::remediation_status)
                == Some("awaiting_approval") =>
        {
            "Remediation awaiting approval"
        }
        TicketEvent::Remediated => "Remediated",
    };
    match &owed.note {
        Some(n) => format!("{base}: {n}"),
        None => base.to_owned(),
    }
}

/// The Block Kit message for an event.
pub fn slack_body(target: Target<'_>, owed: &Owed) -> serde_json::Value {
    let st = &owed.state;
    let mut blocks = vec![
        serde_json::json!({"type": "header", "text": {"type": "plain_text", "text": truncate(&headline(owed), 150)}}),
        serde_json::json!({"type": "section", "fields": [
            {"type": "mrkdwn", "text": format!("*Severity*\n{}", st.severity.as_str())},
            {"type": "mrkdwn", "text": format!("*Risk*\n{}", st.risk_score)},
            {"type": "mrkdwn", "text": format!("*Resource*\n`{}`", st.resource_arn)},
            {"type": "mrkdwn", "text": format!("*Account / region*\n{} / {}", st.account_id, st.region)},
        ]}),
    ];
    if let Some(e) = owed.top_evidence() {
        blocks.push(serde_json::json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Evidence*\n{}", truncate(&e, 2900))}}));
    }
    let mut context = format!(
        "{} · rule `{}` · finding `{}` · key `{}`",
        event_words(owed),
        st.rule_id,
        st.finding_id,
        owed.idempotency_key
    );
    if let Some(url) = target.finding_url {
        context.push_str(&format!(
            " · <{}|open in aispm>",
            url.replace("{id}", &st.finding_id)
        ));
    }
    blocks.push(serde_json::json!({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(&context, 3000)}]}));
    let mut body = serde_json::json!({
        "text": format!("{}: {}", event_words(owed), headline(owed)),
        "blocks": blocks,
    });
    if let (Some(o), Some(ch)) = (body.as_object_mut(), &target.route.channel) {
        o.insert("channel".into(), ch.clone().into());
    }
    body
}

async fn slack(
    client: &Client,
    url: &str,
    target: Target<'_>,
    owed: &Owed,
) -> Result<Outcome, SinkError> {
    let req = Request::json("POST", url, &slack_body(target, owed));
    match call_ok(client, &req).await {
        // Incoming webhooks cannot be asked whether a message was posted:
        // one sent without an answer in time is taken as posted, so that a
        // late answer never posts it twice (a refusal, a throttle or no
        // connection is tried again).
        Err(SinkError::Retry(f)) if f.timed_out => {
            warn!(sink = target.name, error = %f.message, "Slack did not answer in time; taking the message as posted");
            Ok(Outcome::default())
        }
        other => other.map(|_| Outcome::default()),
    }
}

/// PagerDuty's severity for ours.
fn pagerduty_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "info",
    }
}

/// The Events API v2 body for an event: `trigger` opens or updates the
/// alert, `acknowledge` says a remediation is under way, `resolve` closes
/// it; the dedup key is the finding id.
pub fn pagerduty_body(target: Target<'_>, owed: &Owed) -> serde_json::Value {
    let st = &owed.state;
    let action = match owed.event {
        TicketEvent::Opened | TicketEvent::Updated | TicketEvent::Reopened => "trigger",
        TicketEvent::Remediated => "acknowledge",
        TicketEvent::Resolved | TicketEvent::Suppressed | TicketEvent::RiskAccepted => "resolve",
    };
    let mut body = serde_json::json!({
        "routing_key": target.secret,
        "event_action": action,
        "dedup_key": st.finding_id,
    });
    if let Some(o) = body.as_object_mut()
        && action == "trigger"
    {
        {
            let mut details = owed.finding_json(target.finding_url);
            if let Some(d) = details.as_object_mut() {
                d.insert(
                    "idempotency_key".into(),
                    owed.idempotency_key.clone().into(),
                );
                d.insert("event".into(), owed.event.as_str().into());
            }
            o.insert(
                "payload".into(),
                serde_json::json!({
                    "summary": truncate(&headline(owed), 1024),
                    "source": st.resource_arn,
                    "severity": pagerduty_severity(st.severity),
                    "component": st.rule_id,
                    "group": st.account_id,
                    "class": st.rule_id.split('_').next().unwrap_or_default(),
                    "custom_details": details,
                }),
            );
            o.insert("client".into(), "aispm".into());
            if let Some(url) = target.finding_url {
                o.insert(
                    "links".into(),
                    serde_json::json!([{"href": url.replace("{id}", &st.finding_id), "text": "aispm finding"}]),
                );
            }
        }
    }
    body
}

async fn pagerduty(
    client: &Client,
    base: &str,
    target: Target<'_>,
    owed: &Owed,
) -> Result<Outcome, SinkError> {
    let url = format!("{}/v2/enqueue", base.trim_end_matches('/'));
    let req = Request::json("POST", url, &pagerduty_body(target, owed));
    call_ok(client, &req).await?;
    Ok(Outcome {
        external_id: Some(owed.state.finding_id.clone()),
        url: None,
    })
}

/// A JSON API with basic auth (Jira, ServiceNow).
pub(super) struct BasicApi<'a> {
    /// The client.
    pub client: &'a Client,
    /// The site, without a trailing `/`.
    pub base: String,
    auth: String,
}

impl<'a> BasicApi<'a> {
    /// The API at `url` as `user` with `secret`.
    pub fn new(client: &'a Client, url: &str, user: &str, secret: &str) -> Self {
        let token = format!("{user}:{secret}");
        Self {
            client,
            base: url.trim_end_matches('/').to_owned(),
            auth: format!("Basic {}", aws_smithy_types::base64::encode(token)),
        }
    }

    /// A request to `path` (with its query), with a JSON body or none.
    pub fn req(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Request {
        let url = format!("{}{path}", self.base);
        let r = match body {
            Some(b) => Request::json(method, url, b),
            None => Request {
                method,
                url,
                headers: Vec::new(),
                body: Vec::new(),
            },
        };
        r.header("authorization", self.auth.clone())
            .header("accept", "application/json")
    }

    /// Sends it once; only 2xx will do; the answer as JSON.
    pub async fn ok(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, SinkError> {
        Ok(call_ok(self.client, &self.req(method, path, body))
            .await?
            .json())
    }
}

/// Cuts `s` to `max` characters.
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A secret that cannot be read.
#[derive(Debug, Error)]
#[error("the secret of sink `{sink}` cannot be read: {message}")]
pub struct SecretError {
    /// The sink.
    pub sink: String,
    /// Why.
    pub message: String,
}

/// Reads a sink's secret: from the environment, a file, or (deployed) a
/// Secrets Manager secret of the ticketing deployment itself, through
/// `sm`. None is needed by a Slack sink given its `url`.
pub async fn read_secret(
    sink: &str,
    secret: &SecretRef,
    sm: Option<&aws_sdk_secretsmanager::Client>,
) -> Result<String, SecretError> {
    let err = |message: String| SecretError {
        sink: sink.to_owned(),
        message,
    };
    if let Some(var) = &secret.secret_env {
        return std::env::var(var)
            .map_err(|_| err(format!("environment variable `{var}` is not set")))
            .and_then(|v| {
                if v.is_empty() {
                    Err(err(format!("environment variable `{var}` is empty")))
                } else {
                    Ok(v)
                }
            });
    }
    if let Some(path) = &secret.secret_file {
        let v = std::fs::read_to_string(path).map_err(|e| err(format!("{path}: {e}")))?;
        return Ok(v.trim_end_matches(['\n', '\r']).to_owned());
    }
    if let Some(arn) = &secret.secret_arn {
        let sm =
            sm.ok_or_else(|| err(format!("`{arn}` needs AWS credentials (Secrets Manager)")))?;
        // The ticketing deployment's own secret, never a scanned account's:
        // the function role may read these ARNs only, and the scanner role
        // denies this call everywhere.
        let out = sm
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(|e| err(format!("{arn}: {}", crate::aws::source_chain(&e))))?;
        return out
            .secret_string()
            .map(str::to_owned)
            .ok_or_else(|| err(format!("{arn} holds no string")));
    }
    Ok(String::new())
}
