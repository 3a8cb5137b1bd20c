use serde::{Deserialize, Serialize};

/// Whether a collector (or a rule's inputs) could be assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// The data was read completely.
    Assessed,
    /// The data could not be read; see the reason. Never a pass.
    NotAssessed,
}

/// Why something could not be assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAssessedReason {
    /// The service answered AccessDenied (or an equivalent code).
    AccessDenied,
    /// The API is not available here (not offered in the region, or not
    /// implemented by the endpoint answering).
    ApiUnavailable,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// No answer in time.
    Timeout,
    /// The service kept failing (an AWS error document with a 5xx, or 502,
    /// 503, 504) after every retry, including the scan's second pass.
    ServiceError,
    /// `sts:AssumeRole` into the account failed, so nothing in it was read.
    AssumeRoleFailed,
    /// The API answered without a field the check needs (seen on emulators
    /// and on resources created before the field existed).
    NotReported,
    /// A policy document the IAM engine cannot parse, so the rules that read
    /// it cannot judge the resource.
    PolicyNotUnderstood,
    /// A listing longer than aispm reads: the most recent and active items
    /// were read, the detail counts the rest.
    Bounded,
    /// Any other error; the detail says which.
    Error,
}

impl NotAssessedReason {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::ApiUnavailable => "api_unavailable",
            Self::Throttled => "throttled",
            Self::Timeout => "timeout",
            Self::ServiceError => "service_error",
            Self::AssumeRoleFailed => "assume_role_failed",
            Self::NotReported => "not_reported",
            Self::PolicyNotUnderstood => "policy_not_understood",
            Self::Bounded => "bounded",
            Self::Error => "error",
        }
    }
}

/// One (account, region, collector) outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// The collector id (e.g. `sagemaker.notebook_instances`), or `account` for
    /// an account that could not be entered at all.
    pub collector: String,
    /// Assessed or not.
    pub status: CoverageStatus,
    /// Why not, when not assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<NotAssessedReason>,
    /// The error text, when not assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a rule's gap (`collector` = `rule:<id>`): the collector whose
    /// input was missing, or `policy` for a document the engine cannot read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

impl Coverage {
    /// An assessed record.
    pub fn assessed(account_id: &str, region: &str, collector: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            collector: collector.to_owned(),
            status: CoverageStatus::Assessed,
            reason: None,
            detail: None,
            input: None,
        }
    }

    /// A not-assessed record.
    pub fn not_assessed(
        account_id: &str,
        region: &str,
        collector: &str,
        reason: NotAssessedReason,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            collector: collector.to_owned(),
            status: CoverageStatus::NotAssessed,
            reason: Some(reason),
            detail: Some(detail.into()),
            input: None,
        }
    }

    /// A rule that could not be judged in (account, region) because its
    /// `input` (a collector, or `policy`) was not assessed.
    pub fn rule_gap(
        account_id: &str,
        region: &str,
        rule_id: &str,
        input: &str,
        reason: NotAssessedReason,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            input: Some(input.to_owned()),
            ..Self::not_assessed(
                account_id,
                region,
                &format!("rule:{rule_id}"),
                reason,
                detail,
            )
        }
    }

    /// The rule id of a rule's gap.
    pub fn rule_id(&self) -> Option<&str> {
        self.collector.strip_prefix("rule:")
    }

    /// Whether a later attempt may succeed (throttling, time, a failing
    /// service): the scan runs such a collector once more at the end.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.reason,
            Some(
                NotAssessedReason::Throttled
                    | NotAssessedReason::Timeout
                    | NotAssessedReason::ServiceError
            )
        )
    }

    /// True when assessed.
    pub fn is_assessed(&self) -> bool {
        self.status == CoverageStatus::Assessed
    }
}

/// One rule x scope that could not be judged, as an element of the findings
/// array (`aispm scan --format json`, `findings list`): a consumer that reads
/// only the array sees the gap instead of mistaking silence for a pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotAssessed {
    /// Always `not_assessed` (findings say `open`, `resolved`, ...).
    pub status: NotAssessedStatus,
    /// The rule.
    pub rule_id: String,
    /// Its title.
    pub title: String,
    /// The account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// The collector whose data was missing (`policy` for a document the
    /// engine cannot read).
    pub collector: String,
    /// Why.
    pub reason: NotAssessedReason,
    /// The error text.
    pub detail: String,
}

/// The `status` of a [`NotAssessed`] element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAssessedStatus {
    /// Could not be judged.
    NotAssessed,
}
