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
    /// `sts:AssumeRole` into the account failed, so nothing in it was read.
    AssumeRoleFailed,
    /// The API answered without a field the check needs (seen on emulators
    /// and on resources created before the field existed).
    NotReported,
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
            Self::AssumeRoleFailed => "assume_role_failed",
            Self::NotReported => "not_reported",
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
        }
    }

    /// True when assessed.
    pub fn is_assessed(&self) -> bool {
        self.status == CoverageStatus::Assessed
    }
}
