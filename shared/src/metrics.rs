//! Posture metrics, computed from what the store holds for an organization:
//! the asset graph, coverage (collectors and rules), finding states and their
//! history. Pure: the CLI reads the store and calls [`compute`].
//!
//! - governance: AI workloads with an owner / a purpose tag, shadow AI (no
//!   owner);
//! - mapping: models and agents linked to data, identities, tools, endpoints;
//! - coverage: collector records assessed vs not (by reason), and rule gaps
//!   (`rule:<id>` records: a rule that could not judge, never a pass);
//! - findings by status and severity;
//! - time to remediate by rule family: from each `opened`/`reopened` event to
//!   the `resolved` that follows it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{AssetType, EdgeKind, FindingStatus, Inventory, Severity};
use crate::rules::RuleConfig;
use crate::store::{EventKind, FindingEvent, FindingState};

/// A count and its share of a total, in percent (one decimal).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// How many.
    pub count: usize,
    /// Of how many.
    pub total: usize,
    /// `count / total` in percent; 0 when the total is 0.
    pub percent: f64,
}

impl Share {
    fn of(count: usize, total: usize) -> Self {
        let percent = if total == 0 {
            0.0
        } else {
            (count as f64 * 1000.0 / total as f64).round() / 10.0
        };
        Self {
            count,
            total,
            percent,
        }
    }
}

/// Governance of AI workloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Governance {
    /// AI workloads with an owner tag.
    pub with_owner: Share,
    /// AI workloads with a purpose tag.
    pub with_purpose: Share,
    /// AI workloads without an owner (shadow AI).
    pub shadow_ai: usize,
}

/// How well models and agents are mapped to what surrounds them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    /// Models (SageMaker and Bedrock custom) linked to the data they use.
    pub models_to_data: Share,
    /// Models linked to the identity they run as.
    pub models_to_identities: Share,
    /// Models served by an endpoint (or provisioned throughput).
    pub models_to_endpoints: Share,
    /// Agents linked to their execution role.
    pub agents_to_identities: Share,
    /// Agents linked to at least one tool.
    pub agents_to_tools: Share,
    /// Agents linked to a knowledge base (data).
    pub agents_to_data: Share,
}

/// What could and could not be assessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageMetrics {
    /// Collector records assessed.
    pub assessed: usize,
    /// Collector records not assessed.
    pub not_assessed: usize,
    /// Not-assessed collector records by reason.
    pub not_assessed_by_reason: BTreeMap<String, usize>,
    /// Rule gaps (a rule that could not judge an account and region), by rule.
    pub rule_gaps: BTreeMap<String, usize>,
}

/// Remediation times of one rule family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remediation {
    /// Findings remediated (resolved after being opened).
    pub remediated: usize,
    /// Of those, the ones aispm fixed: a remediation action changed the
    /// finding's resource before it resolved.
    pub by_aispm: usize,
    /// Mean time to remediate, hours.
    pub mean_hours: f64,
    /// Median time to remediate, hours.
    pub median_hours: f64,
}

/// All posture metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// AI workloads in the inventory.
    pub ai_assets: usize,
    /// Owner, purpose, shadow AI.
    pub governance: Governance,
    /// Models and agents mapped.
    pub mapping: Mapping,
    /// Coverage.
    pub coverage: CoverageMetrics,
    /// Findings by status.
    pub findings_by_status: BTreeMap<String, usize>,
    /// Open findings by severity.
    pub open_by_severity: BTreeMap<String, usize>,
    /// Time to remediate by rule family (`s3`, `identity`...).
    pub time_to_remediate: BTreeMap<String, Remediation>,
    /// What became of the high and critical findings.
    pub high_risk: Handling,
}

/// The seeds' maturity signal: high-risk findings accepted, remediated or
/// escalated (ticketed), and those nobody has dealt with.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Handling {
    /// High and critical findings, every status.
    pub total: usize,
    /// Resolved.
    pub remediated: usize,
    /// Accepted as a risk (or suppressed) by a person.
    pub accepted: usize,
    /// Open, with a ticket in some sink.
    pub escalated: usize,
    /// Open, without a ticket.
    pub unhandled: usize,
}

/// [`Handling`] of `findings`, given the ids of the findings with a ticket.
pub fn handling(findings: &[FindingState], ticketed: &BTreeSet<String>) -> Handling {
    let mut h = Handling::default();
    for f in findings.iter().filter(|f| f.severity >= Severity::High) {
        h.total += 1;
        match f.status {
            FindingStatus::Resolved => h.remediated += 1,
            FindingStatus::RiskAccepted | FindingStatus::Suppressed => h.accepted += 1,
            FindingStatus::Open if ticketed.contains(&f.finding_id) => h.escalated += 1,
            FindingStatus::Open => h.unhandled += 1,
        }
    }
    h
}

fn has_tag(a: &crate::model::Asset, keys: &[String]) -> bool {
    keys.iter().any(|k| a.tag(k).is_some_and(|v| !v.is_empty()))
}

/// Unix seconds of an RFC 3339 timestamp.
fn secs(at: &str) -> Option<f64> {
    aws_smithy_types::DateTime::from_str(at, aws_smithy_types::date_time::Format::DateTime)
        .ok()
        .map(|d| d.as_secs_f64())
}

/// Computes the metrics. `history` holds each finding's events (any order);
/// findings without history count in status totals only.
pub fn compute(
    inv: &Inventory,
    findings: &[FindingState],
    history: &[(String, Vec<FindingEvent>)],
    ticketed: &BTreeSet<String>,
    cfg: &RuleConfig,
) -> Metrics {
    let ai: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| a.asset_type.is_ai_workload())
        .collect();
    let owned = ai
        .iter()
        .filter(|a| has_tag(a, &cfg.owner_tag_keys))
        .count();
    let purposed = ai
        .iter()
        .filter(|a| has_tag(a, &cfg.purpose_tag_keys))
        .count();

    let linked =
        |arn: &str, kinds: &[EdgeKind]| inv.edges_from(arn).any(|e| kinds.contains(&e.kind));
    let served = |arn: &str| {
        inv.edges_to(arn)
            .any(|e| matches!(e.kind, EdgeKind::ServesModel | EdgeKind::UsesModel))
    };
    let models: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| {
            matches!(
                a.asset_type,
                AssetType::SagemakerModel | AssetType::BedrockCustomModel
            )
        })
        .collect();
    let agents: Vec<_> = inv
        .assets
        .iter()
        .filter(|a| {
            matches!(
                a.asset_type,
                AssetType::BedrockAgent | AssetType::BedrockAgentcoreRuntime
            )
        })
        .collect();
    let count = |xs: &[&crate::model::Asset], f: &dyn Fn(&str) -> bool| {
        Share::of(xs.iter().filter(|a| f(&a.arn)).count(), xs.len())
    };
    let mapping = Mapping {
        models_to_data: count(&models, &|arn| {
            linked(arn, &[EdgeKind::ArtifactIn, EdgeKind::ReadsData])
                || inv.edges_to(arn).any(|e| e.kind == EdgeKind::Produces)
        }),
        models_to_identities: count(&models, &|arn| {
            linked(arn, &[EdgeKind::ExecutesAs])
                || inv.edges_to(arn).any(|e| e.kind == EdgeKind::Produces)
        }),
        models_to_endpoints: count(&models, &served),
        agents_to_identities: count(&agents, &|arn| linked(arn, &[EdgeKind::ExecutesAs])),
        agents_to_tools: count(&agents, &|arn| linked(arn, &[EdgeKind::InvokesTool])),
        agents_to_data: count(&agents, &|arn| linked(arn, &[EdgeKind::UsesKnowledgeBase])),
    };

    let mut coverage = CoverageMetrics {
        assessed: 0,
        not_assessed: 0,
        not_assessed_by_reason: BTreeMap::new(),
        rule_gaps: BTreeMap::new(),
    };
    for c in &inv.coverage {
        if let Some(rule) = c.collector.strip_prefix("rule:") {
            if !c.is_assessed() {
                *coverage.rule_gaps.entry(rule.to_owned()).or_default() += 1;
            }
        } else if c.is_assessed() {
            coverage.assessed += 1;
        } else {
            coverage.not_assessed += 1;
            let reason = c.reason.map_or("unknown", |r| r.as_str());
            *coverage
                .not_assessed_by_reason
                .entry(reason.to_owned())
                .or_default() += 1;
        }
    }

    let mut findings_by_status = BTreeMap::new();
    let mut open_by_severity = BTreeMap::new();
    for f in findings {
        *findings_by_status
            .entry(f.status.as_str().to_owned())
            .or_default() += 1;
        if f.status == FindingStatus::Open {
            *open_by_severity
                .entry(f.severity.as_str().to_owned())
                .or_default() += 1;
        }
    }

    let mut durations: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut by_aispm: BTreeMap<String, usize> = BTreeMap::new();
    for (rule_id, events) in history {
        let family = rule_id.split('_').next().unwrap_or(rule_id).to_owned();
        let mut events: Vec<&FindingEvent> = events.iter().collect();
        events.sort_by(|a, b| a.at.cmp(&b.at));
        let mut opened: Option<f64> = None;
        let mut fixed = false;
        for e in events {
            match e.kind {
                EventKind::Opened | EventKind::Reopened => {
                    opened = secs(&e.at);
                    fixed = false;
                }
                // The note is `<action> <action id>: <status>[ (reason)]`; the
                // rescan that verifies a change resolves the finding before
                // the `verified` note is written, so `applied` precedes it.
                EventKind::Remediation => {
                    fixed |= e
                        .note
                        .as_deref()
                        .is_some_and(|n| n.contains(": applied") || n.contains(": verified"));
                }
                EventKind::Resolved => {
                    if let (Some(start), Some(end)) = (opened.take(), secs(&e.at)) {
                        durations
                            .entry(family.clone())
                            .or_default()
                            .push((end - start).max(0.0) / 3600.0);
                        if fixed {
                            *by_aispm.entry(family.clone()).or_default() += 1;
                        }
                    }
                    fixed = false;
                }
                _ => {}
            }
        }
    }
    let time_to_remediate = durations
        .into_iter()
        .map(|(family, mut hours)| {
            hours.sort_by(f64::total_cmp);
            let n = hours.len();
            let mean = hours.iter().sum::<f64>() / n as f64;
            let median = if n % 2 == 1 {
                hours[n / 2]
            } else {
                (hours[n / 2 - 1] + hours[n / 2]) / 2.0
            };
            let round = |x: f64| (x * 100.0).round() / 100.0;
            let fixed = by_aispm.get(&family).copied().unwrap_or(0);
            (
                family,
                Remediation {
                    by_aispm: fixed,
                    remediated: n,
                    mean_hours: round(mean),
                    median_hours: round(median),
                },
            )
        })
        .collect();

    Metrics {
        ai_assets: ai.len(),
        governance: Governance {
            with_owner: Share::of(owned, ai.len()),
            with_purpose: Share::of(purposed, ai.len()),
            shadow_ai: ai.len() - owned,
        },
        mapping,
        coverage,
        findings_by_status,
        open_by_severity,
        time_to_remediate,
        high_risk: handling(findings, ticketed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Asset, Coverage, Edge, Evidence, NotAssessedReason};

    fn state(id: &str, rule: &str, status: FindingStatus) -> FindingState {
        let mut s: FindingState = serde_json::from_value(serde_json::json!({
            "finding_id": id, "rule_id": rule, "title": "t", "severity": "high", "risk_score": 60,
            "status": "open", "account_id": "1", "region": "global", "scope": "global", "resource_arn": "arn:x",
            "resource_type": "s3_bucket", "first_seen": "2026-11-01T00:00:00Z",
            "last_seen": "2026-11-01T00:00:00Z", "occurrence": 1, "detail_hash": "h", "version": 1
        }))
        .unwrap();
        s.status = status;
        s
    }

    fn event(at: &str, kind: EventKind) -> FindingEvent {
        FindingEvent {
            finding_id: "f".into(),
            at: at.into(),
            kind,
            occurrence: 1,
            severity: Severity::High,
            risk_score: 60,
            by: None,
            note: None,
        }
    }

    #[test]
    fn counts_governance_mapping_coverage_statuses_and_remediation_times() {
        let mut owned = Asset::new(
            "arn:m/owned",
            AssetType::SagemakerModel,
            "owned",
            "1",
            "us-east-1",
        );
        owned.tags.insert("owner".into(), "ml".into());
        owned.tags.insert("purpose".into(), "scoring".into());
        let shadow = Asset::new(
            "arn:m/shadow",
            AssetType::SagemakerModel,
            "shadow",
            "1",
            "us-east-1",
        );
        let agent = Asset::new("arn:agent", AssetType::BedrockAgent, "a", "1", "us-east-1");
        let e = |f: &str, t: &str, k| Edge::new(f, t, k, Evidence::new("x", "y"));
        let inv = Inventory {
            assets: vec![owned, shadow, agent],
            edges: vec![
                e("arn:m/owned", "arn:aws:s3:::b", EdgeKind::ArtifactIn),
                e("arn:m/owned", "arn:role", EdgeKind::ExecutesAs),
                e("arn:cfg", "arn:m/owned", EdgeKind::ServesModel),
                e("arn:agent", "arn:fn", EdgeKind::InvokesTool),
            ],
            coverage: vec![
                Coverage::assessed("1", "us-east-1", "sagemaker.models"),
                Coverage::not_assessed(
                    "1",
                    "us-east-1",
                    "bedrock.guardrails",
                    NotAssessedReason::ApiUnavailable,
                    "500",
                ),
                Coverage::not_assessed(
                    "1",
                    "us-east-1",
                    "rule:bedrock_guardrail_prompt_attack_weak",
                    NotAssessedReason::ApiUnavailable,
                    "input",
                ),
            ],
            ..Inventory::default()
        };
        let findings = vec![
            state("a", "s3_x", FindingStatus::Open),
            state("b", "s3_x", FindingStatus::Resolved),
            state("c", "identity_y", FindingStatus::Suppressed),
        ];
        let history = vec![(
            "s3_x".to_owned(),
            vec![
                event("2026-11-01T00:00:00Z", EventKind::Opened),
                event("2026-11-01T10:00:00Z", EventKind::Resolved),
                event("2026-11-02T00:00:00Z", EventKind::Reopened),
                FindingEvent {
                    note: Some("deactivate_access_key rem-0123456789abcdef: applied".into()),
                    ..event("2026-11-02T01:00:00Z", EventKind::Remediation)
                },
                event("2026-11-02T02:00:00Z", EventKind::Resolved),
                FindingEvent {
                    note: Some("deactivate_access_key rem-0123456789abcdef: verified".into()),
                    ..event("2026-11-02T02:00:01Z", EventKind::Remediation)
                },
            ],
        )];
        let m = compute(
            &inv,
            &findings,
            &history,
            &BTreeSet::new(),
            &RuleConfig::default(),
        );
        assert_eq!(m.ai_assets, 3);
        assert_eq!(
            m.governance.with_owner,
            Share {
                count: 1,
                total: 3,
                percent: 33.3
            }
        );
        assert_eq!(m.governance.shadow_ai, 2);
        assert_eq!(m.mapping.models_to_data.count, 1);
        assert_eq!(m.mapping.models_to_endpoints.percent, 50.0);
        assert_eq!(m.mapping.agents_to_tools.percent, 100.0);
        assert_eq!(m.mapping.agents_to_identities.count, 0);
        assert_eq!(m.coverage.assessed, 1);
        assert_eq!(m.coverage.not_assessed_by_reason["api_unavailable"], 1);
        assert_eq!(
            m.coverage.rule_gaps["bedrock_guardrail_prompt_attack_weak"],
            1
        );
        assert_eq!(m.findings_by_status["open"], 1);
        assert_eq!(m.findings_by_status["resolved"], 1);
        assert_eq!(m.open_by_severity["high"], 1);
        let s3 = &m.time_to_remediate["s3"];
        assert_eq!(s3.remediated, 2);
        // The second resolution followed aispm's change.
        assert_eq!(s3.by_aispm, 1);
        assert_eq!(s3.mean_hours, 6.0);
        assert_eq!(s3.median_hours, 6.0);
    }

    #[test]
    fn high_risk_findings_count_as_remediated_accepted_escalated_or_unhandled() {
        let mut low = state("l", "s3_x", FindingStatus::Open);
        low.severity = Severity::Low;
        let findings = vec![
            state("a", "s3_x", FindingStatus::Open),
            state("b", "s3_x", FindingStatus::Open),
            state("c", "s3_x", FindingStatus::Resolved),
            state("d", "s3_x", FindingStatus::RiskAccepted),
            low,
        ];
        let ticketed = BTreeSet::from(["a".to_owned(), "l".to_owned()]);
        assert_eq!(
            handling(&findings, &ticketed),
            Handling {
                total: 4,
                remediated: 1,
                accepted: 1,
                escalated: 1,
                unhandled: 1
            }
        );
    }
}
