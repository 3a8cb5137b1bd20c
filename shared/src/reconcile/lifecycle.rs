//! The finding lifecycle as a pure function: given what the store holds for one
//! account and scan scope, what a scan observed, and which rules could not look,
//! decide every write. The DynamoDB store only applies these changes, with a
//! version condition on each, so the decisions are tested here without AWS.
//!
//! The rules:
//! - a finding seen for the first time is `open`, occurrence 1;
//! - a finding seen again moves `last_seen` to the sweep's time; if it was
//!   `resolved` it is reopened as a new occurrence; a suppression or risk
//!   acceptance whose expiry has passed ends and the finding is `open` again;
//! - a finding not seen again is `resolved` only when its rule could assess this
//!   scope (no `rule:<id>` not-assessed record), never by a scan that could not
//!   look;
//! - a change from an older sweep than the one the store already holds is
//!   ignored (older than the finding's `last_seen` or `resolved_at`: a stale
//!   view never reopens what a later event resolved), and replaying the same
//!   sweep changes nothing (idempotent).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Disposition, Finding, FindingStatus};
use crate::store::{Change, EventKind, FindingDetail, FindingEvent, FindingState};

/// What one scan of one scope means for the findings it owns.
#[derive(Debug, Clone)]
pub struct Observation<'a> {
    /// The scope: `global` or a region.
    pub scope: &'a str,
    /// The sweep's time (RFC 3339, UTC, fixed width).
    pub at: &'a str,
    /// The sweep id, recorded on events.
    pub sweep_id: &'a str,
    /// Findings observed in this scope.
    pub observed: &'a [Finding],
    /// Rules that could not assess this scope: their findings are never resolved.
    pub blocked_rules: &'a BTreeSet<String>,
}

/// Every change for one scope: `existing` are the stored states of this scope.
pub fn plan(existing: &[FindingState], obs: &Observation<'_>) -> Vec<Change> {
    let stored: BTreeMap<&str, &FindingState> = existing
        .iter()
        .filter(|s| s.scope == obs.scope)
        .map(|s| (s.finding_id.as_str(), s))
        .collect();
    let seen: BTreeMap<&str, &Finding> = obs.observed.iter().map(|f| (f.id.as_str(), f)).collect();
    let ids: BTreeSet<&str> = stored.keys().chain(seen.keys()).copied().collect();
    ids.into_iter()
        .filter_map(|id| plan_one(stored.get(id).copied(), seen.get(id).copied(), obs))
        .collect()
}

/// The change for one finding, if any. Used again after a version conflict
/// with the freshly read state.
pub fn plan_one(
    existing: Option<&FindingState>,
    observed: Option<&Finding>,
    obs: &Observation<'_>,
) -> Option<Change> {
    match (existing, observed) {
        (None, None) => None,
        (None, Some(f)) => Some(opened(f, obs)),
        (Some(s), Some(f)) => seen_again(s, f, obs),
        (Some(s), None) => not_seen(s, obs),
    }
}

fn event(s: &FindingState, kind: EventKind, obs: &Observation<'_>) -> FindingEvent {
    FindingEvent {
        finding_id: s.finding_id.clone(),
        at: obs.at.to_owned(),
        kind,
        occurrence: s.occurrence,
        severity: s.severity,
        risk_score: s.risk_score,
        by: Some(obs.sweep_id.to_owned()),
        note: None,
    }
}

fn opened(f: &Finding, obs: &Observation<'_>) -> Change {
    let detail = FindingDetail::of(f);
    let state = FindingState {
        finding_id: f.id.clone(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        severity: f.severity,
        risk_score: f.risk_score,
        status: FindingStatus::Open,
        account_id: f.account_id.clone(),
        region: f.region.clone(),
        scope: obs.scope.to_owned(),
        resource_arn: f.resource_arn.clone(),
        resource_type: f.resource_type,
        access_key_id: f.access_key_id.clone(),
        first_seen: obs.at.to_owned(),
        last_seen: obs.at.to_owned(),
        resolved_at: None,
        occurrence: 1,
        disposition: None,
        detail_hash: detail.hash(),
        version: 1,
    };
    let events = vec![event(&state, EventKind::Opened, obs)];
    Change {
        state,
        expected_version: None,
        detail: Some(detail),
        events,
    }
}

fn seen_again(s: &FindingState, f: &Finding, obs: &Observation<'_>) -> Option<Change> {
    // A later sweep or event already wrote this finding: seen later, or
    // resolved later (a stale view must not reopen it).
    let latest = s
        .resolved_at
        .as_deref()
        .map_or(s.last_seen.as_str(), |r| r.max(s.last_seen.as_str()));
    if latest > obs.at {
        return None;
    }
    let detail = FindingDetail::of(f);
    let mut next = s.clone();
    let mut events = Vec::new();
    next.last_seen = obs.at.to_owned();
    next.title = f.title.clone();
    next.resource_type = f.resource_type;
    next.region = f.region.clone();
    if s.status == FindingStatus::Resolved {
        next.status = FindingStatus::Open;
        next.occurrence = s.occurrence + 1;
        next.resolved_at = None;
        next.severity = f.severity;
        next.risk_score = f.risk_score;
        events.push(event(&next, EventKind::Reopened, obs));
    } else if s.severity != f.severity || s.risk_score != f.risk_score {
        next.severity = f.severity;
        next.risk_score = f.risk_score;
        events.push(event(&next, EventKind::RiskChanged, obs));
    }
    if let Some(d) = &s.disposition
        && d.expires_at.as_str() <= obs.at
    {
        next.disposition = None;
        if next.status != FindingStatus::Resolved {
            next.status = FindingStatus::Open;
        }
        let mut e = event(&next, EventKind::DispositionExpired, obs);
        e.note = Some(format!("{} until {}", d.status.as_str(), d.expires_at));
        events.push(e);
    }
    let new_detail = (detail.hash() != s.detail_hash).then(|| {
        next.detail_hash = detail.hash();
        detail
    });
    if next == *s {
        return None; // replay of a sweep already applied
    }
    next.version = s.version + 1;
    Some(Change {
        state: next,
        expected_version: Some(s.version),
        detail: new_detail,
        events,
    })
}

fn not_seen(s: &FindingState, obs: &Observation<'_>) -> Option<Change> {
    if s.status == FindingStatus::Resolved
        || obs.blocked_rules.contains(&s.rule_id)
        || s.last_seen.as_str() >= obs.at
    {
        return None;
    }
    let mut next = s.clone();
    next.status = FindingStatus::Resolved;
    next.resolved_at = Some(obs.at.to_owned());
    next.version = s.version + 1;
    let events = vec![event(&next, EventKind::Resolved, obs)];
    Some(Change {
        state: next,
        expected_version: Some(s.version),
        detail: None,
        events,
    })
}

/// Sets or replaces a person's disposition (suppress or accept). A resolved
/// finding keeps its status; the disposition applies if it comes back.
pub fn dispose(s: &FindingState, d: Disposition, by: &str) -> Change {
    let mut next = s.clone();
    let kind = if d.status == FindingStatus::Suppressed {
        EventKind::Suppressed
    } else {
        EventKind::RiskAccepted
    };
    if next.status != FindingStatus::Resolved {
        next.status = d.status;
    }
    let ev = FindingEvent {
        finding_id: s.finding_id.clone(),
        at: d.set_at.clone(),
        kind,
        occurrence: s.occurrence,
        severity: s.severity,
        risk_score: s.risk_score,
        by: Some(by.to_owned()),
        note: Some(format!(
            "{} (owner {}, until {})",
            d.reason, d.owner, d.expires_at
        )),
    };
    next.disposition = Some(d);
    next.version = s.version + 1;
    Change {
        state: next,
        expected_version: Some(s.version),
        detail: None,
        events: vec![ev],
    }
}

/// Adds a remediation event to the finding's history (its state is
/// otherwise unchanged: only a rescan resolves it).
pub fn remediation_event(s: &FindingState, at: &str, by: &str, note: String) -> Change {
    let mut next = s.clone();
    next.version = s.version + 1;
    Change {
        events: vec![FindingEvent {
            finding_id: s.finding_id.clone(),
            at: at.to_owned(),
            kind: EventKind::Remediation,
            occurrence: s.occurrence,
            severity: s.severity,
            risk_score: s.risk_score,
            by: Some(by.to_owned()),
            note: Some(note),
        }],
        state: next,
        expected_version: Some(s.version),
        detail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssetType, Frameworks, Remediation, Severity};

    fn finding(id: &str, risk: u8) -> Finding {
        Finding {
            id: id.to_owned(),
            rule_id: format!("rule_{id}"),
            title: "t".to_owned(),
            severity: Severity::High,
            risk_score: risk,
            status: FindingStatus::Open,
            account_id: "111111111111".to_owned(),
            region: "us-east-1".to_owned(),
            resource_arn: format!("arn:aws:s3:::{id}"),
            resource_type: AssetType::S3Bucket,
            access_key_id: None,
            evidence: vec![],
            remediation: Remediation {
                text: "fix".to_owned(),
                action: None,
            },
            frameworks: Frameworks {
                owasp_llm: vec![],
                owasp_agentic: vec![],
                mitre_atlas: vec![],
                nist_ai_rmf: vec![],
                aws_security_hub: vec![],
            },
            related: vec![],
        }
    }

    fn obs<'a>(
        at: &'a str,
        observed: &'a [Finding],
        blocked: &'a BTreeSet<String>,
    ) -> Observation<'a> {
        Observation {
            scope: "global",
            at,
            sweep_id: "s",
            observed,
            blocked_rules: blocked,
        }
    }

    fn apply(store: &mut Vec<FindingState>, changes: Vec<Change>) {
        for c in changes {
            let cur = store
                .iter()
                .position(|s| s.finding_id == c.state.finding_id);
            assert_eq!(cur.map(|i| store[i].version), c.expected_version);
            match cur {
                Some(i) => store[i] = c.state,
                None => store.push(c.state),
            }
        }
    }

    const T1: &str = "2026-11-24T01:00:00.000Z";
    const T2: &str = "2026-11-24T02:00:00.000Z";
    const T3: &str = "2026-11-24T03:00:00.000Z";

    #[test]
    fn new_finding_opens_and_replay_changes_nothing() {
        let none = BTreeSet::new();
        let seen = [finding("a", 50)];
        let mut store = Vec::new();
        let changes = plan(&store, &obs(T1, &seen, &none));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].expected_version, None);
        assert_eq!(changes[0].events[0].kind, EventKind::Opened);
        apply(&mut store, changes);
        // the same sweep delivered again
        assert!(plan(&store, &obs(T1, &seen, &none)).is_empty());
    }

    #[test]
    fn seen_again_moves_last_seen_only() {
        let none = BTreeSet::new();
        let seen = [finding("a", 50)];
        let mut store = Vec::new();
        let c = plan(&store, &obs(T1, &seen, &none));
        apply(&mut store, c);
        let changes = plan(&store, &obs(T2, &seen, &none));
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert!(c.events.is_empty() && c.detail.is_none());
        assert_eq!(c.state.last_seen, T2);
        assert_eq!(c.state.first_seen, T1);
        assert_eq!(c.expected_version, Some(1));
        assert_eq!(c.state.version, 2);
    }

    #[test]
    fn unseen_finding_resolves_unless_its_rule_could_not_look() {
        let none = BTreeSet::new();
        let seen = [finding("a", 50)];
        let mut store = Vec::new();
        let c = plan(&store, &obs(T1, &seen, &none));
        apply(&mut store, c);
        // a scan that could not assess the rule resolves nothing
        let blocked: BTreeSet<String> = ["rule_a".to_owned()].into();
        assert!(plan(&store, &obs(T2, &[], &blocked)).is_empty());
        // a complete scan that no longer sees it resolves it
        let changes = plan(&store, &obs(T2, &[], &none));
        assert_eq!(changes[0].state.status, FindingStatus::Resolved);
        assert_eq!(changes[0].state.resolved_at.as_deref(), Some(T2));
        assert_eq!(changes[0].events[0].kind, EventKind::Resolved);
        apply(&mut store, changes);
        // and it comes back as a new occurrence
        let changes = plan(&store, &obs(T3, &seen, &none));
        let c = &changes[0];
        assert_eq!(c.state.status, FindingStatus::Open);
        assert_eq!(c.state.occurrence, 2);
        assert_eq!(c.state.first_seen, T1);
        assert_eq!(c.events[0].kind, EventKind::Reopened);
    }

    #[test]
    fn older_sweeps_never_overwrite_newer_ones() {
        let none = BTreeSet::new();
        let seen = [finding("a", 50)];
        let mut store = Vec::new();
        let c = plan(&store, &obs(T2, &seen, &none));
        apply(&mut store, c);
        assert!(plan(&store, &obs(T1, &[], &none)).is_empty());
        assert!(plan(&store, &obs(T1, &[finding("a", 90)], &none)).is_empty());
    }

    #[test]
    fn risk_change_is_recorded_in_history() {
        let none = BTreeSet::new();
        let mut store = Vec::new();
        let c = plan(&store, &obs(T1, &[finding("a", 50)], &none));
        apply(&mut store, c);
        let changes = plan(&store, &obs(T2, &[finding("a", 80)], &none));
        assert_eq!(changes[0].events[0].kind, EventKind::RiskChanged);
        assert_eq!(changes[0].events[0].risk_score, 80);
    }

    #[test]
    fn suppression_holds_until_expiry_then_reopens() {
        let none = BTreeSet::new();
        let seen = [finding("a", 50)];
        let mut store = Vec::new();
        let c = plan(&store, &obs(T1, &seen, &none));
        apply(&mut store, c);
        let d = Disposition {
            status: FindingStatus::Suppressed,
            reason: "test data only".to_owned(),
            owner: "ml-team".to_owned(),
            expires_at: T3.to_owned(),
            set_at: T1.to_owned(),
        };
        let c = dispose(&store[0], d, "alice");
        assert_eq!(c.state.status, FindingStatus::Suppressed);
        apply(&mut store, vec![c]);
        let c = plan(&store, &obs(T2, &seen, &none)).remove(0);
        assert_eq!(c.state.status, FindingStatus::Suppressed);
        apply(&mut store, vec![c]);
        let c = plan(&store, &obs(T3, &seen, &none)).remove(0);
        assert_eq!(c.state.status, FindingStatus::Open);
        assert!(c.state.disposition.is_none());
        assert_eq!(c.events[0].kind, EventKind::DispositionExpired);
    }

    #[test]
    fn other_scopes_are_left_alone() {
        let none = BTreeSet::new();
        let mut store = Vec::new();
        let c = plan(&store, &obs(T1, &[finding("a", 50)], &none));
        apply(&mut store, c);
        let mut o = obs(T2, &[], &none);
        o.scope = "us-east-1";
        assert!(plan(&store, &o).is_empty());
    }
}
