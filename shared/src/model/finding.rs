use serde::{Deserialize, Serialize};

/// How bad a weakness is on its own, before context raises or lowers its risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Informational => "informational",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// Lifecycle state of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Observed and not dealt with.
    Open,
    /// No longer observed by a scan that could assess it.
    Resolved,
    /// Hidden on purpose, with a reason and an expiry.
    Suppressed,
    /// Accepted as a risk, with a reason, owner and expiry.
    RiskAccepted,
}

impl FindingStatus {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Suppressed => "suppressed",
            Self::RiskAccepted => "risk_accepted",
        }
    }
}

/// NIST AI RMF core functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NistAiRmf {
    /// Govern.
    Govern,
    /// Map.
    Map,
    /// Measure.
    Measure,
    /// Manage.
    Manage,
}

/// Framework mappings of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frameworks {
    /// OWASP Top 10 for LLM Applications 2025 ids (`LLM01`..`LLM10`).
    pub owasp_llm: Vec<String>,
    /// OWASP Top 10 for Agentic Applications 2026 ids (`ASI01`..`ASI10`);
    /// absent in findings stored before it existed.
    #[serde(default)]
    pub owasp_agentic: Vec<String>,
    /// MITRE ATLAS technique ids (`AML.T0010`).
    pub mitre_atlas: Vec<String>,
    /// NIST AI RMF functions.
    pub nist_ai_rmf: Vec<NistAiRmf>,
    /// AWS Security Hub control ids (`SageMaker.2`), where one exists.
    pub aws_security_hub: Vec<String>,
}

/// How to fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// What to do, for a person.
    pub text: String,
    /// The automated remediation action that can fix it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// One fact that supports a finding: which field of which API call had which value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingEvidence {
    /// `service:Operation` the value came from.
    pub source: String,
    /// The field read.
    pub field: String,
    /// The value seen.
    pub value: serde_json::Value,
}

impl FindingEvidence {
    /// Evidence from an API field.
    pub fn new(source: &str, field: &str, value: impl Into<serde_json::Value>) -> Self {
        Self {
            source: source.to_owned(),
            field: field.to_owned(),
            value: value.into(),
        }
    }
}

/// One weakness on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id derived from the rule and the resource.
    pub id: String,
    /// The rule that produced it.
    pub rule_id: String,
    /// Short title.
    pub title: String,
    /// Severity of the weakness.
    pub severity: Severity,
    /// Risk score 0-100 in context (see `risk`).
    pub risk_score: u8,
    /// Lifecycle state.
    pub status: FindingStatus,
    /// The account of the resource.
    pub account_id: String,
    /// The region of the resource, or `global`.
    pub region: String,
    /// The resource ARN: always one AWS knows (an access key's finding
    /// names its user, and the key in `access_key_id`).
    pub resource_arn: String,
    /// The resource type.
    pub resource_type: super::AssetType,
    /// On an access key's finding, the key id (`AKIA...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The facts behind it.
    pub evidence: Vec<FindingEvidence>,
    /// How to fix it.
    pub remediation: Remediation,
    /// Framework mappings.
    pub frameworks: Frameworks,
    /// Linked findings: on an attack path, the findings on the assets it
    /// crosses; on one of those, the attack paths it is part of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// Why a finding is suppressed or accepted, by whom, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    /// `suppressed` or `risk_accepted`.
    pub status: FindingStatus,
    /// Why.
    pub reason: String,
    /// Who owns the decision.
    pub owner: String,
    /// RFC 3339 time after which the finding is open again.
    pub expires_at: String,
    /// When it was set.
    pub set_at: String,
}
