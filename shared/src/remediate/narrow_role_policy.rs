//! `narrow_role_policy`: cuts an IAM role's or user's policies down to what
//! it used. Before the change it asks IAM's last-accessed report for the
//! identity (`GenerateServiceLastAccessedDetails` at action level, polled
//! with `GetServiceLastAccessedDetails`) and records it in the plan; the
//! narrowing itself is [`super::narrow`]'s.
//!
//! Each policy is changed in place where that touches nobody else:
//! - an inline policy is replaced (`PutRolePolicy` / `PutUserPolicy`), or
//!   deleted when nothing it grants was used;
//! - a customer managed policy attached to this identity only gets a new
//!   default version (`CreatePolicyVersion`); the previous one is kept, and
//!   rollback makes it the default again;
//! - an AWS managed policy, or one other identities share, is detached
//!   from this identity and replaced by an inline copy narrowed for it
//!   (`aispm-narrowed-<policy name>`), written first so that no permission
//!   the identity uses is ever missing.
//!
//! An identity younger than `min_age_days` (30 by default) is skipped: its
//! report cannot yet show what it needs. The state is the identity's inline
//! documents and its attached policies with their default versions.

use std::collections::BTreeMap;
use std::time::Duration;

use aispm_iam::Catalog;
use aispm_iam::policy::ActionPattern;
use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType};
use serde_json::{Map, Value, json};

use super::identity_policies::{
    Identity, attach, attached, delete_inline, detach, identity, inline_names, put_inline, put_raw,
};
use super::narrow::{Narrowed, ServiceUse, Usage, narrow_document};
use super::{Call, Record};
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::collect::util::policy_json;
use crate::model::NotAssessedReason;

/// The name of the inline copy that replaces a managed policy `name`.
pub fn copy_name(name: &str) -> String {
    format!("aispm-narrowed-{name}")
}

/// The days an identity must exist before it is narrowed, by default.
pub const DEFAULT_MIN_AGE_DAYS: u64 = 30;
/// How often the report is polled, and how long between polls at most.
const POLLS: u32 = 24;
const POLL_CAP: Duration = Duration::from_secs(2);
/// IAM's quotas on policy size (characters, whitespace not counted).
const USER_INLINE_LIMIT: usize = 2048;
const ROLE_INLINE_LIMIT: usize = 10_240;
const MANAGED_LIMIT: usize = 6144;
/// A managed policy holds at most five versions.
const MAX_VERSIONS: usize = 5;

/// The plan's calls for the identity `arn`, from the policy's settings
/// (`keep_actions`, `min_age_days`), or what is wrong with them.
pub fn calls(arn: &str, settings: &Map<String, Value>) -> Result<Vec<Call>, String> {
    let keep = match settings.get("keep_actions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(l)) => l
            .iter()
            .map(|k| {
                k.as_str()
                    .filter(|k| ActionPattern::parse(k).is_some())
                    .map(|k| Value::String(k.to_owned()))
                    .ok_or_else(|| format!("keep_actions: `{k}` is not an IAM action pattern"))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "keep_actions must be a list of action patterns, not {other}"
            ));
        }
    };
    let min_age = match settings.get("min_age_days") {
        None | Some(Value::Null) => json!(DEFAULT_MIN_AGE_DAYS),
        Some(n) if n.is_u64() => n.clone(),
        Some(other) => {
            return Err(format!(
                "min_age_days must be a whole number of days, not {other}"
            ));
        }
    };
    let call = |api: &str, params: Value| Call {
        api: api.to_owned(),
        params,
    };
    Ok(vec![
        call(
            "iam:GenerateServiceLastAccessedDetails",
            json!({"Arn": arn, "Granularity": "ACTION_LEVEL",
                   "KeepActions": keep, "MinAgeDays": min_age}),
        ),
        call(
            "iam:PutRolePolicy",
            json!({"Target": arn, "Keep": "the actions it used, those the AI workloads running as it need (NeededActions) and keep_actions: inline policies replaced; its own managed policies get a new default version; shared and AWS managed ones are replaced by an inline narrowed copy"}),
        ),
    ])
}

/// The identity a narrowing changes for a finding on another resource (an
/// attack path): the first tool role of an agent path (evidence `tools`),
/// else the last IAM role or user the path crosses (evidence `assets`).
/// `None` when the finding is on an identity itself, or for other actions.
pub fn target(
    kind: super::ActionKind,
    f: &crate::store::FindingState,
    evidence: &[Value],
) -> Option<crate::store::FindingState> {
    use crate::model::AssetType;
    if kind != super::ActionKind::NarrowRolePolicy
        || matches!(f.resource_type, AssetType::IamRole | AssetType::IamUser)
    {
        return None;
    }
    let field = |name: &str| super::evidence_field(evidence, name);
    let is_identity =
        |a: &&str| a.contains(":iam::") && (a.contains(":role/") || a.contains(":user/"));
    let arn = field("tools")
        .and_then(Value::as_array)
        .and_then(|t| t.iter().find_map(|t| t["role"].as_str()))
        .or_else(|| {
            field("assets")?
                .as_array()?
                .iter()
                .rev()
                .filter_map(Value::as_str)
                .find(is_identity)
        })?;
    let mut t = f.clone();
    t.resource_type = if arn.contains(":user/") {
        AssetType::IamUser
    } else {
        AssetType::IamRole
    };
    t.resource_arn = arn.to_owned();
    t.region = "global".to_owned();
    Some(t)
}

fn error(op: &str, message: impl Into<String>) -> CollectError {
    CollectError::other(op, NotAssessedReason::Error, message)
}

fn params(r: &Record) -> &Value {
    r.calls.first().map_or(&Value::Null, |c| &c.params)
}

/// Records in the plan (`NeededActions`) what the workloads running as the
/// identity need to keep running, which the narrowing keeps.
pub fn add_needs(calls: &mut [Call], needs: Option<&Vec<super::needs::Need>>) {
    if let (Some(needs), Some(Value::Object(p))) = (needs, calls.first_mut().map(|c| &mut c.params))
        && let Ok(v) = serde_json::to_value(needs)
    {
        p.insert("NeededActions".into(), v);
    }
}

/// The actions the plan keeps whatever the report says: the
/// `keep_actions` patterns and the workloads' needs.
fn keep(r: &Record) -> Vec<ActionPattern> {
    let p = params(r);
    let patterns = p["KeepActions"].as_array().into_iter().flatten();
    let needed = p["NeededActions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| &n["Action"]);
    patterns
        .chain(needed)
        .filter_map(|k| k.as_str().and_then(ActionPattern::parse))
        .collect()
}

/// The report recorded by [`prepare`].
fn usage(r: &Record) -> Option<Usage> {
    serde_json::from_value(params(r).get("Usage")?.clone()).ok()
}

/// Reads the identity's last-accessed report into the plan (`Usage`), or
/// says why the identity is left alone.
pub async fn prepare(c: &Clients, r: &mut Record) -> Result<Option<String>, CollectError> {
    let min_days = params(r)["MinAgeDays"]
        .as_u64()
        .unwrap_or(DEFAULT_MIN_AGE_DAYS);
    let created = match identity(r) {
        Identity::Role(n) => c
            .iam
            .get_role()
            .role_name(n)
            .send()
            .await
            .op("iam:GetRole")?
            .role()
            .map(|r| r.create_date().secs()),
        Identity::User(n) => c
            .iam
            .get_user()
            .user_name(n)
            .send()
            .await
            .op("iam:GetUser")?
            .user()
            .map(|u| u.create_date().secs()),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let age_days = created.map_or(u64::MAX, |c| {
        now.saturating_sub(u64::try_from(c).unwrap_or(0)) / 86_400
    });
    if age_days < min_days {
        return Ok(Some(format!(
            "the identity is {age_days} days old, under min_age_days ({min_days}): its last-accessed report cannot yet show what it needs"
        )));
    }
    let usage = last_accessed(c, &r.resource_arn).await?;
    let value = serde_json::to_value(&usage)
        .map_err(|e| error("iam:GetServiceLastAccessedDetails", e.to_string()))?;
    if let Some(Value::Object(p)) = r.calls.first_mut().map(|c| &mut c.params) {
        p.insert("Usage".into(), value);
    }
    Ok(None)
}

/// IAM's action-level last-accessed report for `arn`.
async fn last_accessed(c: &Clients, arn: &str) -> Result<Usage, CollectError> {
    let job = c
        .iam
        .generate_service_last_accessed_details()
        .arn(arn)
        .granularity(AccessAdvisorUsageGranularityType::ActionLevel)
        .send()
        .await
        .op("iam:GenerateServiceLastAccessedDetails")?;
    let Some(job) = job.job_id() else {
        return Err(error(
            "iam:GenerateServiceLastAccessedDetails",
            "IAM answered without a job id",
        ));
    };
    let mut usage = Usage::default();
    let mut marker: Option<String> = None;
    let mut wait = Duration::from_millis(250);
    let mut polls = 0;
    loop {
        let out = c
            .iam
            .get_service_last_accessed_details()
            .job_id(job)
            .set_marker(marker.clone())
            .send()
            .await
            .op("iam:GetServiceLastAccessedDetails")?;
        match out.job_status() {
            JobStatusType::Completed => {}
            JobStatusType::InProgress if polls < POLLS => {
                polls += 1;
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(POLL_CAP);
                continue;
            }
            status => {
                return Err(error(
                    "iam:GetServiceLastAccessedDetails",
                    format!(
                        "the last-accessed report is {}{}",
                        status.as_str(),
                        out.error()
                            .map(|e| format!(": {}", e.message()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        for s in out.services_last_accessed() {
            let ns = s.service_namespace().to_ascii_lowercase();
            let mut u = ServiceUse {
                used: s.last_authenticated().is_some(),
                ..ServiceUse::default()
            };
            for a in s.tracked_actions_last_accessed() {
                let Some(name) = a.action_name() else {
                    continue;
                };
                let name = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
                if a.last_accessed_time().is_some() {
                    u.used = true;
                } else {
                    u.unused_actions.insert(name);
                }
            }
            usage.services.insert(ns, u);
        }
        match out.marker() {
            Some(m) if out.is_truncated() => marker = Some(m.to_owned()),
            _ => return Ok(usage),
        }
    }
}

/// An inline policy as the state holds it: its document, and its text as
/// IAM returned it (what rollback writes back, byte for byte).
fn inline_state(encoded: &str) -> Value {
    let raw = percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
    json!({"Document": policy_json(encoded), "Raw": raw})
}

/// `{"Inline": {name: {"Document", "Raw"}}, "Managed": {arn: {"Name",
/// "Version", "Document"}}}`: the identity's inline policies and attached
/// policies with their default versions.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let id = identity(r);
    let mut inline = Map::new();
    for name in inline_names(c, id).await? {
        let doc = match id {
            Identity::Role(n) => c
                .iam
                .get_role_policy()
                .role_name(n)
                .policy_name(&name)
                .send()
                .await
                .op("iam:GetRolePolicy")
                .map(|o| inline_state(o.policy_document()))?,
            Identity::User(n) => c
                .iam
                .get_user_policy()
                .user_name(n)
                .policy_name(&name)
                .send()
                .await
                .op("iam:GetUserPolicy")
                .map(|o| inline_state(o.policy_document()))?,
        };
        inline.insert(name, doc);
    }
    let mut managed = Map::new();
    for arn in attached(c, id).await? {
        let p = c
            .iam
            .get_policy()
            .policy_arn(&arn)
            .send()
            .await
            .op("iam:GetPolicy")?;
        let Some(p) = p.policy() else { continue };
        let version = p.default_version_id().unwrap_or("v1").to_owned();
        let doc = c
            .iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(&version)
            .send()
            .await
            .op("iam:GetPolicyVersion")?
            .policy_version()
            .and_then(|v| v.document())
            .map_or(Value::Null, policy_json);
        managed.insert(
            arn,
            json!({"Name": p.policy_name(), "Version": version, "Document": doc}),
        );
    }
    Ok(json!({"Inline": inline, "Managed": managed}))
}

/// What narrowing `state` would write: per inline policy and per attached
/// policy, its narrowed document (`Empty`: removed). Policies left as they
/// are do not appear.
fn changes(r: &Record, state: &Value) -> Option<BTreeMap<(bool, String), Narrowed>> {
    let usage = usage(r)?;
    let keep = keep(r);
    let catalog = Catalog::global().ok()?;
    let mut out = BTreeMap::new();
    let empty = Map::new();
    for (name, p) in state["Inline"].as_object().unwrap_or(&empty) {
        match narrow_document(&p["Document"], &usage, &keep, catalog) {
            Narrowed::Unchanged => {}
            n => {
                out.insert((false, name.clone()), n);
            }
        }
    }
    for (arn, p) in state["Managed"].as_object().unwrap_or(&empty) {
        match narrow_document(&p["Document"], &usage, &keep, catalog) {
            Narrowed::Unchanged => {}
            n => {
                out.insert((true, arn.clone()), n);
            }
        }
    }
    Some(out)
}

/// Whether no policy of the identity grants more than it used.
pub fn fixed(r: &Record, state: &Value) -> bool {
    changes(r, state).is_some_and(|c| c.is_empty())
}

/// One write, in the order they are made.
enum Write {
    PutInline(String, Value),
    NewVersion(String, Value),
    DeleteInline(String),
    Detach(String),
}

/// Narrows every policy that grants more than the identity used: the writes
/// are all worked out and checked against IAM's quotas before the first.
pub async fn write(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    let id = identity(r);
    let Some(changes) = changes(r, before) else {
        return Err(error(
            "iam:GetServiceLastAccessedDetails",
            "the plan holds no last-accessed report",
        ));
    };
    let mut writes = Vec::new();
    let mut inline: BTreeMap<String, Value> = before["Inline"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v["Document"].clone()))
                .collect()
        })
        .unwrap_or_default();
    for ((is_managed, key), n) in changes {
        if !is_managed {
            match n {
                Narrowed::Document(d) => {
                    inline.insert(key.clone(), d.clone());
                    writes.push(Write::PutInline(key, d));
                }
                _ => {
                    inline.remove(&key);
                    writes.push(Write::DeleteInline(key));
                }
            }
            continue;
        }
        let name = before["Managed"][&key]["Name"]
            .as_str()
            .unwrap_or_else(|| super::resource_name(&key))
            .to_owned();
        let own = !key.starts_with("arn:aws:iam::aws:policy/") && attachments(c, &key).await? == 1;
        match n {
            Narrowed::Document(d) if own => {
                let size = d.to_string().len();
                if size > MANAGED_LIMIT {
                    return Err(error(
                        "iam:CreatePolicyVersion",
                        format!(
                            "the narrowed {name} would be {size} characters, over IAM's {MANAGED_LIMIT}; nothing was changed"
                        ),
                    ));
                }
                if versions(c, &key).await? >= MAX_VERSIONS {
                    return Err(error(
                        "iam:CreatePolicyVersion",
                        format!(
                            "{name} already has {MAX_VERSIONS} versions: delete an old one first; nothing was changed"
                        ),
                    ));
                }
                writes.push(Write::NewVersion(key, d));
            }
            Narrowed::Document(d) => {
                let copy = copy_name(&name);
                inline.insert(copy.clone(), d.clone());
                writes.insert(0, Write::PutInline(copy, d));
                writes.push(Write::Detach(key));
            }
            _ => writes.push(Write::Detach(key)),
        }
    }
    let (limit, kind) = match id {
        Identity::User(_) => (USER_INLINE_LIMIT, "user"),
        Identity::Role(_) => (ROLE_INLINE_LIMIT, "role"),
    };
    let total: usize = inline.values().map(|d| d.to_string().len()).sum();
    if total > limit {
        return Err(error(
            "iam:PutRolePolicy",
            format!(
                "the narrowed inline policies would be {total} characters, over IAM's {limit} for a {kind}; nothing was changed"
            ),
        ));
    }
    // Grants before removals: puts and versions first, then deletes and
    // detaches.
    writes.sort_by_key(|w| match w {
        Write::PutInline(..) | Write::NewVersion(..) => 0,
        Write::DeleteInline(_) | Write::Detach(_) => 1,
    });
    for w in writes {
        match w {
            Write::PutInline(name, doc) => put_inline(c, id, &name, &doc).await?,
            Write::NewVersion(arn, doc) => {
                c.iam
                    .create_policy_version()
                    .policy_arn(arn)
                    .policy_document(doc.to_string())
                    .set_as_default(true)
                    .send()
                    .await
                    .op("iam:CreatePolicyVersion")?;
            }
            Write::DeleteInline(name) => delete_inline(c, id, &name).await?,
            Write::Detach(arn) => detach(c, id, &arn).await?,
        }
    }
    Ok(())
}

async fn attachments(c: &Clients, arn: &str) -> Result<i32, CollectError> {
    Ok(c.iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .op("iam:GetPolicy")?
        .policy()
        .and_then(|p| p.attachment_count())
        .unwrap_or(0))
}

async fn versions(c: &Clients, arn: &str) -> Result<usize, CollectError> {
    Ok(c.iam
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .op("iam:ListPolicyVersions")?
        .versions()
        .len())
}

/// Puts `before` back: reattaches what was detached, makes the old versions
/// the default again, restores the inline documents and deletes the copies
/// aispm added; grants first, as in [`write`].
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    let id = identity(r);
    let now = read(c, r).await?;
    let empty = Map::new();
    let managed = before["Managed"].as_object().unwrap_or(&empty);
    for (arn, p) in managed {
        match now["Managed"].get(arn) {
            None => attach(c, id, arn).await?,
            Some(n) if n["Version"] != p["Version"] => {
                c.iam
                    .set_default_policy_version()
                    .policy_arn(arn)
                    .version_id(p["Version"].as_str().unwrap_or("v1"))
                    .send()
                    .await
                    .op("iam:SetDefaultPolicyVersion")?;
            }
            Some(_) => {}
        }
    }
    let was = before["Inline"].as_object().unwrap_or(&empty);
    for (name, p) in was {
        if now["Inline"].get(name) != Some(p) {
            let raw = p["Raw"]
                .as_str()
                .map_or_else(|| p["Document"].to_string(), str::to_owned);
            put_raw(c, id, name, &raw).await?;
        }
    }
    for name in now["Inline"].as_object().unwrap_or(&empty).keys() {
        if !was.contains_key(name) {
            delete_inline(c, id, name).await?;
        }
    }
    for arn in now["Managed"].as_object().unwrap_or(&empty).keys() {
        if !managed.contains_key(arn) {
            detach(c, id, arn).await?;
        }
    }
    Ok(())
}
