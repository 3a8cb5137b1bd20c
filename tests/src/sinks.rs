//! Test receivers on 127.0.0.1 that speak each sink's API as its
//! documentation describes it: they check the request's path, method,
//! headers, auth and body fields, keep state as the service would (issues,
//! incidents, alerts, messages) and answer in its shape. Each can be told
//! to be down (503) for a number of requests, or to take a request and
//! answer too late (the "sink times out once" case: the request took
//! effect, the sender never heard).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test receivers: a broken lock or socket is a failed test"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Got {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Got {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// What a receiver holds.
#[derive(Debug, Default)]
pub struct State {
    /// Every request, in order.
    pub got: Vec<Got>,
    /// Answer 503 to this many more requests.
    pub down: u32,
    /// Take this many more requests but answer after the client gave up.
    pub late: u32,
    /// Answer 429 with `Retry-After: 1` to this many more requests.
    pub throttled: u32,
    /// The service's objects (issues, incidents, alerts, events), by id.
    pub objects: BTreeMap<String, Value>,
    /// Messages or comments, in order.
    pub posts: Vec<Value>,
    /// Requests refused for their shape, with why.
    pub refused: Vec<String>,
}

pub type Shared = Arc<Mutex<State>>;
type Answer = (u16, Value);
type Handler = fn(&mut State, &Got) -> Answer;

/// A running receiver.
pub struct Receiver {
    pub url: String,
    pub state: Shared,
}

impl Receiver {
    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
}

/// Starts a receiver answering with `handler`.
pub async fn start(handler: Handler) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state: Shared = Arc::default();
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let s = s.clone();
            tokio::spawn(async move {
                let Some(got) = read(&mut sock).await else {
                    return;
                };
                let (status, body, late) = {
                    let mut st = s.lock().unwrap();
                    st.got.push(got.clone());
                    if st.down > 0 {
                        st.down -= 1;
                        (503, json!({"error": "down"}), false)
                    } else if st.throttled > 0 {
                        st.throttled -= 1;
                        (429, json!({"error": "slow down"}), false)
                    } else {
                        let late = st.late > 0;
                        if late {
                            st.late -= 1;
                        }
                        let (status, body) = handler(&mut st, &got);
                        if status >= 400 && status != 503 {
                            st.refused
                                .push(format!("{} {}: {body}", got.method, got.path));
                        }
                        (status, body, late)
                    }
                };
                if late {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                let text = if body.is_null() {
                    String::new()
                } else {
                    body.to_string()
                };
                let retry_after = if status == 429 {
                    "retry-after: 1\r\n"
                } else {
                    ""
                };
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{retry_after}connection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    Receiver { url, state }
}

async fn read(sock: &mut tokio::net::TcpStream) -> Option<Got> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Got {
        method,
        path,
        headers,
        body,
    })
}

fn refuse(why: &str) -> Answer {
    (400, json!({"error": why}))
}

fn basic(got: &Got, user: &str, secret: &str) -> bool {
    got.header("authorization")
        == format!(
            "Basic {}",
            aws_smithy_types::base64::encode(format!("{user}:{secret}"))
        )
}

/// The generic webhook receiver of `docs/tickets.md`: checks the signature
/// with the secret `s3cret` (as the documented snippet does) and keeps one
/// event per idempotency key.
pub fn generic(st: &mut State, got: &Got) -> Answer {
    if got.method != "POST" || got.path != "/hook" {
        return (404, Value::Null);
    }
    let now = aispm_shared::model::Timestamp::now().unix_secs();
    if aispm_shared::signing::verify(b"s3cret", got.header("x-aispm-signature"), &got.body, now)
        .is_err()
    {
        return (401, json!({"error": "bad signature"}));
    }
    let v = got.json();
    for field in ["event", "idempotency_key", "sent_at", "finding"] {
        if v.get(field).is_none() {
            return refuse(field);
        }
    }
    if v["finding"]["id"].as_str().is_none() || v["finding"]["first_seen"].as_str().is_none() {
        return refuse("finding fields");
    }
    let key = v["idempotency_key"].as_str().unwrap_or_default().to_owned();
    if got.header("idempotency-key") != key {
        return refuse("Idempotency-Key header");
    }
    if !st.objects.contains_key(&key) {
        st.posts.push(v.clone());
        st.objects.insert(key, v);
    }
    (200, Value::Null)
}

/// A Slack incoming webhook: a JSON body with `text` and Block Kit
/// `blocks` (a header first); answers `ok`.
pub fn slack(st: &mut State, got: &Got) -> Answer {
    if got.method != "POST" || got.path != "/services/T000/B000/XXXX" {
        return (404, Value::Null);
    }
    let v = got.json();
    let blocks = v["blocks"].as_array().cloned().unwrap_or_default();
    if v["text"].as_str().is_none()
        || blocks.first().map(|b| b["type"].clone()) != Some(json!("header"))
    {
        return refuse("invalid_blocks");
    }
    st.posts.push(v);
    (200, Value::Null)
}

/// The PagerDuty Events API v2 (`/v2/enqueue`): routing key `R0UTING`,
/// one alert per dedup key, its status moved by trigger / acknowledge /
/// resolve.
pub fn pagerduty(st: &mut State, got: &Got) -> Answer {
    if got.method != "POST" || got.path != "/v2/enqueue" {
        return (404, Value::Null);
    }
    let v = got.json();
    if v["routing_key"] != "R0UTING" {
        return (
            400,
            json!({"status": "invalid event", "errors": ["routing_key"]}),
        );
    }
    let Some(dedup) = v["dedup_key"].as_str().map(str::to_owned) else {
        return refuse("dedup_key");
    };
    let action = v["event_action"].as_str().unwrap_or_default();
    let status = match action {
        "trigger" => {
            let p = &v["payload"];
            let sev_ok = matches!(
                p["severity"].as_str(),
                Some("critical" | "error" | "warning" | "info")
            );
            if p["summary"].as_str().is_none() || p["source"].as_str().is_none() || !sev_ok {
                return (
                    400,
                    json!({"status": "invalid event", "errors": ["payload"]}),
                );
            }
            "triggered"
        }
        "acknowledge" => "acknowledged",
        "resolve" => "resolved",
        _ => return refuse("event_action"),
    };
    let entry = st
        .objects
        .entry(dedup.clone())
        .or_insert_with(|| json!({"triggers": 0}));
    if action == "trigger" && entry["status"] != "triggered" {
        entry["triggers"] = json!(entry["triggers"].as_u64().unwrap_or(0) + 1);
    }
    entry["status"] = json!(status);
    st.posts.push(v);
    (
        202,
        json!({"status": "success", "message": "Event processed", "dedup_key": dedup}),
    )
}

fn jira_issue<'a>(st: &'a mut State, key: &str) -> Option<&'a mut Value> {
    st.objects.get_mut(key)
}

/// Jira Cloud REST v3 for user `bot@acme.example`, token `t0ken`: JQL
/// search by label, issue create, comments, transitions (To Do ↔ Done).
pub fn jira(st: &mut State, got: &Got) -> Answer {
    if !basic(got, "bot@acme.example", "t0ken") {
        return (401, json!({"errorMessages": ["unauthorized"]}));
    }
    let path = got.path.split('?').next().unwrap_or_default().to_owned();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (got.method.as_str(), parts.as_slice()) {
        ("POST", ["rest", "api", "3", "search", "jql"]) => {
            let jql = got.json()["jql"].as_str().unwrap_or_default().to_owned();
            let Some(label) = jql
                .strip_prefix("labels = \"")
                .and_then(|l| l.strip_suffix('"'))
            else {
                return refuse("jql");
            };
            let issues: Vec<Value> = st
                .objects
                .values()
                .filter(|i| i["fields"]["labels"].as_array().is_some_and(|l| l.contains(&json!(label))))
                .map(|i| json!({"id": i["id"], "key": i["key"], "fields": {"status": i["fields"]["status"]}}))
                .collect();
            (200, json!({"issues": issues, "isLast": true}))
        }
        ("POST", ["rest", "api", "3", "issue"]) => {
            let f = got.json()["fields"].clone();
            let ok = f["project"]["key"].as_str().is_some()
                && f["summary"].as_str().is_some()
                && f["issuetype"]["name"].as_str().is_some()
                && f["description"]["type"] == "doc"
                && f["description"]["version"] == 1;
            if !ok {
                return (400, json!({"errors": {"fields": "invalid"}}));
            }
            let n = st.objects.len() + 1;
            let key = format!("{}-{n}", f["project"]["key"].as_str().unwrap_or_default());
            let mut issue =
                json!({"id": format!("{}", 10000 + n), "key": key, "fields": f, "comments": []});
            issue["fields"]["status"] = json!({"name": "To Do", "statusCategory": {"key": "new"}});
            st.objects.insert(key.clone(), issue);
            (
                201,
                json!({"id": format!("{}", 10000 + n), "key": key, "self": "x"}),
            )
        }
        ("GET", ["rest", "api", "3", "issue", key]) => match jira_issue(st, key) {
            Some(i) => (
                200,
                json!({"key": key, "fields": {"status": i["fields"]["status"]}}),
            ),
            None => (404, json!({"errorMessages": ["Issue does not exist"]})),
        },
        ("GET", ["rest", "api", "3", "issue", key, "comment"]) => match jira_issue(st, key) {
            Some(i) => (
                200,
                json!({"comments": i["comments"], "total": i["comments"].as_array().map_or(0, Vec::len)}),
            ),
            None => (404, Value::Null),
        },
        ("POST", ["rest", "api", "3", "issue", key, "comment"]) => {
            let body = got.json()["body"].clone();
            if body["type"] != "doc" {
                return refuse("comment body is not ADF");
            }
            let key = key.to_string();
            let Some(i) = jira_issue(st, &key) else {
                return (404, Value::Null);
            };
            if let Some(c) = i["comments"].as_array_mut() {
                c.push(json!({"body": body.clone()}));
            }
            st.posts.push(json!({"comment": key, "body": body}));
            (201, json!({"id": "1"}))
        }
        ("GET", ["rest", "api", "3", "issue", key, "transitions"]) => match jira_issue(st, key) {
            Some(i) if i["fields"]["status"]["statusCategory"]["key"] == "done" => (
                200,
                json!({"transitions": [{"id": "11", "name": "Reopen", "to": {"statusCategory": {"key": "new"}}}]}),
            ),
            Some(_) => (
                200,
                json!({"transitions": [{"id": "21", "name": "In Progress", "to": {"statusCategory": {"key": "indeterminate"}}},
                                       {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}}]}),
            ),
            None => (404, Value::Null),
        },
        ("POST", ["rest", "api", "3", "issue", key, "transitions"]) => {
            let id = got.json()["transition"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let Some(i) = jira_issue(st, key) else {
                return (404, Value::Null);
            };
            let done = i["fields"]["status"]["statusCategory"]["key"] == "done";
            let status = match (id.as_str(), done) {
                ("31", false) => json!({"name": "Done", "statusCategory": {"key": "done"}}),
                ("11", true) => json!({"name": "To Do", "statusCategory": {"key": "new"}}),
                _ => return refuse("transition not available"),
            };
            i["fields"]["status"] = status;
            (204, Value::Null)
        }
        _ => (404, json!({"errorMessages": ["no such resource"]})),
    }
}

/// The ServiceNow Table API for user `aispm`, password `pw`: incidents
/// by correlation id, created, read (work notes as display values) and
/// patched.
pub fn servicenow(st: &mut State, got: &Got) -> Answer {
    if !basic(got, "aispm", "pw") {
        return (401, json!({"error": {"message": "User Not Authenticated"}}));
    }
    let (path, query) = got.path.split_once('?').unwrap_or((got.path.as_str(), ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (got.method.as_str(), parts.as_slice()) {
        ("GET", ["api", "now", "table", "incident"]) => {
            let Some(id) = query
                .split('&')
                .find_map(|p| p.strip_prefix("sysparm_query=correlation_id%3D"))
            else {
                return refuse("sysparm_query");
            };
            let rows: Vec<Value> = st
                .objects
                .values()
                .filter(|i| i["correlation_id"] == id)
                .map(|i| json!({"sys_id": i["sys_id"], "number": i["number"], "state": i["state"]}))
                .collect();
            (200, json!({"result": rows}))
        }
        ("POST", ["api", "now", "table", "incident"]) => {
            let mut v = got.json();
            if v["short_description"].as_str().is_none() || v["correlation_id"].as_str().is_none() {
                return refuse("fields");
            }
            let n = st.objects.len() + 1;
            let sys_id = format!("{n:032x}");
            v["sys_id"] = json!(sys_id);
            v["number"] = json!(format!("INC{n:07}"));
            v["state"] = json!("1");
            let note = v["work_notes"].as_str().unwrap_or_default().to_owned();
            v["work_notes"] = json!(note);
            st.objects.insert(sys_id, v.clone());
            (201, json!({"result": v}))
        }
        ("GET", ["api", "now", "table", "incident", id]) => match st.objects.get(*id) {
            Some(i) => (200, json!({"result": {"work_notes": i["work_notes"]}})),
            None => (404, json!({"error": {"message": "No Record found"}})),
        },
        ("PATCH", ["api", "now", "table", "incident", id]) => {
            let patch = got.json();
            let Some(i) = st.objects.get_mut(*id) else {
                return (404, Value::Null);
            };
            for (k, v) in patch.as_object().cloned().unwrap_or_default() {
                if k == "work_notes" {
                    let old = i["work_notes"].as_str().unwrap_or_default().to_owned();
                    i["work_notes"] = json!(format!("{old}\n{}", v.as_str().unwrap_or_default()));
                } else {
                    i[k.as_str()] = v;
                }
            }
            st.posts.push(patch);
            (200, json!({"result": i.clone()}))
        }
        _ => (404, json!({"error": {"message": "Invalid table"}})),
    }
}
