//! Suppressions from a configuration file: rule id and resource pattern,
//! reason, owner and expiry. A matching finding stays visible with status
//! `suppressed` (and its reason); when the entry expires the finding is open
//! again. The file is JSON:
//!
//! ```json
//! {"suppressions": [{
//!   "rule": "sagemaker_endpoint_config_single_instance",
//!   "resource": "arn:aws:sagemaker:*:*:endpoint-config/dev-*",
//!   "reason": "dev endpoints run on one instance by design",
//!   "owner": "ml-platform@example.com",
//!   "expires": "2027-03-31T00:00:00Z"
//! }]}
//! ```
//!
//! `rule` is a rule id (or `*`); `resource` an ARN pattern where `*` matches
//! any run of characters and `?` one. Every field is required: a suppression
//! nobody owns, or that never ends, is a finding nobody will look at again.

use serde::Deserialize;

use crate::model::{Disposition, Finding, FindingStatus};
use crate::store::{FindingState, FindingWrites, StoreError, apply_with_retry};

/// A suppressions file that cannot be used; the message names the entry and
/// the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SuppressionError {
    /// Not valid JSON, or not the expected shape.
    #[error("suppressions: {0}")]
    Parse(String),
    /// An entry with a missing or invalid field.
    #[error("suppressions[{index}].{field}: {message}")]
    Invalid {
        /// The entry's position.
        index: usize,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// One suppression.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Rule id, or `*` for every rule.
    pub rule: String,
    /// ARN pattern (`*`, `?` wildcards).
    pub resource: String,
    /// Why it is suppressed.
    pub reason: String,
    /// Who owns the decision.
    pub owner: String,
    /// RFC 3339 time when it ends.
    pub expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    suppressions: Vec<Suppression>,
}

/// The suppressions in force, from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    entries: Vec<Suppression>,
}

/// An RFC 3339 time, normalised to `YYYY-MM-DDTHH:MM:SS[.fff]Z` so that
/// string order is time order (as the store's timestamps are).
fn normalise_time(s: &str) -> Option<String> {
    let t = aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
        .ok()?;
    t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()
}

impl Suppressions {
    /// Parses and validates a suppressions file.
    pub fn parse(text: &str) -> Result<Self, SuppressionError> {
        let file: File =
            serde_json::from_str(text).map_err(|e| SuppressionError::Parse(e.to_string()))?;
        let mut entries = Vec::with_capacity(file.suppressions.len());
        for (index, mut s) in file.suppressions.into_iter().enumerate() {
            let invalid = |field, message: &str| SuppressionError::Invalid {
                index,
                field,
                message: message.to_owned(),
            };
            if s.rule != "*" && crate::rules::rule(&s.rule).is_none() {
                return Err(invalid(
                    "rule",
                    &format!("unknown rule `{}` (see `aispm rules list`)", s.rule),
                ));
            }
            if s.resource.trim().is_empty() {
                return Err(invalid(
                    "resource",
                    "empty: use `*` to match every resource",
                ));
            }
            if s.reason.trim().is_empty() {
                return Err(invalid("reason", "empty"));
            }
            if s.owner.trim().is_empty() {
                return Err(invalid("owner", "empty"));
            }
            s.expires = normalise_time(&s.expires).ok_or_else(|| {
                invalid(
                    "expires",
                    &format!("`{}` is not an RFC 3339 time", s.expires),
                )
            })?;
            entries.push(s);
        }
        Ok(Self { entries })
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry in force at `now` (RFC 3339) that matches the finding.
    pub fn matching(&self, rule_id: &str, resource_arn: &str, now: &str) -> Option<&Suppression> {
        let now = normalise_time(now).unwrap_or_else(|| now.to_owned());
        self.entries.iter().find(|s| {
            s.expires.as_str() > now.as_str()
                && (s.rule == "*" || s.rule == rule_id)
                && crate::iam::pattern::wildcard_match(&s.resource, resource_arn)
        })
    }

    /// Marks the findings an entry in force at `now` matches as suppressed
    /// (for output without a store; the pipeline records a disposition).
    pub fn apply(&self, findings: &mut [Finding], now: &str) -> usize {
        let mut n = 0;
        for f in findings.iter_mut() {
            if let Some(s) = self.matching(&f.rule_id, &f.resource_arn, now) {
                f.status = FindingStatus::Suppressed;
                f.evidence.push(crate::model::FindingEvidence::new(
                    "aispm:suppressions",
                    "suppressed",
                    serde_json::json!({"reason": s.reason, "owner": s.owner, "expires": s.expires}),
                ));
                n += 1;
            }
        }
        n
    }
}

impl Suppression {
    /// The store disposition this entry sets, as of `now`.
    pub fn disposition(&self, now: &str) -> Disposition {
        Disposition {
            status: FindingStatus::Suppressed,
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            expires_at: self.expires.clone(),
            set_at: now.to_owned(),
        }
    }

    /// Whether a stored disposition is the one this entry sets.
    pub fn is_set_by(&self, d: &Disposition) -> bool {
        d.status == FindingStatus::Suppressed
            && d.reason == self.reason
            && d.owner == self.owner
            && d.expires_at == self.expires
    }
}

/// Records the configured suppressions on the observed findings they match
/// (once: an unchanged entry is not written again). Expired entries match
/// nothing, so the lifecycle reopens what they suppressed. Returns how many
/// findings changed.
pub(super) async fn record<S: FindingWrites>(
    store: &S,
    suppressions: &Suppressions,
    account_id: &str,
    at: &str,
    observed: &[Finding],
) -> Result<u64, StoreError> {
    let mut changed = 0;
    for f in observed {
        let Some(entry) = suppressions.matching(&f.rule_id, &f.resource_arn, at) else {
            continue;
        };
        let replan = |current: Option<&FindingState>| {
            current
                .filter(|c| !c.disposition.as_ref().is_some_and(|d| entry.is_set_by(d)))
                .map(|c| super::lifecycle::dispose(c, entry.disposition(at), "suppressions"))
        };
        let Some(first) = replan(store.state(account_id, &f.id).await?.as_ref()) else {
            continue;
        };
        if apply_with_retry(store, first, replan).await?.is_some() {
            changed += 1;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"suppressions": [{
        "rule": "sagemaker_endpoint_config_single_instance",
        "resource": "arn:aws:sagemaker:*:*:endpoint-config/dev-*",
        "reason": "dev endpoints run on one instance", "owner": "ml-platform",
        "expires": "2027-03-31T00:00:00Z"}]}"#;

    #[test]
    fn matches_rule_and_resource_pattern_until_expiry() {
        let s = Suppressions::parse(FILE).unwrap();
        let dev = "arn:aws:sagemaker:us-east-1:1:endpoint-config/dev-llm";
        let rule = "sagemaker_endpoint_config_single_instance";
        assert!(s.matching(rule, dev, "2026-11-24T00:00:00Z").is_some());
        assert!(
            s.matching(
                rule,
                "arn:aws:sagemaker:us-east-1:1:endpoint-config/prod-llm",
                "2026-11-24T00:00:00Z"
            )
            .is_none()
        );
        assert!(
            s.matching(
                "sagemaker_endpoint_config_without_kms",
                dev,
                "2026-11-24T00:00:00Z"
            )
            .is_none()
        );
        assert!(
            s.matching(rule, dev, "2027-03-31T00:00:00Z").is_none(),
            "expired entries reopen"
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let cases = [
            (
                r#"{"suppressions": [{"rule": "nope", "resource": "*", "reason": "r", "owner": "o", "expires": "2027-01-01T00:00:00Z"}]}"#,
                "suppressions[0].rule: unknown rule `nope`",
            ),
            (
                r#"{"suppressions": [{"rule": "*", "resource": "*", "reason": " ", "owner": "o", "expires": "2027-01-01T00:00:00Z"}]}"#,
                "suppressions[0].reason: empty",
            ),
            (
                r#"{"suppressions": [{"rule": "*", "resource": "*", "reason": "r", "owner": "o", "expires": "next year"}]}"#,
                "suppressions[0].expires: `next year` is not an RFC 3339 time",
            ),
            (
                r#"{"suppressions": [{"rule": "*", "resource": "*", "reason": "r", "expires": "2027-01-01T00:00:00Z"}]}"#,
                "missing field `owner`",
            ),
            ("[", "suppressions: EOF"),
        ];
        for (text, want) in cases {
            let err = Suppressions::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{err} lacks {want}");
        }
    }

    #[test]
    fn apply_marks_matches_suppressed_and_keeps_them_visible() {
        use crate::model::AssetType;
        use crate::rules::testkit::{asset, inv};
        let s = Suppressions::parse(FILE).unwrap();
        let config = |name: &str| {
            asset(
                AssetType::SagemakerEndpointConfig,
                &format!("arn:aws:sagemaker:us-east-1:1:endpoint-config/{name}"),
                serde_json::json!({"kms_key_id": "k", "variants": [{"initial_instance_count": 1}]}),
            )
        };
        let (mut findings, _) = crate::rules::evaluate(
            &inv(vec![config("dev-llm"), config("prod-llm")]),
            &crate::rules::RuleConfig::default(),
            crate::model::Timestamp::now(),
        );
        assert_eq!(findings.len(), 2);
        assert_eq!(s.apply(&mut findings, "2026-11-24T00:00:00Z"), 1);
        let dev = findings
            .iter()
            .find(|f| f.resource_arn.ends_with("dev-llm"))
            .unwrap();
        assert_eq!(dev.status, FindingStatus::Suppressed);
        assert!(
            dev.evidence
                .iter()
                .any(|e| e.source == "aispm:suppressions")
        );
        let prod = findings
            .iter()
            .find(|f| f.resource_arn.ends_with("prod-llm"))
            .unwrap();
        assert_eq!(prod.status, FindingStatus::Open);
        // After the expiry nothing is suppressed any more.
        let (mut later, _) = crate::rules::evaluate(
            &inv(vec![config("dev-llm")]),
            &crate::rules::RuleConfig::default(),
            crate::model::Timestamp::now(),
        );
        assert_eq!(s.apply(&mut later, "2027-04-01T00:00:00Z"), 0);
        let d = s.entries[0].disposition("2026-11-24T00:00:00Z");
        assert!(s.entries[0].is_set_by(&d));
        assert_eq!(d.expires_at, "2027-03-31T00:00:00Z");
    }
}
