//! The remediation policy: which actions may run, how (`off`, `dry_run`,
//! `approval`, `auto`), on what, and how many at once. A JSON file other
//! tools write (`docs/remediation.md`):
//!
//! ```json
//! {"default_mode": "dry_run",
//!  "exclude_tag": "aispm:no-remediate",
//!  "actions": {"quarantine_access_key": {"mode": "auto", "min_severity": "high",
//!                                        "accounts": ["111111111111"], "max_per_run": 5},
//!              "s3_block_public_access": {"mode": "approval"}}}
//! ```
//!
//! `approval_ttl_hours` (1 to 720, default 72) is how long a request for
//! approval stays open.
//!
//! No policy, or an action it does not name, means `default_mode`, itself
//! `dry_run` when absent. An unknown key, action, mode or severity is an
//! error naming it and where it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::catalog::ActionKind;
use crate::model::Severity;

/// How an action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Never: findings it would fix are recorded as skipped.
    Off,
    /// Records the calls it would make; changes nothing (the default).
    DryRun,
    /// Records the plan and waits for a person to approve it.
    Approval,
    /// Applies, records before and after, and verifies by a rescan.
    Auto,
}

impl Mode {
    /// The snake_case name used in policies and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::DryRun => "dry_run",
            Self::Approval => "approval",
            Self::Auto => "auto",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Off, Self::DryRun, Self::Approval, Self::Auto]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The tag that keeps a resource out of remediation when no policy names
/// one.
pub const DEFAULT_EXCLUDE_TAG: &str = "aispm:no-remediate";

/// A policy file that cannot be used: what was wrong, and where.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    /// Not JSON.
    #[error("the remediation policy is not valid JSON: {0}")]
    Json(String),
    /// JSON, but not a policy.
    #[error("remediation policy, at {at}: {message}")]
    Invalid {
        /// Where (`actions.quarantine_access_key.mode`).
        at: String,
        /// What was wrong.
        message: String,
    },
}

fn invalid(at: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        at: at.to_owned(),
        message: message.into(),
    }
}

/// One action's entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionPolicy {
    /// Its mode (`None`: the policy's default).
    pub mode: Option<Mode>,
    /// Only findings at least this severe.
    pub min_severity: Option<Severity>,
    /// Only findings with at least this risk score.
    pub min_risk: Option<u8>,
    /// Only these accounts (empty: every account).
    pub accounts: Vec<String>,
    /// Only accounts under one of these OUs or roots (empty: every one).
    pub ous: Vec<String>,
    /// Only resources carrying every one of these tags with these values.
    pub tags: BTreeMap<String, String>,
    /// At most this many changes in one run.
    pub max_per_run: Option<u32>,
    /// At most this many changes in any hour.
    pub max_per_hour: Option<u32>,
    /// A further exclusion tag for this action (the policy's always counts).
    pub exclude_tag: Option<String>,
    /// The action's own settings (`ActionKind::settings`).
    pub settings: Map<String, Value>,
}

/// A parsed, checked remediation policy.
#[derive(Debug, Clone, PartialEq)]
pub struct RemediationPolicy {
    /// The mode of actions without an entry (`dry_run` when absent).
    pub default_mode: Mode,
    /// Resources carrying this tag key are never changed.
    pub exclude_tag: String,
    /// Per-action entries.
    pub actions: BTreeMap<ActionKind, ActionPolicy>,
    /// Hours an approval request stays open (`approval_ttl_hours`, default
    /// 72); an expired one cannot be approved, and the next run asks again.
    pub approval_ttl_hours: u32,
}

/// How long an approval request stays open without a policy saying.
pub const DEFAULT_APPROVAL_TTL_HOURS: u32 = 72;

impl Default for RemediationPolicy {
    /// No policy file: every action a dry run, except those that need a
    /// setting (off until one is given).
    fn default() -> Self {
        Self {
            default_mode: Mode::DryRun,
            exclude_tag: DEFAULT_EXCLUDE_TAG.to_owned(),
            actions: BTreeMap::new(),
            approval_ttl_hours: DEFAULT_APPROVAL_TTL_HOURS,
        }
        .settle()
    }
}

const TOP_KEYS: &[&str] = &[
    "default_mode",
    "exclude_tag",
    "approval_ttl_hours",
    "actions",
];
const ACTION_KEYS: &[&str] = &[
    "mode",
    "min_severity",
    "min_risk",
    "accounts",
    "ous",
    "tags",
    "max_per_run",
    "max_per_hour",
    "exclude_tag",
];
const SEVERITIES: [Severity; 5] = [
    Severity::Informational,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

impl RemediationPolicy {
    /// Parses and checks a policy file's text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        let top = value
            .as_object()
            .ok_or_else(|| invalid("(top)", "expected an object"))?;
        unknown_keys(top, TOP_KEYS, "(top)")?;
        let mut policy = Self {
            default_mode: Mode::DryRun,
            exclude_tag: DEFAULT_EXCLUDE_TAG.to_owned(),
            actions: BTreeMap::new(),
            approval_ttl_hours: DEFAULT_APPROVAL_TTL_HOURS,
        };
        if let Some(h) = top.get("approval_ttl_hours") {
            policy.approval_ttl_hours = match count(h, "approval_ttl_hours")? {
                0 => return Err(invalid("approval_ttl_hours", "must be at least 1")),
                h if h > 24 * 30 => {
                    return Err(invalid(
                        "approval_ttl_hours",
                        "must be at most 720 (30 days)",
                    ));
                }
                h => h,
            };
        }
        if let Some(m) = top.get("default_mode") {
            policy.default_mode = mode(m, "default_mode")?;
        }
        if let Some(t) = top.get("exclude_tag") {
            policy.exclude_tag = tag_key(t, "exclude_tag")?;
        }
        if let Some(actions) = top.get("actions") {
            let actions = actions
                .as_object()
                .ok_or_else(|| invalid("actions", "expected an object of action entries"))?;
            for (name, entry) in actions {
                let at = format!("actions.{name}");
                let kind = ActionKind::from_name(name).ok_or_else(|| {
                    invalid(
                        &at,
                        format!(
                            "unknown action `{name}` (known: {})",
                            ActionKind::ALL.map(ActionKind::name).join(", ")
                        ),
                    )
                })?;
                let entry = action(kind, entry, &at)?;
                if policy.mode_with(&entry) != Mode::Off {
                    required_settings(kind, &entry.settings, &at)?;
                }
                policy.actions.insert(kind, entry);
            }
        }
        Ok(policy.settle())
    }

    /// An action without an entry runs in the default mode; one whose
    /// required settings are missing cannot, and is off.
    fn settle(mut self) -> Self {
        if self.default_mode != Mode::Off {
            for kind in ActionKind::ALL {
                if !self.actions.contains_key(&kind)
                    && required_settings(kind, &Map::new(), "").is_err()
                {
                    self.actions.insert(
                        kind,
                        ActionPolicy {
                            mode: Some(Mode::Off),
                            ..ActionPolicy::default()
                        },
                    );
                }
            }
        }
        self
    }

    fn mode_with(&self, entry: &ActionPolicy) -> Mode {
        entry.mode.unwrap_or(self.default_mode)
    }

    /// The mode of an action.
    pub fn mode(&self, kind: ActionKind) -> Mode {
        self.actions
            .get(&kind)
            .map_or(self.default_mode, |e| self.mode_with(e))
    }

    /// An action's entry (an empty one when the policy does not name it).
    pub fn entry(&self, kind: ActionKind) -> &ActionPolicy {
        static NONE: std::sync::LazyLock<ActionPolicy> =
            std::sync::LazyLock::new(ActionPolicy::default);
        self.actions.get(&kind).unwrap_or(&NONE)
    }
}

fn unknown_keys(map: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), PolicyError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(invalid(
            at,
            format!("unknown key `{k}` (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn mode(v: &Value, at: &str) -> Result<Mode, PolicyError> {
    v.as_str().and_then(Mode::parse).ok_or_else(|| {
        invalid(
            at,
            format!("unknown mode {v} (expected off, dry_run, approval or auto)"),
        )
    })
}

fn string(v: &Value, at: &str) -> Result<String, PolicyError> {
    match v.as_str() {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(invalid(at, format!("expected a non-empty string, got {v}"))),
    }
}

fn tag_key(v: &Value, at: &str) -> Result<String, PolicyError> {
    let s = string(v, at)?;
    if s.len() > 128 {
        return Err(invalid(at, "a tag key is at most 128 characters"));
    }
    Ok(s)
}

fn strings(v: &Value, at: &str) -> Result<Vec<String>, PolicyError> {
    let list = v
        .as_array()
        .ok_or_else(|| invalid(at, format!("expected a list of strings, got {v}")))?;
    list.iter()
        .enumerate()
        .map(|(i, s)| string(s, &format!("{at}[{i}]")))
        .collect()
}

fn count(v: &Value, at: &str) -> Result<u32, PolicyError> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| invalid(at, format!("expected a whole number ≥ 0, got {v}")))
}

fn action(kind: ActionKind, v: &Value, at: &str) -> Result<ActionPolicy, PolicyError> {
    let map = v
        .as_object()
        .ok_or_else(|| invalid(at, "expected an object"))?;
    let own: Vec<&str> = kind.settings().iter().map(|s| s.key).collect();
    let known: Vec<&str> = ACTION_KEYS
        .iter()
        .copied()
        .chain(own.iter().copied())
        .collect();
    unknown_keys(map, &known, at)?;
    let mut e = ActionPolicy::default();
    for (k, v) in map {
        let at = format!("{at}.{k}");
        match k.as_str() {
            "mode" => e.mode = Some(mode(v, &at)?),
            "min_severity" => {
                e.min_severity = Some(
                    SEVERITIES
                        .into_iter()
                        .find(|s| v.as_str() == Some(s.as_str()))
                        .ok_or_else(|| {
                            invalid(
                                &at,
                                format!(
                                    "unknown severity {v} (expected informational, low, medium, high or critical)"
                                ),
                            )
                        })?,
                );
            }
            "min_risk" => {
                e.min_risk = Some(
                    v.as_u64()
                        .filter(|n| *n <= 100)
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or_else(|| {
                            invalid(&at, format!("expected a risk score 0-100, got {v}"))
                        })?,
                );
            }
            "accounts" => {
                e.accounts = strings(v, &at)?;
                if let Some(bad) = e
                    .accounts
                    .iter()
                    .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(invalid(
                        &at,
                        format!("`{bad}` is not a 12-digit account id"),
                    ));
                }
            }
            "ous" => {
                e.ous = strings(v, &at)?;
                if let Some(bad) = e
                    .ous
                    .iter()
                    .find(|o| !o.starts_with("ou-") && !o.starts_with("r-"))
                {
                    return Err(invalid(
                        &at,
                        format!("`{bad}` is not an OU id (`ou-...`) or a root id (`r-...`)"),
                    ));
                }
            }
            "tags" => {
                let map = v
                    .as_object()
                    .ok_or_else(|| invalid(&at, "expected an object of tag key to value"))?;
                for (tk, tv) in map {
                    e.tags
                        .insert(tk.clone(), string(tv, &format!("{at}.{tk}"))?);
                }
            }
            "max_per_run" => e.max_per_run = Some(count(v, &at)?),
            "max_per_hour" => e.max_per_hour = Some(count(v, &at)?),
            "exclude_tag" => e.exclude_tag = Some(tag_key(v, &at)?),
            setting => {
                setting_value(kind, setting, v, &at)?;
                e.settings.insert(setting.to_owned(), v.clone());
            }
        }
    }
    Ok(e)
}

fn setting_value(kind: ActionKind, key: &str, v: &Value, at: &str) -> Result<(), PolicyError> {
    match (kind, key) {
        (ActionKind::RotateSecret, "rotation_days") => match v.as_u64() {
            Some(1..=1000) => Ok(()),
            _ => Err(invalid(
                at,
                format!("expected a number of days 1-1000, got {v}"),
            )),
        },
        (ActionKind::NarrowRolePolicy, "min_age_days") => match v.as_u64() {
            Some(0..=400) => Ok(()),
            _ => Err(invalid(
                at,
                format!("expected a number of days 0-400 (IAM tracks 400), got {v}"),
            )),
        },
        (ActionKind::NarrowRolePolicy, "keep_actions") => {
            match strings(v, at)?
                .iter()
                .find(|a| aispm_iam::policy::ActionPattern::parse(a).is_none())
            {
                Some(bad) => Err(invalid(
                    at,
                    format!(
                        "`{bad}` is not an IAM action pattern (`service:Action`, wildcards allowed)"
                    ),
                )),
                None => Ok(()),
            }
        }
        (ActionKind::DenyDataExfiltration, "deny_actions") => {
            let list = strings(v, at)?;
            if list.is_empty() {
                return Err(invalid(at, "expected at least one action"));
            }
            match list.iter().find(|a| a.as_str() != "*" && !a.contains(':')) {
                Some(bad) => Err(invalid(
                    at,
                    format!("`{bad}` is not an IAM action (`service:Action`)"),
                )),
                None => Ok(()),
            }
        }
        (_, k) if k.ends_with("_arn") => {
            let s = string(v, at)?;
            if s.starts_with("arn:") {
                Ok(())
            } else {
                Err(invalid(at, format!("`{s}` is not an ARN")))
            }
        }
        _ => string(v, at).map(|_| ()),
    }
}

/// What an action still needs before it can run with these settings, if
/// anything.
pub fn missing_setting(kind: ActionKind, settings: &Map<String, Value>) -> Option<String> {
    match required_settings(kind, settings, "") {
        Ok(()) => None,
        Err(PolicyError::Invalid { message, .. } | PolicyError::Json(message)) => Some(message),
    }
}

fn required_settings(
    kind: ActionKind,
    settings: &Map<String, Value>,
    at: &str,
) -> Result<(), PolicyError> {
    if let Some(s) = kind
        .settings()
        .iter()
        .find(|s| s.required && !settings.contains_key(s.key))
    {
        return Err(invalid(
            at,
            format!(
                "{kind} needs `{}` ({}) unless its mode is off",
                s.key, s.doc
            ),
        ));
    }
    if kind == ActionKind::EnableBedrockInvocationLogging {
        if !settings.contains_key("log_bucket") && !settings.contains_key("log_group") {
            return Err(invalid(
                at,
                format!("{kind} needs `log_bucket` or `log_group` unless its mode is off"),
            ));
        }
        if settings.contains_key("log_group") && !settings.contains_key("log_role_arn") {
            return Err(invalid(
                at,
                "`log_group` needs `log_role_arn` (the role Bedrock writes logs as)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match RemediationPolicy::parse(text) {
            Ok(p) => panic!("accepted: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_documented_example_parses() {
        let p = RemediationPolicy::parse(
            r#"{"default_mode": "dry_run",
                "exclude_tag": "aispm:no-remediate",
                "actions": {"quarantine_access_key": {"mode": "auto", "min_severity": "high",
                                                      "accounts": ["111111111111"], "max_per_run": 5},
                            "s3_block_public_access": {"mode": "approval"}}}"#,
        )
        .unwrap();
        assert_eq!(p.mode(ActionKind::QuarantineAccessKey), Mode::Auto);
        assert_eq!(p.mode(ActionKind::S3BlockPublicAccess), Mode::Approval);
        assert_eq!(p.mode(ActionKind::DeactivateAccessKey), Mode::DryRun);
        let q = p.entry(ActionKind::QuarantineAccessKey);
        assert_eq!(q.min_severity, Some(Severity::High));
        assert_eq!(q.accounts, vec!["111111111111".to_owned()]);
        assert_eq!(q.max_per_run, Some(5));
    }

    #[test]
    fn no_policy_means_dry_run_everywhere_it_can_run() {
        let p = RemediationPolicy::parse("{}").unwrap();
        assert_eq!(p.exclude_tag, DEFAULT_EXCLUDE_TAG);
        assert_eq!(p.mode(ActionKind::DeactivateAccessKey), Mode::DryRun);
        assert_eq!(p.mode(ActionKind::HoldTraining), Mode::DryRun);
        // Actions that cannot run without a setting are off until one is
        // given.
        assert_eq!(p.mode(ActionKind::AttachBedrockGuardrail), Mode::Off);
        assert_eq!(p.mode(ActionKind::AttachPermissionsBoundary), Mode::Off);
        assert_eq!(
            p.mode(ActionKind::EnableBedrockInvocationLogging),
            Mode::Off
        );
        // No policy file at all is the same as an empty one.
        assert_eq!(RemediationPolicy::default(), p);
        let auto = RemediationPolicy::parse(r#"{"default_mode": "auto"}"#).unwrap();
        assert_eq!(auto.mode(ActionKind::RotateSecret), Mode::Auto);
    }

    #[test]
    fn unknown_names_are_errors_that_name_them() {
        assert!(err(r#"{"default_mod": "auto"}"#).contains("unknown key `default_mod`"));
        let e = err(r#"{"actions": {"delete_bucket": {}}}"#);
        assert!(
            e.contains("actions.delete_bucket") && e.contains("unknown action `delete_bucket`"),
            "{e}"
        );
        let e = err(r#"{"actions": {"rotate_secret": {"mode": "yolo"}}}"#);
        assert!(
            e.contains("actions.rotate_secret.mode") && e.contains("\"yolo\""),
            "{e}"
        );
        let e = err(r#"{"actions": {"rotate_secret": {"max_per_day": 3}}}"#);
        assert!(e.contains("unknown key `max_per_day`"), "{e}");
        // A setting of another action is unknown here.
        let e =
            err(r#"{"actions": {"rotate_secret": {"boundary_arn": "arn:aws:iam::1:policy/b"}}}"#);
        assert!(e.contains("unknown key `boundary_arn`"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"min_severity": "severe"}}}"#);
        assert!(e.contains("unknown severity \"severe\""), "{e}");
        assert!(err("[1]").contains("expected an object"));
        assert!(err("{").contains("not valid JSON"));
    }

    #[test]
    fn values_are_checked() {
        let e = err(r#"{"actions": {"rotate_secret": {"accounts": ["12345"]}}}"#);
        assert!(e.contains("`12345` is not a 12-digit account id"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"ous": ["engineering"]}}}"#);
        assert!(e.contains("not an OU id"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"min_risk": 101}}}"#);
        assert!(e.contains("risk score 0-100"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"max_per_run": -1}}}"#);
        assert!(e.contains("actions.rotate_secret.max_per_run"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"rotation_lambda_arn": "my-fn"}}}"#);
        assert!(e.contains("`my-fn` is not an ARN"), "{e}");
        let e = err(r#"{"actions": {"narrow_role_policy": {"keep_actions": ["logs"]}}}"#);
        assert!(
            e.contains("narrow_role_policy.keep_actions") && e.contains("`logs`"),
            "{e}"
        );
        let e = err(r#"{"actions": {"narrow_role_policy": {"min_age_days": 401}}}"#);
        assert!(e.contains("min_age_days") && e.contains("0-400"), "{e}");
        let e = err(r#"{"actions": {"deny_data_exfiltration": {"deny_actions": ["GetObject"]}}}"#);
        assert!(e.contains("not an IAM action"), "{e}");
        let e = err(r#"{"actions": {"rotate_secret": {"tags": {"team": 3}}}}"#);
        assert!(e.contains("actions.rotate_secret.tags.team"), "{e}");
        let e = err(r#"{"approval_ttl_hours": 0}"#);
        assert!(
            e.contains("approval_ttl_hours") && e.contains("at least 1"),
            "{e}"
        );
        let e = err(r#"{"approval_ttl_hours": 721}"#);
        assert!(e.contains("at most 720"), "{e}");
        let p = RemediationPolicy::parse(r#"{"approval_ttl_hours": 8}"#).unwrap();
        assert_eq!(p.approval_ttl_hours, 8);
        assert_eq!(
            RemediationPolicy::default().approval_ttl_hours,
            DEFAULT_APPROVAL_TTL_HOURS
        );
    }

    #[test]
    fn required_settings_are_required_unless_off() {
        let e = err(
            r#"{"actions": {"attach_bedrock_guardrail": {"mode": "auto", "guardrail_id": "g1"}}}"#,
        );
        assert!(e.contains("needs `guardrail_version`"), "{e}");
        let p = RemediationPolicy::parse(
            r#"{"actions": {"attach_bedrock_guardrail": {"mode": "off"}}}"#,
        );
        assert!(p.is_ok());
        let e = err(r#"{"actions": {"enable_bedrock_invocation_logging": {}}}"#);
        assert!(e.contains("`log_bucket` or `log_group`"), "{e}");
        let e =
            err(r#"{"actions": {"enable_bedrock_invocation_logging": {"log_group": "/aispm"}}}"#);
        assert!(e.contains("`log_role_arn`"), "{e}");
        let p = RemediationPolicy::parse(
            r#"{"actions": {"attach_permissions_boundary": {"mode": "approval",
                 "boundary_arn": "arn:aws:iam::111111111111:policy/ai-boundary"}}}"#,
        )
        .unwrap();
        assert_eq!(
            p.mode(ActionKind::AttachPermissionsBoundary),
            Mode::Approval
        );
    }
}
