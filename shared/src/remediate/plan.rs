//! Planning: for each finding, every catalog action that accepts it, in the
//! mode the policy gives it, or skipped with the reason. Pure: the same
//! findings, policy and facts give the same records (ids included), so a
//! plan made twice records nothing twice.
//!
//! Order of the checks, first failing wins: the finding is open; the mode is
//! not `off`; the resource carries no exclusion tag (the policy's or the
//! action's: it always wins); the finding is in the action's scope
//! (severity, risk, accounts, OUs, tags); the action can plan the finding's
//! resource; the blast-radius caps (`max_per_run`, then `max_per_hour` less
//! what was changed in the last hour) are not reached, riskiest findings
//! first. Caps count in every mode, so a dry run shows what `auto` would do.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{ActionKind, actions_for};
use super::policy::{Mode, RemediationPolicy};
use super::{Record, Status, action_id, audit};
use crate::model::{FindingStatus, Timestamp};
use crate::store::{
    AccountSnapshot, FindingFilter, FindingReads, FindingState, Part, Snapshots, StoreError,
};

/// What planning needs to know beyond the findings.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Tags of the resources, by ARN (from the inventory).
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// Each account's place in the organization: its root and OU ids.
    pub ous: BTreeMap<String, Vec<String>>,
    /// Changes each action made in the last hour (from the audit records).
    pub changed_last_hour: BTreeMap<ActionKind, u32>,
    /// Stored records that stand as they are (applied, verified, rolled
    /// back, awaiting approval), by action id: kept instead of planned
    /// again, and not counted by the caps.
    pub recorded: BTreeMap<String, Record>,
    /// Actions a person rolled back, by (action, finding): not redone on a
    /// later occurrence of the finding either. The value is the record's id.
    pub rolled_back: BTreeMap<(ActionKind, String), String>,
    /// The evidence values of findings whose actions plan from it (the
    /// bucket-policy statements `s3_remove_foreign_write` removes), by
    /// finding id.
    pub evidence: BTreeMap<String, Vec<serde_json::Value>>,
    /// What the AI workloads running as each identity need to keep running
    /// (kept by a narrowing of it), by identity ARN.
    pub needs: BTreeMap<String, Vec<super::needs::Need>>,
}

impl Facts {
    /// Adds the tags of every asset stored for one account.
    pub fn add_snapshot(&mut self, snapshot: &AccountSnapshot) {
        for item in &snapshot.items {
            if let Part::Asset(a) = &item.part
                && !a.tags.is_empty()
            {
                self.tags.insert(a.arn.clone(), a.tags.clone());
            }
        }
    }

    /// Adds what the workloads stored for one account need of the
    /// identities they run as.
    pub fn add_needs(&mut self, snapshot: &AccountSnapshot) {
        let mut inv = crate::model::Inventory::default();
        for item in &snapshot.items {
            match &item.part {
                Part::Asset(a) => inv.assets.push(a.clone()),
                Part::Edge(e) => inv.edges.push(e.clone()),
                Part::Coverage(_) => {}
            }
        }
        let access = crate::access::Access::from_inventory(&inv);
        self.needs.extend(super::needs::needs(&inv, &access));
    }
}

/// Plans every action for the findings in the store under `policy`: the open
/// ones, or those with the ids `only` names (whatever their status: a
/// finding that is not open is recorded as skipped; an unknown id is
/// [`StoreError::NotFound`]), with the tags its account's stored
/// snapshot holds, the changes the audit shows in the hour before `now`,
/// the stored records that stand, and, when an action is scoped to OUs,
/// the findings' accounts' places in the organization (`place`).
pub async fn plan_stored<S, P>(
    store: &S,
    policy: &RemediationPolicy,
    only: Option<&[String]>,
    stored: &[audit::Stored],
    now: Timestamp,
    place: P,
) -> Result<Vec<Record>, StoreError>
where
    S: FindingReads + Snapshots,
    P: AsyncFnOnce(&BTreeSet<&str>) -> BTreeMap<String, Vec<String>>,
{
    let findings = match only {
        Some(ids) => {
            let mut found = Vec::new();
            for id in ids {
                found.push(
                    store
                        .finding(id)
                        .await?
                        .ok_or_else(|| StoreError::NotFound(id.clone()))?,
                );
            }
            found
        }
        None => {
            store
                .list(&FindingFilter {
                    status: Some(FindingStatus::Open),
                    ..FindingFilter::default()
                })
                .await?
        }
    };
    let mut facts = Facts {
        changed_last_hour: audit::changed_since(
            stored,
            Timestamp::from_millis(now.unix_millis() - 3_600_000),
        ),
        recorded: stored
            .iter()
            .filter(|s| audit::stands(s))
            .map(|s| (s.record.action_id.clone(), s.record.clone()))
            .collect(),
        rolled_back: stored
            .iter()
            .filter(|s| s.record.status == Status::RolledBack)
            .map(|s| {
                (
                    (s.record.action, s.record.finding_id.clone()),
                    s.record.action_id.clone(),
                )
            })
            .collect(),
        ..Facts::default()
    };
    // Three actions plan from evidence (the foreign-write removal's
    // statements, the identity on an attack path a narrowing changes, the
    // jobs a training hold stops): their
    // findings' details are read when the policy does not turn them off.
    let from_evidence = [
        ActionKind::S3RemoveForeignWrite,
        ActionKind::NarrowRolePolicy,
        ActionKind::HoldTraining,
    ];
    for f in findings.iter().filter(|f| {
        from_evidence
            .iter()
            .any(|a| policy.mode(*a) != Mode::Off && a.accepts().contains(&f.rule_id.as_str()))
    }) {
        if let Some(d) = store.detail(&f.account_id, &f.finding_id).await? {
            facts.evidence.insert(
                f.finding_id.clone(),
                d.evidence
                    .into_iter()
                    .map(|e| serde_json::json!({"field": e.field, "value": e.value}))
                    .collect(),
            );
        }
    }
    let accounts: BTreeSet<&str> = findings.iter().map(|f| f.account_id.as_str()).collect();
    if super::placement::uses_ous(policy) {
        facts.ous = place(&accounts).await;
    }
    // What workloads need is read only where a narrowing may plan.
    let narrowed: BTreeSet<&str> = findings
        .iter()
        .filter(|f| {
            policy.mode(ActionKind::NarrowRolePolicy) != Mode::Off
                && ActionKind::NarrowRolePolicy
                    .accepts()
                    .contains(&f.rule_id.as_str())
        })
        .map(|f| f.account_id.as_str())
        .collect();
    for account in accounts {
        let snapshot = store.account(account).await?;
        facts.add_snapshot(&snapshot);
        if narrowed.contains(account) {
            facts.add_needs(&snapshot);
        }
    }
    Ok(plan(policy, &findings, &facts))
}

/// Plans every action for `findings` under `policy`.
pub fn plan(policy: &RemediationPolicy, findings: &[FindingState], facts: &Facts) -> Vec<Record> {
    let mut ordered: Vec<&FindingState> = findings.iter().collect();
    ordered.sort_by(|a, b| {
        b.risk_score
            .cmp(&a.risk_score)
            .then_with(|| a.finding_id.cmp(&b.finding_id))
    });
    let mut records = Vec::new();
    for f in ordered {
        for kind in actions_for(&f.rule_id) {
            let mut fresh = one(policy, f, kind, facts);
            if let Some(stored) = facts.recorded.get(&fresh.action_id) {
                records.push(stored.clone());
                continue;
            }
            if let Some(id) = facts.rolled_back.get(&(kind, f.finding_id.clone()))
                && fresh.status != Status::Skipped
            {
                fresh.status = Status::Skipped;
                fresh.reason = Some(format!(
                    "{kind} was rolled back on this finding ({id}); aispm does not redo a rolled-back change"
                ));
            }
            records.push(fresh);
        }
    }
    same_change(&mut records);
    cap(policy, facts, &mut records);
    records
}

/// Two findings on one resource can ask for the same change (a key's own
/// finding and the attack path through it): the riskiest one makes it, the
/// others are skipped naming it, so a change is made and capped once.
fn same_change(records: &mut [Record]) {
    let mut first: BTreeMap<(ActionKind, String, String), String> = BTreeMap::new();
    for r in records.iter_mut().filter(|r| r.status != Status::Skipped) {
        let calls = serde_json::to_string(&r.calls).unwrap_or_default();
        let key = (r.action, r.resource_arn.clone(), calls);
        match first.get(&key) {
            Some(by) => {
                r.status = Status::Skipped;
                r.reason = Some(format!("the same change is planned by {by}"));
            }
            None => {
                first.insert(key, format!("{} (finding {})", r.action_id, r.finding_id));
            }
        }
    }
}

fn one(policy: &RemediationPolicy, f: &FindingState, kind: ActionKind, facts: &Facts) -> Record {
    let mode = policy.mode(kind);
    let entry = policy.entry(kind);
    let mut record = Record {
        action_id: action_id(kind, &f.finding_id, f.occurrence),
        action: kind,
        finding_id: f.finding_id.clone(),
        rule_id: f.rule_id.clone(),
        resource_arn: f.resource_arn.clone(),
        account_id: f.account_id.clone(),
        region: f.region.clone(),
        mode,
        status: Status::Skipped,
        reason: None,
        calls: Vec::new(),
        before: None,
        after: None,
    };
    let skip = |mut r: Record, why: String| {
        r.reason = Some(why);
        r
    };
    if f.status != FindingStatus::Open {
        return skip(record, format!("the finding is {}", f.status.as_str()));
    }
    if mode == Mode::Off {
        let why = match super::policy::missing_setting(kind, &entry.settings) {
            Some(need) => format!("{kind} is off: {need}"),
            None => format!("{kind} is off in the remediation policy"),
        };
        return skip(record, why);
    }
    let tags = facts.tags.get(&f.resource_arn);
    if let Some(t) = exclusion(policy, entry, facts, &f.resource_arn) {
        return skip(
            record,
            format!("the resource carries the exclusion tag `{t}`"),
        );
    }
    if let Some(min) = entry.min_severity
        && f.severity < min
    {
        return skip(
            record,
            format!(
                "severity {} is below the policy's min_severity {}",
                f.severity.as_str(),
                min.as_str()
            ),
        );
    }
    if let Some(min) = entry.min_risk
        && f.risk_score < min
    {
        return skip(
            record,
            format!("risk {} is below the policy's min_risk {min}", f.risk_score),
        );
    }
    if !entry.accounts.is_empty() && !entry.accounts.contains(&f.account_id) {
        return skip(
            record,
            format!("account {} is not in the action's accounts", f.account_id),
        );
    }
    if !entry.ous.is_empty() {
        match facts.ous.get(&f.account_id) {
            None => {
                return skip(
                    record,
                    format!(
                        "the action is scoped to OUs and account {}'s place in the organization is unknown",
                        f.account_id
                    ),
                );
            }
            Some(path) if !entry.ous.iter().any(|o| path.contains(o)) => {
                return skip(
                    record,
                    format!("account {} is under none of the action's OUs", f.account_id),
                );
            }
            Some(_) => {}
        }
    }
    if let Some((k, v)) = entry
        .tags
        .iter()
        .find(|(k, v)| tags.and_then(|t| t.get(*k)) != Some(*v))
    {
        return skip(
            record,
            format!("the resource does not carry the action's scope tag {k}={v}"),
        );
    }
    let evidence = facts
        .evidence
        .get(&f.finding_id)
        .map_or(&[][..], Vec::as_slice);
    // A narrowing asked for by an attack path changes the identity on it.
    let retargeted;
    let f = match super::narrow_role_policy::target(kind, f, evidence) {
        Some(t) => {
            if let Some(tag) = exclusion(policy, entry, facts, &t.resource_arn) {
                return skip(
                    record,
                    format!("{} carries the exclusion tag `{tag}`", t.resource_arn),
                );
            }
            record.resource_arn = t.resource_arn.clone();
            record.region = t.region.clone();
            retargeted = t;
            &retargeted
        }
        None => f,
    };
    match kind.calls(f, evidence, &entry.settings) {
        Ok(mut calls) => {
            if kind == ActionKind::NarrowRolePolicy {
                super::narrow_role_policy::add_needs(&mut calls, facts.needs.get(&f.resource_arn));
            }
            record.calls = calls;
        }
        Err(why) => return skip(record, why),
    }
    record.status = match mode {
        Mode::DryRun => Status::DryRun,
        Mode::Approval => Status::AwaitingApproval,
        Mode::Auto | Mode::Off => Status::Planned,
    };
    record
}

/// The exclusion tag (the policy's, or the action's own) that `arn`
/// carries, if any: it keeps aispm off the resource whatever else the
/// policy says.
fn exclusion<'a>(
    policy: &'a RemediationPolicy,
    entry: &'a super::ActionPolicy,
    facts: &Facts,
    arn: &str,
) -> Option<&'a str> {
    let tags = facts.tags.get(arn)?;
    [
        Some(policy.exclude_tag.as_str()),
        entry.exclude_tag.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find(|t| tags.contains_key(*t))
}

/// Applies the blast-radius caps in plan order (riskiest first).
fn cap(policy: &RemediationPolicy, facts: &Facts, records: &mut [Record]) {
    let counted =
        |r: &Record| r.status != Status::Skipped && !facts.recorded.contains_key(&r.action_id);
    let mut eligible: BTreeMap<ActionKind, u32> = BTreeMap::new();
    for r in records.iter().filter(|r| counted(r)) {
        *eligible.entry(r.action).or_default() += 1;
    }
    let mut taken: BTreeMap<ActionKind, u32> = BTreeMap::new();
    for r in records.iter_mut().filter(|r| counted(r)) {
        let entry = policy.entry(r.action);
        let n = taken.entry(r.action).or_default();
        let all = eligible.get(&r.action).copied().unwrap_or(0);
        let last_hour = facts.changed_last_hour.get(&r.action).copied().unwrap_or(0);
        let reason = match (entry.max_per_run, entry.max_per_hour) {
            (Some(max), _) if *n >= max => Some(format!(
                "blast-radius cap: {} allows {max} change(s) per run and {all} were eligible; this one and the rest of lower risk are left",
                r.action
            )),
            (_, Some(max)) if *n + last_hour >= max => Some(format!(
                "blast-radius cap: {} allows {max} change(s) per hour and {last_hour} were made in the last hour",
                r.action
            )),
            _ => None,
        };
        match reason {
            Some(why) => {
                r.status = Status::Skipped;
                r.reason = Some(why);
            }
            None => *n += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssetType, Severity};

    fn finding(id: &str, rule: &str, risk: u8, account: &str) -> FindingState {
        let (arn, t, key) = match rule {
            "s3_bucket_public_read" => (
                format!("arn:aws:s3:::bucket-{id}"),
                AssetType::S3Bucket,
                None,
            ),
            _ => (
                format!("arn:aws:iam::{account}:user/u-{id}"),
                AssetType::IamUser,
                Some(format!("AKIA{id}")),
            ),
        };
        FindingState {
            finding_id: id.to_owned(),
            rule_id: rule.to_owned(),
            title: "t".into(),
            severity: Severity::High,
            risk_score: risk,
            status: FindingStatus::Open,
            account_id: account.to_owned(),
            region: "global".into(),
            scope: "global".into(),
            resource_arn: arn,
            resource_type: t,
            access_key_id: key,
            first_seen: "2026-12-01T00:00:00.000Z".into(),
            last_seen: "2026-12-01T00:00:00.000Z".into(),
            resolved_at: None,
            occurrence: 1,
            disposition: None,
            detail_hash: String::new(),
            version: 1,
        }
    }

    fn policy(text: &str) -> RemediationPolicy {
        RemediationPolicy::parse(text).unwrap()
    }

    const A: &str = "111111111111";

    #[test]
    fn without_a_policy_every_accepted_action_is_a_dry_run_with_its_calls() {
        let f = finding("k1", "identity_access_key_can_invoke_models", 80, A);
        let r = plan(&RemediationPolicy::default(), &[f], &Facts::default());
        let actions: Vec<_> = r.iter().map(|r| (r.action, r.status)).collect();
        assert_eq!(
            actions,
            vec![
                (ActionKind::DeactivateAccessKey, Status::DryRun),
                (ActionKind::QuarantineAccessKey, Status::DryRun)
            ]
        );
        assert_eq!(r[0].calls[0].api, "iam:UpdateAccessKey");
        assert_eq!(r[0].calls[0].params["UserName"], "u-k1");
        assert_eq!(r[0].calls[0].params["AccessKeyId"], "AKIAk1");
        assert_eq!(r[0].calls[0].params["Status"], "Inactive");
        assert_eq!(
            r[1].calls[0].params["PolicyArn"],
            super::super::catalog::QUARANTINE_POLICY_ARN
        );
        assert!(r.iter().all(|r| r.before.is_none() && r.after.is_none()));
    }

    #[test]
    fn planning_twice_gives_the_same_records() {
        let fs = [
            finding("a", "s3_bucket_public_read", 50, A),
            finding("b", "identity_access_key_unused", 70, A),
        ];
        let p = policy(r#"{"actions": {"s3_block_public_access": {"max_per_run": 1}}}"#);
        assert_eq!(
            plan(&p, &fs, &Facts::default()),
            plan(&p, &fs, &Facts::default())
        );
        // Riskiest first.
        assert_eq!(plan(&p, &fs, &Facts::default())[0].finding_id, "b");
    }

    #[test]
    fn one_change_asked_for_by_two_findings_is_made_once_and_capped_once() {
        let key = finding("k", "identity_access_key_can_invoke_models", 60, A);
        let mut path = finding("k", "path_exposed_key_blast_radius", 95, A);
        path.finding_id = "p".into();
        let other = finding("o", "identity_access_key_unused", 50, A);
        let p = policy(r#"{"actions": {"deactivate_access_key": {"max_per_run": 2}}}"#);
        let r = plan(&p, &[key, path, other], &Facts::default());
        let deact: Vec<_> = r
            .iter()
            .filter(|r| r.action == ActionKind::DeactivateAccessKey)
            .collect();
        // The path (riskier) makes the change; the key's own finding names it.
        assert_eq!(deact[0].finding_id, "p");
        assert_eq!(deact[0].status, Status::DryRun);
        assert_eq!(deact[1].finding_id, "k");
        assert_eq!(deact[1].status, Status::Skipped);
        let why = deact[1].reason.as_deref().unwrap();
        assert!(
            why.contains(&deact[0].action_id) && why.contains("finding p"),
            "{why}"
        );
        // Two distinct changes fit the cap of two.
        assert_eq!(deact[2].finding_id, "o");
        assert_eq!(deact[2].status, Status::DryRun);
    }

    #[test]
    fn the_exclusion_tag_always_wins() {
        let f = finding("k1", "identity_access_key_unused", 90, A);
        let mut facts = Facts::default();
        let tagged = |k: &str| BTreeMap::from([(k.to_owned(), "true".to_owned())]);
        facts
            .tags
            .insert(f.resource_arn.clone(), tagged("aispm:no-remediate"));
        let p = policy(r#"{"default_mode": "auto"}"#);
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        assert_eq!(r[0].status, Status::Skipped);
        assert!(
            r[0].reason
                .as_deref()
                .unwrap_or("")
                .contains("exclusion tag `aispm:no-remediate`")
        );
        assert!(r[0].calls.is_empty());
        // A policy's own tag, and an action's, count too; another tag does not.
        facts.tags.insert(f.resource_arn.clone(), tagged("keep"));
        let p = policy(r#"{"actions": {"deactivate_access_key": {"exclude_tag": "keep"}}}"#);
        assert_eq!(
            plan(&p, std::slice::from_ref(&f), &facts)[0].status,
            Status::Skipped
        );
        let p = policy(r#"{"exclude_tag": "other"}"#);
        assert_eq!(
            plan(&p, std::slice::from_ref(&f), &facts)[0].status,
            Status::DryRun
        );
    }

    #[test]
    fn scope_limits_what_is_planned() {
        let fs = [
            finding("in", "identity_access_key_unused", 90, A),
            finding("out", "identity_access_key_unused", 90, "222222222222"),
            finding("low", "identity_access_key_unused", 10, A),
        ];
        let p = policy(
            r#"{"actions": {"deactivate_access_key": {"accounts": ["111111111111"], "min_risk": 50}}}"#,
        );
        let r = plan(&p, &fs, &Facts::default());
        let by = |id: &str| r.iter().find(|r| r.finding_id == id).unwrap();
        assert_eq!(by("in").status, Status::DryRun);
        assert!(
            by("out")
                .reason
                .as_deref()
                .unwrap()
                .contains("account 222222222222 is not in")
        );
        assert!(
            by("low")
                .reason
                .as_deref()
                .unwrap()
                .contains("below the policy's min_risk 50")
        );
        let p = policy(r#"{"actions": {"deactivate_access_key": {"min_severity": "critical"}}}"#);
        assert!(
            plan(&p, &fs[..1], &Facts::default())[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("below the policy's min_severity critical")
        );
        // OUs: unknown placement is not a match; a placement under the OU is.
        let p = policy(r#"{"actions": {"deactivate_access_key": {"ous": ["ou-ab12-prod"]}}}"#);
        let mut facts = Facts::default();
        assert_eq!(plan(&p, &fs[..1], &facts)[0].status, Status::Skipped);
        facts
            .ous
            .insert(A.into(), vec!["r-ab12".into(), "ou-ab12-prod".into()]);
        assert_eq!(plan(&p, &fs[..1], &facts)[0].status, Status::DryRun);
        facts
            .ous
            .insert(A.into(), vec!["r-ab12".into(), "ou-ab12-dev".into()]);
        assert_eq!(plan(&p, &fs[..1], &facts)[0].status, Status::Skipped);
        // Tags: every scope tag must be carried with its value.
        let p = policy(r#"{"actions": {"deactivate_access_key": {"tags": {"env": "prod"}}}}"#);
        assert_eq!(
            plan(&p, &fs[..1], &Facts::default())[0].status,
            Status::Skipped
        );
        let mut facts = Facts::default();
        facts.tags.insert(
            fs[0].resource_arn.clone(),
            BTreeMap::from([("env".into(), "prod".into())]),
        );
        assert_eq!(plan(&p, &fs[..1], &facts)[0].status, Status::DryRun);
    }

    #[test]
    fn an_action_missing_its_settings_is_off_and_says_what_it_needs() {
        let mut f = finding("b", "identity_access_key_unused", 50, A);
        f.rule_id = "bedrock_agent_without_guardrail".into();
        f.resource_type = AssetType::BedrockAgent;
        let r = plan(&RemediationPolicy::default(), &[f], &Facts::default());
        assert_eq!(r[0].action, ActionKind::AttachBedrockGuardrail);
        assert_eq!(r[0].status, Status::Skipped);
        let why = r[0].reason.as_deref().unwrap();
        assert!(
            why.contains("is off") && why.contains("needs `guardrail_id`"),
            "{why}"
        );
    }

    #[test]
    fn only_open_findings_and_enabled_actions_are_planned() {
        let mut f = finding("k", "identity_access_key_unused", 90, A);
        let p = policy(r#"{"actions": {"deactivate_access_key": {"mode": "off"}}}"#);
        let r = plan(&p, std::slice::from_ref(&f), &Facts::default());
        assert!(
            r[0].reason
                .as_deref()
                .unwrap()
                .contains("off in the remediation policy")
        );
        f.status = FindingStatus::Suppressed;
        let r = plan(&RemediationPolicy::default(), &[f], &Facts::default());
        assert_eq!(r[0].reason.as_deref(), Some("the finding is suppressed"));
    }

    #[test]
    fn the_cap_stops_at_the_cap_riskiest_first_and_says_so() {
        let fs: Vec<_> = (0..7)
            .map(|i| finding(&format!("b{i}"), "s3_bucket_public_read", 50 + i as u8, A))
            .collect();
        let p = policy(r#"{"actions": {"s3_block_public_access": {"max_per_run": 5}}}"#);
        let r = plan(&p, &fs, &Facts::default());
        let runs: Vec<_> = r.iter().filter(|r| r.status == Status::DryRun).collect();
        assert_eq!(runs.len(), 5);
        assert!(
            runs.iter().all(|r| r.finding_id.as_str() >= "b2"),
            "the riskiest five run"
        );
        let left: Vec<_> = r.iter().filter(|r| r.status == Status::Skipped).collect();
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|r| r.calls.len() == 1));
        assert!(
            left[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("allows 5 change(s) per run and 7 were eligible")
        );
        // Per hour: what the last hour changed counts.
        let p = policy(r#"{"actions": {"s3_block_public_access": {"max_per_hour": 4}}}"#);
        let mut facts = Facts::default();
        facts
            .changed_last_hour
            .insert(ActionKind::S3BlockPublicAccess, 3);
        let r = plan(&p, &fs, &facts);
        assert_eq!(r.iter().filter(|r| r.status == Status::DryRun).count(), 1);
        assert!(
            r[1].reason
                .as_deref()
                .unwrap()
                .contains("3 were made in the last hour")
        );
        // A cap of zero changes nothing.
        let p = policy(r#"{"actions": {"s3_block_public_access": {"max_per_run": 0}}}"#);
        assert!(
            plan(&p, &fs, &Facts::default())
                .iter()
                .all(|r| r.status == Status::Skipped)
        );
    }

    #[test]
    fn stored_records_stand_outside_the_cap_and_a_rolled_back_change_is_not_redone() {
        let fs: Vec<_> = (0..3)
            .map(|i| finding(&format!("b{i}"), "s3_bucket_public_read", 60 - i as u8, A))
            .collect();
        let p = policy(r#"{"actions": {"s3_block_public_access": {"max_per_run": 1}}}"#);
        let first = plan(&p, &fs, &Facts::default());
        // b0 was applied earlier: it stands as stored and takes no cap slot.
        let mut applied = first[0].clone();
        applied.status = Status::Applied;
        let mut facts = Facts::default();
        facts
            .recorded
            .insert(applied.action_id.clone(), applied.clone());
        let r = plan(&p, &fs, &facts);
        assert_eq!(r[0], applied);
        assert_eq!(r[1].status, Status::DryRun, "{:?}", r[1].reason);
        assert_eq!(r[2].status, Status::Skipped);
        // b1's change was rolled back on an earlier occurrence: not redone.
        let mut again = fs.clone();
        again[1].occurrence = 2;
        facts.rolled_back.insert(
            (ActionKind::S3BlockPublicAccess, "b1".into()),
            "rem-earlier".into(),
        );
        let r = plan(&p, &again, &facts);
        assert_eq!(r[1].status, Status::Skipped);
        assert!(
            r[1].reason
                .as_deref()
                .unwrap()
                .contains("rolled back on this finding (rem-earlier)"),
            "{:?}",
            r[1].reason
        );
        assert_eq!(r[2].status, Status::DryRun, "the cap slot goes to the next");
    }

    #[test]
    fn modes_give_their_statuses() {
        let f = finding("b", "s3_bucket_public_read", 50, A);
        let p = policy(r#"{"actions": {"s3_block_public_access": {"mode": "approval"}}}"#);
        let r = plan(&p, std::slice::from_ref(&f), &Facts::default());
        // Approval mode waits for a person.
        assert_eq!(r[0].status, Status::AwaitingApproval);
        assert_eq!(r[0].mode, Mode::Approval);
        assert_eq!(r[0].calls[0].api, "s3:PutBucketPublicAccessBlock");
        assert_eq!(r[0].calls[0].params["Bucket"], "bucket-b");
        // Auto plans the change.
        let p = policy(r#"{"default_mode": "auto"}"#);
        let r = plan(&p, std::slice::from_ref(&f), &Facts::default());
        assert_eq!((r[0].status, r[0].mode), (Status::Planned, Mode::Auto));
        // A training hold plans from the bucket finding's readers, and says
        // why when nothing trains on it.
        let mut s = finding("s", "s3_bucket_public_read", 50, A);
        s.rule_id = "path_poisonable_training_data".into();
        let mut facts = Facts::default();
        facts.evidence.insert(
            "s".into(),
            vec![serde_json::json!({"field": "read_by", "value": [
                format!("arn:aws:sagemaker:us-east-1:{A}:training-job/t1"),
                format!("arn:aws:sagemaker:us-east-1:{A}:pipeline/p1")]})],
        );
        let hold = |facts: &Facts| {
            plan(&p, std::slice::from_ref(&s), facts)
                .into_iter()
                .find(|r| r.action == ActionKind::HoldTraining)
                .unwrap()
        };
        let r = hold(&facts);
        assert_eq!(r.status, Status::Planned, "{r:?}");
        assert_eq!(r.calls[0].params["Jobs"], serde_json::json!(["t1"]));
        assert_eq!(r.calls[0].params["Pipelines"], serde_json::json!(["p1"]));
        assert_eq!(r.calls[0].params["Bucket"], "bucket-s");
        let r = hold(&Facts::default());
        assert_eq!(r.status, Status::Skipped);
        assert!(
            r.reason.as_deref().unwrap().contains("no training job"),
            "{r:?}"
        );
    }

    #[test]
    fn an_action_refuses_a_resource_it_cannot_change() {
        let mut f = finding("k", "identity_access_key_unused", 90, A);
        f.access_key_id = None;
        let r = plan(
            &RemediationPolicy::default(),
            &[f.clone()],
            &Facts::default(),
        );
        assert_eq!(
            r[0].reason.as_deref(),
            Some("the finding names no access key id")
        );
        f.resource_type = AssetType::S3Bucket;
        let r = plan(&RemediationPolicy::default(), &[f], &Facts::default());
        assert!(
            r[0].reason
                .as_deref()
                .unwrap()
                .contains("changes iam_user or iam_access_key, not a s3_bucket"),
            "{:?}",
            r[0].reason
        );
    }

    #[test]
    fn a_narrowing_asked_for_by_an_attack_path_changes_the_identity_on_it() {
        let mut f = finding("p", "path_agent_excessive_agency", 90, A);
        f.resource_type = AssetType::BedrockAgent;
        f.resource_arn = format!("arn:aws:bedrock:us-east-1:{A}:agent/AG1");
        f.region = "us-east-1".into();
        let tool = format!("arn:aws:iam::{A}:role/tool");
        let mut facts = Facts::default();
        facts.evidence.insert(
            "p".into(),
            vec![
                serde_json::json!({"field": "assets", "value": [f.resource_arn.clone(), format!("arn:aws:iam::{A}:role/exec")]}),
                serde_json::json!({"field": "tools", "value": [{"tool": "arn:aws:lambda:us-east-1:1:function:t", "role": tool.clone()}]}),
            ],
        );
        let p = policy(
            r#"{"default_mode": "off", "actions": {"narrow_role_policy": {"mode": "dry_run"}}}"#,
        );
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert_eq!(n.status, Status::DryRun, "{n:?}");
        assert_eq!(
            (n.resource_arn.as_str(), n.region.as_str()),
            (tool.as_str(), "global")
        );
        assert_eq!(n.finding_id, "p");
        // Without tools, the last identity the path crosses.
        facts.evidence.get_mut("p").unwrap().pop();
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert!(n.resource_arn.ends_with(":role/exec"), "{n:?}");
        // The exclusion tag on that identity keeps aispm off it.
        facts.tags.insert(
            format!("arn:aws:iam::{A}:role/exec"),
            [("aispm:no-remediate".to_owned(), String::new())].into(),
        );
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert_eq!(n.status, Status::Skipped);
        assert!(
            n.reason.as_deref().unwrap().contains("exclusion tag"),
            "{n:?}"
        );
        // No identity on the path: the agent is not something it changes.
        facts.evidence.clear();
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert_eq!(n.status, Status::Skipped);
        assert!(
            n.reason.as_deref().unwrap().contains("not a bedrock_agent"),
            "{n:?}"
        );
    }

    #[test]
    fn a_narrowing_records_what_the_identitys_workloads_need() {
        let mut f = finding("r", "identity_ai_role_broad_data_access", 70, A);
        f.resource_type = AssetType::IamRole;
        f.resource_arn = format!("arn:aws:iam::{A}:role/trainer");
        let need = super::super::needs::Need {
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::train".into(),
            workload: format!("arn:aws:sagemaker:us-east-1:{A}:training-job/j"),
            link: "reads_data".into(),
        };
        let mut facts = Facts::default();
        facts
            .needs
            .insert(f.resource_arn.clone(), vec![need.clone()]);
        let p = policy(
            r#"{"default_mode": "off", "actions": {"narrow_role_policy": {"mode": "dry_run"}}}"#,
        );
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert_eq!(
            n.calls[0].params["NeededActions"],
            serde_json::json!([{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::train",
                                "Workload": need.workload, "Link": "reads_data"}])
        );
        // Another identity's needs are not this one's.
        facts.needs.clear();
        facts
            .needs
            .insert(format!("arn:aws:iam::{A}:role/other"), vec![need]);
        let r = plan(&p, std::slice::from_ref(&f), &facts);
        let n = r
            .iter()
            .find(|r| r.action == ActionKind::NarrowRolePolicy)
            .unwrap();
        assert!(n.calls[0].params.get("NeededActions").is_none(), "{n:?}");
    }
}
