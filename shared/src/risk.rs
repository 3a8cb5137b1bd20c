//! The risk score, 0-100, in one place.
//!
//! `score = base(severity) + production + sensitive data + exposure + AI data`,
//! capped at 100, where
//! - base: critical 80, high 60, medium 40, low 20, informational 5;
//! - production (+10): the resource, or an AI asset using it, has an environment
//!   tag of `prod` or `production`;
//! - sensitive data (+10): a classification tag of `confidential`, `restricted`,
//!   `sensitive`, `pii` or `secret` on the resource;
//! - exposure (+10): the rule's finding means internet, anonymous or outside
//!   access;
//! - AI data (+5): the resource is read or written by an AI workload (edges).
//!
//! So a public production training bucket outranks a dev notebook setting.
//!
//! Attack paths (`path_*` rules) score the same way on their head asset and
//! are then raised to at least the riskiest finding on the assets they cross
//! plus [`PATH_MARGIN`] (capped at 100, and sorted first on a tie): a chain is
//! never ranked below one of its links. Blast radius enters through the path
//! rules themselves: they exist only when the IAM engine shows the identity
//! on the path reaches data, models or an outbound channel.

use crate::model::{Asset, Inventory, Severity};

/// How far an attack path ranks above the riskiest finding on its parts.
pub const PATH_MARGIN: u8 = 5;

/// The base score of a severity.
pub fn base(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 80,
        Severity::High => 60,
        Severity::Medium => 40,
        Severity::Low => 20,
        Severity::Informational => 5,
    }
}

fn tag_in(asset: &Asset, keys: &[String], values: &[&str]) -> bool {
    keys.iter().any(|k| {
        asset
            .tag(k)
            .is_some_and(|v| values.iter().any(|x| v.eq_ignore_ascii_case(x)))
    })
}

const PROD: &[&str] = &["prod", "production"];
const SENSITIVE: &[&str] = &["confidential", "restricted", "sensitive", "pii", "secret"];

/// The tag keys the score reads (configurable, see `RuleConfig`).
#[derive(Debug, Clone, Copy)]
pub struct TagKeys<'a> {
    /// Keys naming the environment (`prod`, `production` count).
    pub environment: &'a [String],
    /// Keys naming data sensitivity.
    pub classification: &'a [String],
}

/// The risk score of a weakness of `severity` on `asset`; `exposure` says
/// whether it means internet, anonymous or outside access.
pub fn score(
    severity: Severity,
    exposure: bool,
    asset: Option<&Asset>,
    inv: &Inventory,
    keys: TagKeys<'_>,
) -> u8 {
    let mut s = u32::from(base(severity));
    if let Some(a) = asset {
        let users: Vec<&Asset> = inv
            .edges_to(&a.arn)
            .filter_map(|e| inv.asset(&e.from))
            .collect();
        let prod = tag_in(a, keys.environment, PROD)
            || users.iter().any(|u| tag_in(u, keys.environment, PROD));
        if prod {
            s += 10;
        }
        if tag_in(a, keys.classification, SENSITIVE) {
            s += 10;
        }
        if users.iter().any(|u| {
            u.asset_type.is_ai_workload()
                || u.asset_type == crate::model::AssetType::SagemakerTrainingJob
        }) {
            s += 5;
        }
    }
    if exposure {
        s += 10;
    }
    u8::try_from(s.min(100)).unwrap_or(100)
}
