//! The ticket plan: which event a finding owes its ticket. Each sink's
//! lifecycle is tested against receivers speaking its API in
//! `tests/tests/tickets.rs`.

use super::*;
use crate::model::{AssetType, Disposition, Frameworks, Remediation};

const ACCOUNT: &str = "111111111111";

fn state(risk: u8) -> FindingState {
    FindingState {
        finding_id: "f1".to_owned(),
        rule_id: "sagemaker_notebook_root_access".to_owned(),
        title: "Notebook with root access".to_owned(),
        severity: Severity::High,
        risk_score: risk,
        status: FindingStatus::Open,
        account_id: ACCOUNT.to_owned(),
        region: "us-east-1".to_owned(),
        scope: "us-east-1".to_owned(),
        resource_arn: "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb".to_owned(),
        resource_type: AssetType::SagemakerNotebookInstance,
        access_key_id: None,
        first_seen: "2026-12-01T00:00:00Z".to_owned(),
        last_seen: "2026-12-01T00:00:00Z".to_owned(),
        resolved_at: None,
        occurrence: 1,
        disposition: None,
        detail_hash: "h1".to_owned(),
        version: 1,
    }
}

fn detail() -> FindingDetail {
    FindingDetail {
        evidence: vec![crate::model::FindingEvidence::new(
            "sagemaker:DescribeNotebookInstance",
            "RootAccess",
            "Enabled",
        )],
        remediation: Remediation {
            text: "Turn root access off".to_owned(),
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

fn event(kind: EventKind, note: Option<&str>) -> FindingEvent {
    FindingEvent {
        finding_id: "f1".to_owned(),
        at: "2026-12-01T00:00:00Z".to_owned(),
        kind,
        occurrence: 1,
        severity: Severity::High,
        risk_score: 80,
        by: None,
        note: note.map(str::to_owned),
    }
}

fn delivered_link(event: TicketEvent, st: &FindingState) -> Link {
    let owed = Owed {
        event,
        idempotency_key: "k".to_owned(),
        state: st.clone(),
        detail: None,
        note: None,
        remediations: 0,
    };
    Link {
        finding_id: st.finding_id.clone(),
        sink: "s".to_owned(),
        sink_type: "generic".to_owned(),
        account_id: ACCOUNT.to_owned(),
        external_id: None,
        url: None,
        open: event.leaves_open(),
        delivered: Some(owed.delivered("t")),
        events: 1,
        pending: None,
        parked: None,
        last_error: None,
    }
}

#[test]
fn each_change_of_a_finding_owes_its_one_event() {
    let st = state(80);
    let kind = |st: &FindingState, h: &[FindingEvent], l: Option<&Link>| {
        owed(st, None, h, l).map(|o| o.event)
    };
    assert_eq!(kind(&st, &[], None), Some(TicketEvent::Opened));
    let open = delivered_link(TicketEvent::Opened, &st);
    assert_eq!(kind(&st, &[], Some(&open)), None);
    let riskier = FindingState {
        risk_score: 90,
        version: 2,
        ..st.clone()
    };
    assert_eq!(kind(&riskier, &[], Some(&open)), Some(TicketEvent::Updated));
    let other_evidence = FindingState {
        detail_hash: "h2".into(),
        ..st.clone()
    };
    assert_eq!(
        kind(&other_evidence, &[], Some(&open)),
        Some(TicketEvent::Updated)
    );
    let resolved = FindingState {
        status: FindingStatus::Resolved,
        ..st.clone()
    };
    assert_eq!(
        kind(&resolved, &[], Some(&open)),
        Some(TicketEvent::Resolved)
    );
    assert_eq!(
        kind(&resolved, &[], None),
        None,
        "a finding never ticketed is not opened resolved"
    );
    let closed = delivered_link(TicketEvent::Resolved, &resolved);
    assert_eq!(kind(&resolved, &[], Some(&closed)), None);
    let back = FindingState {
        occurrence: 2,
        version: 3,
        ..st.clone()
    };
    assert_eq!(kind(&back, &[], Some(&closed)), Some(TicketEvent::Reopened));
    let remediated = [event(
        EventKind::Remediation,
        Some("s3_block_public_access rem-1: verified"),
    )];
    let o = owed(&st, None, &remediated, Some(&open)).unwrap();
    assert_eq!(
        (o.event, o.note.as_deref()),
        (
            TicketEvent::Remediated,
            Some("s3_block_public_access rem-1: verified")
        )
    );
    let mut told = delivered_link(TicketEvent::Remediated, &st);
    told.delivered.as_mut().unwrap().remediations = 1;
    assert_eq!(kind(&st, &remediated, Some(&told)), None);
    let suppressed = FindingState {
        status: FindingStatus::Suppressed,
        disposition: Some(Disposition {
            status: FindingStatus::Suppressed,
            reason: "test bucket".into(),
            owner: "sec".into(),
            expires_at: "2027-01-01T00:00:00Z".into(),
            set_at: "2026-12-01T00:00:00Z".into(),
        }),
        ..st.clone()
    };
    let o = owed(&suppressed, None, &[], Some(&open)).unwrap();
    assert_eq!(
        (o.event, o.note.as_deref()),
        (TicketEvent::Suppressed, Some("test bucket"))
    );
    assert_eq!(o.idempotency_key, "f1:1:suppressed:1");
}

#[test]
fn an_update_does_not_swallow_a_remediation_still_to_tell() {
    let st = state(80);
    let open = delivered_link(TicketEvent::Opened, &st);
    let riskier = FindingState {
        risk_score: 90,
        version: 2,
        ..st.clone()
    };
    let h = [event(EventKind::Remediation, Some("rem-1"))];
    let o = owed(&riskier, None, &h, Some(&open)).unwrap();
    assert_eq!((o.event, o.remediations), (TicketEvent::Updated, 0));
}

#[test]
fn the_finding_travels_as_scan_shows_it_with_its_lifecycle_fields() {
    let st = state(80);
    let d = detail();
    let o = owed(&st, Some(&d), &[], None).unwrap();
    let v = o.finding_json(Some("https://aispm.example/f/{id}"));
    assert_eq!(v["id"], "f1");
    assert_eq!(v["rule_id"], "sagemaker_notebook_root_access");
    assert_eq!(v["first_seen"], "2026-12-01T00:00:00Z");
    assert_eq!(v["occurrence"], 1);
    assert_eq!(v["evidence"][0]["value"], "Enabled");
    assert_eq!(v["remediation"]["text"], "Turn root access off");
    assert_eq!(v["url"], "https://aispm.example/f/f1");
    assert!(v.get("access_key_id").is_none());
    assert_eq!(
        o.top_evidence().as_deref(),
        Some("sagemaker:DescribeNotebookInstance RootAccess = Enabled")
    );
    assert_eq!(o.idempotency_key, "f1:1:opened:1");
}

#[test]
fn a_ticket_hears_of_changes_and_approvals_not_of_dry_runs() {
    let st = state(80);
    let open = delivered_link(TicketEvent::Opened, &st);
    let note = |n: &str| [event(EventKind::Remediation, Some(n))];
    for quiet in [
        "deactivate_access_key rem-1: dry_run",
        "deactivate_access_key rem-1: skipped (excluded by tag)",
        "no status here",
    ] {
        assert_eq!(owed(&st, None, &note(quiet), Some(&open)), None, "{quiet}");
    }
    let waiting = owed(
        &st,
        None,
        &note("narrow_role_policy rem-2: awaiting_approval"),
        Some(&open),
    )
    .unwrap();
    assert_eq!(waiting.event, TicketEvent::Remediated);
    assert_eq!(
        super::sinks::event_words(&waiting),
        "Remediation awaiting approval: narrow_role_policy rem-2: awaiting_approval"
    );
    let done = owed(
        &st,
        None,
        &note("narrow_role_policy rem-2: verified"),
        Some(&open),
    )
    .unwrap();
    assert_eq!(
        super::sinks::event_words(&done),
        "Remediated: narrow_role_policy rem-2: verified"
    );
    assert_eq!(
        remediation_status("narrow_role_policy rem-2: failed (AccessDenied)"),
        Some("failed")
    );
    assert_eq!(remediation_status("x rem-3: verified"), Some("verified"));
}
