//! Properties of the evaluation logic over random policies and requests:
//! - adding a Deny never turns a decision into Allowed;
//! - adding an Allow to an identity-based policy never turns Allowed into a
//!   denial;
//! - adding a permission boundary, an SCP level or an RCP level never widens
//!   access;
//! - an RCP level only denies: one without an Allow changes nothing it does
//!   not deny, and a Deny-only level never turns a denial into Allowed;
//! - a KMS key without its key policy is never Allowed;
//! - parse → serialize → parse gives the same policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use aispm_iam::{Context, Outcome, Policy, PolicyKind, PolicySet, Request, authorize};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:?etObject",
    "sagemaker:*",
    "sagemaker:CreateModel",
    "kms:Decrypt",
    "sts:AssumeRole",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::data/*",
    "arn:aws:s3:::data/train/*",
    "arn:aws:s3:::other/*",
    "arn:aws:sagemaker:us-east-1:111111111111:model/*",
    "arn:aws:s3:::home/${aws:username}/*",
    "arn:aws:kms:us-east-1:111111111111:key/*",
];

fn condition() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"StringEquals": {"aws:PrincipalTag/team": ["ml", "data"]}})),
        Just(json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}})),
        Just(json!({"Bool": {"aws:SecureTransport": "true"}})),
        Just(json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-aispm"}})),
        Just(json!({"ForAnyValue:StringLike": {"aws:TagKeys": ["env*"]}})),
        Just(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})),
        Just(json!({"Null": {"aws:TokenIssueTime": "true"}})),
        Just(json!({"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}})),
        Just(json!({"NumericLessThan": {"s3:max-keys": "10"}})),
        Just(json!({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})),
        Just(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}})),
    ]
}

fn principal_block() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": "111111111111"})),
        Just(json!({"AWS": "arn:aws:iam::111111111111:role/app"})),
        Just(json!({"AWS": "arn:aws:iam::111111111111:user/alice"})),
        Just(json!({"AWS": ["222222222222", "arn:aws:iam::111111111111:root"]})),
        Just(json!({"Service": "sagemaker.amazonaws.com"})),
    ]
}

fn statement(effect: &'static str, resource_based: bool) -> impl Strategy<Value = Value> {
    (
        prop::sample::subsequence(ACTIONS, 1..3),
        any::<bool>(),
        prop::sample::subsequence(RESOURCES, 1..3),
        any::<bool>(),
        prop::option::of(condition()),
        principal_block(),
        any::<bool>(),
    )
        .prop_map(
            move |(
                actions,
                not_action,
                resources,
                not_resource,
                cond,
                principal,
                not_principal,
            )| {
                let mut st = json!({"Effect": effect});
                st[if not_action { "NotAction" } else { "Action" }] = json!(actions);
                st[if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }] = json!(resources);
                if let Some(c) = cond {
                    st["Condition"] = c;
                }
                if resource_based {
                    st[if not_principal && effect == "Deny" {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    }] = principal;
                }
                st
            },
        )
}

fn any_statement(resource_based: bool) -> impl Strategy<Value = Value> {
    prop_oneof![3 => statement("Allow", resource_based), 1 => statement("Deny", resource_based)]
}

fn policy(resource_based: bool) -> impl Strategy<Value = Policy> {
    prop::collection::vec(any_statement(resource_based), 1..4).prop_map(|sts| {
        Policy::from_value(&json!({"Version": "2012-10-17", "Statement": sts})).unwrap()
    })
}

#[derive(Clone, Debug)]
struct Set {
    identity: Vec<Policy>,
    resource: Option<Policy>,
    boundary: Option<Policy>,
    scps: Vec<Vec<Policy>>,
    rcps: Vec<Vec<Policy>>,
}

impl Set {
    fn refs(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self.identity.iter().collect(),
            resource: self.resource.as_ref(),
            boundary: self.boundary.as_ref(),
            scps: self.scps.iter().map(|l| l.iter().collect()).collect(),
            rcps: self.rcps.iter().map(|l| l.iter().collect()).collect(),
            ..PolicySet::default()
        }
    }
}

fn set() -> impl Strategy<Value = Set> {
    (
        prop::collection::vec(policy(false), 0..3),
        prop::option::of(policy(true)),
        prop::option::of(policy(false)),
        prop::collection::vec(prop::collection::vec(policy(false), 1..3), 0..3),
        prop::collection::vec(prop::collection::vec(policy(true), 1..2), 0..2),
    )
        .prop_map(|(identity, resource, boundary, scps, rcps)| Set {
            identity,
            resource,
            boundary,
            scps,
            rcps,
        })
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec![
            "arn:aws:iam::111111111111:role/app",
            "arn:aws:iam::111111111111:user/alice",
            "arn:aws:sts::111111111111:assumed-role/app/s1",
            "arn:aws:iam::222222222222:role/outsider",
            "sagemaker.amazonaws.com",
            "*",
        ]),
        prop::sample::select(vec![
            ("s3:GetObject", "arn:aws:s3:::data/train/a.csv"),
            ("s3:PutObject", "arn:aws:s3:::other/x"),
            ("s3:GetObject", "arn:aws:s3:::home/alice/notes"),
            (
                "sagemaker:CreateModel",
                "arn:aws:sagemaker:us-east-1:111111111111:model/m",
            ),
            ("kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/k"),
            ("sts:AssumeRole", "arn:aws:iam::111111111111:role/app"),
        ]),
        prop::option::of(prop::sample::select(vec!["ml", "web"])),
        prop::option::of(prop::sample::select(vec![
            "10.1.1.1",
            "198.51.100.7",
            "2001:db8::5",
        ])),
        prop::option::of(prop::sample::subsequence(vec!["env", "team", "cost"], 0..3)),
        any::<bool>(),
    )
        .prop_map(|(principal, (action, resource), team, ip, tags, secure)| {
            let mut ctx = Context::new();
            if let Some(t) = team {
                ctx.insert("aws:PrincipalTag/team", t);
            }
            if let Some(ip) = ip {
                ctx.insert("aws:SourceIp", ip);
            }
            if let Some(tags) = tags {
                ctx.insert_list("aws:TagKeys", tags.into_iter().map(str::to_owned).collect());
            }
            ctx.insert("aws:SecureTransport", if secure { "true" } else { "false" });
            Request::new(principal, action, resource, Some("111111111111"), ctx).unwrap()
        })
}

/// A KMS action on a key, by any of the principals above.
fn kms_request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec![
            "arn:aws:iam::111111111111:role/app",
            "arn:aws:iam::111111111111:user/alice",
            "arn:aws:sts::111111111111:assumed-role/app/s1",
            "arn:aws:iam::222222222222:role/outsider",
            "*",
        ]),
        prop::sample::select(vec![
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "kms:PutKeyPolicy",
        ]),
    )
        .prop_map(|(principal, action)| {
            Request::new(
                principal,
                action,
                "arn:aws:kms:us-east-1:111111111111:key/k",
                Some("111111111111"),
                Context::new(),
            )
            .unwrap()
        })
}

impl Set {
    /// Every policy read again from its text for `service`'s requests only
    /// (`Policy::parse_for`).
    fn for_service(&self, service: &str) -> Set {
        let read =
            |p: &Policy, kind| Policy::parse_for(&p.to_value().to_string(), kind, service).unwrap();
        let all = |ps: &[Policy], kind| ps.iter().map(|p| read(p, kind)).collect::<Vec<_>>();
        Set {
            identity: all(&self.identity, PolicyKind::Identity),
            resource: self
                .resource
                .as_ref()
                .map(|p| read(p, PolicyKind::Resource)),
            boundary: self
                .boundary
                .as_ref()
                .map(|p| read(p, PolicyKind::Identity)),
            scps: self
                .scps
                .iter()
                .map(|l| all(l, PolicyKind::Identity))
                .collect(),
            rcps: self
                .rcps
                .iter()
                .map(|l| all(l, PolicyKind::Resource))
                .collect(),
        }
    }
}

fn allowed(req: &Request, set: &Set) -> bool {
    authorize(req, &set.refs()).decision == Outcome::Allowed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_deny_never_allows(req in request(), set in set(), deny in statement("Deny", false), rdeny in statement("Deny", true), target in 0usize..5) {
        let before = allowed(&req, &set);
        let mut after = set.clone();
        let add = |p: &mut Policy, st: &Value| {
            let mut v = p.to_value();
            v["Statement"].as_array_mut().unwrap().push(st.clone());
            *p = Policy::from_value(&v).unwrap();
        };
        match target {
            0 if !after.identity.is_empty() => add(&mut after.identity[0], &deny),
            1 if after.resource.is_some() => add(after.resource.as_mut().unwrap(), &rdeny),
            2 if after.boundary.is_some() => add(after.boundary.as_mut().unwrap(), &deny),
            3 if !after.scps.is_empty() => add(&mut after.scps[0][0], &deny),
            4 if !after.rcps.is_empty() => add(&mut after.rcps[0][0], &rdeny),
            _ => after.identity.push(Policy::from_value(&json!({"Statement": [deny]})).unwrap()),
        }
        prop_assert!(!allowed(&req, &after) || before, "a Deny turned the decision into Allowed");
    }

    #[test]
    fn adding_an_identity_allow_never_denies(req in request(), set in set(), allow in statement("Allow", false)) {
        let before = allowed(&req, &set);
        let mut after = set.clone();
        after.identity.push(Policy::from_value(&json!({"Version": "2012-10-17", "Statement": [allow]})).unwrap());
        prop_assert!(!before || allowed(&req, &after), "an Allow turned Allowed into a denial");
    }

    #[test]
    fn boundaries_and_org_policies_never_widen(req in request(), set in set(), extra in policy(false), rextra in policy(true), which in 0usize..3) {
        let before = allowed(&req, &set);
        let mut after = set.clone();
        match which {
            0 => {
                if after.boundary.is_some() {
                    return Ok(());
                }
                after.boundary = Some(extra);
            }
            1 => after.scps.push(vec![extra]),
            _ => after.rcps.push(vec![rextra]),
        }
        prop_assert!(!allowed(&req, &after) || before, "a boundary, SCP or RCP widened access");
    }

    #[test]
    fn an_rcp_level_without_an_allow_only_denies(req in request(), set in set(), deny in statement("Deny", true)) {
        let decision = |s: &Set| authorize(&req, &s.refs()).decision;
        let before = decision(&set);
        // A level whose only statement denies what no request here does
        // (AWS's RCPFullAWSAccess allows the rest): no decision changes.
        let mut quiet = set.clone();
        quiet.rcps.push(vec![Policy::from_value(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteTable", "Resource": "*"}
        ]})).unwrap()]);
        prop_assert_eq!(decision(&quiet), before, "an RCP level without an Allow changed the decision");
        // A Deny-only level never turns a denial into Allowed.
        let mut denying = set.clone();
        denying.rcps.push(vec![Policy::from_value(&json!({"Version": "2012-10-17", "Statement": [deny]})).unwrap()]);
        prop_assert!(before == Outcome::Allowed || decision(&denying) != Outcome::Allowed);
    }

    #[test]
    fn a_kms_key_without_its_key_policy_is_never_allowed(req in kms_request(), set in set()) {
        let mut without = set.clone();
        without.resource = None;
        prop_assert_ne!(authorize(&req, &without.refs()).decision, Outcome::Allowed);
    }

    /// Reading policies only for the statements that can apply to the
    /// request's service (what a batch does with a policy it sees once)
    /// gives the same decision, with the same statements named.
    #[test]
    fn policies_read_for_the_requests_service_decide_the_same(req in request(), set in set()) {
        let pruned = set.for_service(req.service());
        prop_assert_eq!(authorize(&req, &pruned.refs()), authorize(&req, &set.refs()));
    }

    #[test]
    fn parse_serialize_parse_is_stable(p in policy(true)) {
        let again = Policy::from_value(&p.to_value()).unwrap();
        prop_assert_eq!(&again, &p);
        prop_assert_eq!(again.to_value(), p.to_value());
    }
}

/// The generators reach all three outcomes, so the properties above test
/// real decisions (not a sea of implicit denies).
#[test]
fn generated_requests_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..3000 {
        let req = request().new_tree(&mut runner).unwrap().current();
        let set = set().new_tree(&mut runner).unwrap().current();
        let d = authorize(&req, &set.refs()).decision;
        *seen.entry(format!("{d:?}")).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.values().all(|n| *n >= 100), "{seen:?}");
}
