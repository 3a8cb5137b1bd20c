#![allow(missing_docs)]
#![allow(clippy::unwrap_used, reason = "benchmark setup over fixed inputs")]
//! Engine benchmarks (`cargo bench -p aispm-iam`; figures in the issue note):
//! - `authorize/realistic_mix`: decisions per second for five identity
//!   policies of ten statements with conditions, a permission boundary and
//!   two SCP levels (target ≥ 1,000,000/s on one core);
//! - `who_can/5000_roles`: who can read a bucket in an account of 5,000 roles
//!   (target < 1 s);
//! - `what_can/admin`: everything a role with `*` can do, expanded over the
//!   whole action catalog (target < 10 ms);
//! - `catalog/load`: inflating and parsing the embedded action catalog (once
//!   per process).

use std::hint::black_box;
use std::sync::Arc;

use aispm_iam::query::{AccountSnapshot, Identity, IdentityKind, Organization};
use aispm_iam::{Context, Policy, PolicySet, Request, authorize, what_can, who_can};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

const ACCOUNT: &str = "111111111111";

fn policy(v: serde_json::Value) -> Policy {
    Policy::from_value(&v).unwrap()
}

/// Ten statements over several services, half with conditions.
fn identity_policy(n: usize) -> Policy {
    let services = [
        "s3",
        "sagemaker",
        "bedrock",
        "kms",
        "secretsmanager",
        "logs",
        "ec2",
        "iam",
        "lambda",
        "dynamodb",
    ];
    let statements: Vec<_> = (0..10)
        .map(|i| {
            let svc = services[(n + i) % services.len()];
            let mut st = json!({
                "Sid": format!("S{n}x{i}"),
                "Effect": if i == 9 { "Deny" } else { "Allow" },
                "Action": [format!("{svc}:Get*"), format!("{svc}:List*"), format!("{svc}:Describe*")],
                "Resource": [format!("arn:aws:{svc}:*:{ACCOUNT}:*/team-{n}-*"), format!("arn:aws:s3:::data-{n}-*/*")]
            });
            if i % 2 == 0 {
                st["Condition"] = json!({
                    "StringEquals": {"aws:PrincipalTag/team": ["ml", "data"]},
                    "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}
                });
            }
            st
        })
        .collect();
    policy(json!({"Version": "2012-10-17", "Statement": statements}))
}

fn bench_authorize(c: &mut Criterion) {
    let identity: Vec<Policy> = (0..5).map(identity_policy).collect();
    let boundary = policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "sagemaker:*", "bedrock:*", "kms:*", "logs:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}));
    let full = policy(json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}));
    let guard = policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"], "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}));
    let set = PolicySet {
        identity: identity.iter().collect(),
        boundary: Some(&boundary),
        scps: vec![vec![&full], vec![&guard]],
        ..PolicySet::default()
    };
    let mut ctx = Context::new();
    ctx.insert("aws:PrincipalTag/team", "ml");
    ctx.insert("aws:SourceIp", "10.1.2.3");
    ctx.insert("aws:RequestedRegion", "us-east-1");
    let requests: Vec<Request> = [
        ("s3:GetObject", "arn:aws:s3:::data-1-train/part-0.csv"),
        (
            "sagemaker:DescribeModel",
            "arn:aws:sagemaker:us-east-1:111111111111:model/team-1-fraud",
        ),
        (
            "bedrock:GetAgent",
            "arn:aws:bedrock:us-east-1:111111111111:agent/team-3-support",
        ),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/abc"),
        ("iam:GetRole", "arn:aws:iam::111111111111:role/team-2-x"),
        ("ec2:RunInstances", "*"),
        (
            "logs:GetLogEvents",
            "arn:aws:logs:us-east-1:111111111111:log-group/team-4-app",
        ),
        ("s3:PutObject", "arn:aws:s3:::data-0-train/x"),
    ]
    .iter()
    .map(|(a, r)| {
        Request::new(
            "arn:aws:iam::111111111111:role/app",
            a,
            r,
            None,
            ctx.clone(),
        )
        .unwrap()
    })
    .collect();
    let mut group = c.benchmark_group("authorize");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("realistic_mix", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(authorize(black_box(r), &set));
            }
        })
    });
    group.finish();
}

fn account(roles: usize) -> AccountSnapshot {
    let shared = Arc::new(policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::shared-*", "arn:aws:s3:::shared-*/*"]}]})));
    let trust = Arc::new(policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})));
    let identities = (0..roles)
        .map(|i| {
            let inline = Arc::new(policy(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::team-{}/*", i % 50)]},
                {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})));
            Identity {
                arn: format!("arn:aws:iam::{ACCOUNT}:role/role-{i}"),
                kind: IdentityKind::Role,
                policies: vec![("shared".into(), shared.clone()), (format!("inline-{i}"), inline)],
                boundary: None,
                trust: Some(trust.clone()),
                tags: Default::default(),
            }
        })
        .collect();
    let mut snap = AccountSnapshot {
        account: ACCOUNT.into(),
        identities,
        organization: Some(Organization {
            id: Some("o-aispm123".into()),
            management_account: Some("999999999999".into()),
            scps: vec![vec![Arc::new(policy(
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ))]],
            rcps: Vec::new(),
        }),
        ..AccountSnapshot::default()
    };
    snap.add_resource_policy(
        "arn:aws:s3:::team-7",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-7/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-7/*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-aispm123"}}}]}),
    )
    .unwrap();
    snap
}

fn bench_queries(c: &mut Criterion) {
    let snap = account(5000);
    let mut group = c.benchmark_group("who_can");
    group.sample_size(10);
    group.bench_function("5000_roles", |b| {
        b.iter(|| {
            black_box(who_can(&snap, "s3:GetObject", "arn:aws:s3:::team-7/train.csv").unwrap())
        })
    });
    group.finish();
    let mut admin = account(1);
    admin.identities[0].policies = vec![(
        "AdministratorAccess".into(),
        Arc::new(policy(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        )),
    )];
    let arn = admin.identities[0].arn.clone();
    aispm_iam::Catalog::global().unwrap();
    let mut group = c.benchmark_group("what_can");
    group.bench_function("admin", |b| {
        b.iter(|| black_box(what_can(&admin, &arn).unwrap()))
    });
    group.finish();
}

fn bench_catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    group.bench_function("load", |b| {
        b.iter(|| black_box(aispm_iam::Catalog::load_embedded().unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_authorize, bench_queries, bench_catalog);
criterion_main!(benches);
