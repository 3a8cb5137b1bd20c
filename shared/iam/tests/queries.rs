//! what-can, who-can and who-can-assume over an account snapshot read from
//! `GetAccountAuthorizationDetails` output (documents URL-encoded, as the
//! API returns them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::sync::Arc;

use aispm_iam::query::{Grantee, Organization};
use aispm_iam::{AccessLevel, AccountSnapshot, Catalog, Policy, what_can, who_can, who_can_assume};
use serde_json::{Value, json};

const A: &str = "111111111111";

fn snapshot() -> AccountSnapshot {
    let text = include_str!("fixtures/authorization-details.json");
    let details: Value = serde_json::from_str(text).unwrap();
    let mut snap = AccountSnapshot::from_authorization_details(A, &details);
    snap.add_resource_policy(
        "arn:aws:s3:::training-data",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "222222222222"},
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::training-data/*"},
            {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::training-data/*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-aispm123"}}},
            {"Sid": "Glue", "Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::training-data/*"}]}),
    )
    .unwrap();
    snap.add_resource_policy(
        "arn:aws:s3:::public-rag",
        &json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": "arn:aws:s3:::public-rag/*"}]}),
    )
    .unwrap();
    snap
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::{A}:role/{name}")
}

#[test]
fn the_snapshot_reads_default_versions_groups_and_boundaries() {
    let snap = snapshot();
    assert_eq!(snap.identities.len(), 6);
    let alice = snap
        .identity(&format!("arn:aws:iam::{A}:user/alice"))
        .unwrap();
    assert_eq!(
        alice.policies.len(),
        2,
        "inline + the group's managed policy"
    );
    assert_eq!(alice.tags.get("team").map(String::as_str), Some("ml"));
    let bounded = snap.identity(&role("admin-bounded")).unwrap();
    assert!(bounded.boundary.is_some());
    assert!(
        snap.errors
            .iter()
            .any(|e| e.contains("policy/broken") && e.contains("Effect")),
        "{:?}",
        snap.errors
    );
}

#[test]
fn what_can_uses_the_default_version_only() {
    let snap = snapshot();
    let caps = what_can(&snap, &role("sagemaker-exec")).unwrap();
    let get = caps.action("s3:GetObject").unwrap();
    assert_eq!(
        get.resources,
        vec!["arn:aws:s3:::training-data", "arn:aws:s3:::training-data/*"]
    );
    assert!(!get.conditional);
    assert!(
        caps.action("s3:PutObject").is_none(),
        "v1 (Action *) is not the default version"
    );
    assert!(caps.action("sagemaker:DescribeModel").is_some());
    assert!(!caps.has_level(AccessLevel::PermissionsManagement));
    assert!(caps.services["s3"].contains_key(&AccessLevel::Read));
}

#[test]
fn what_can_expands_star_within_the_boundary() {
    let snap = snapshot();
    let caps = what_can(&snap, &role("admin-bounded")).unwrap();
    let catalog = Catalog::global().unwrap();
    let iam = catalog.service("iam").unwrap().actions.len();
    assert_eq!(
        caps.actions,
        catalog.action_count() - iam,
        "everything but iam:*"
    );
    assert!(caps.action("iam:PassRole").is_none());
    assert!(
        caps.action("bedrock:InvokeModel")
            .is_some_and(|c| c.resources == vec!["*"])
    );
    assert!(
        caps.has_level(AccessLevel::PermissionsManagement),
        "e.g. s3:PutBucketPolicy"
    );
}

#[test]
fn what_can_honours_scps_and_marks_conditional_denies() {
    let mut snap = snapshot();
    let p = |v: Value| Arc::new(Policy::from_value(&v).unwrap());
    snap.organization = Some(Organization {
        id: Some("o-aispm123".into()),
        management_account: Some("999999999999".into()),
        scps: vec![
            vec![p(
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            )],
            vec![p(json!({"Statement": [
                {"Effect": "Allow", "Action": ["s3:*", "sagemaker:*", "bedrock:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "bedrock:*", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}]}))],
        ],
        rcps: Vec::new(),
    });
    let caps = what_can(&snap, &role("admin-bounded")).unwrap();
    assert!(
        caps.action("ec2:RunInstances").is_none(),
        "the OU's SCP does not allow ec2"
    );
    assert!(caps.action("s3:GetObject").is_some_and(|c| !c.conditional));
    assert!(
        caps.action("bedrock:InvokeModel")
            .is_some_and(|c| c.conditional)
    );
    // The management account is not restricted by SCPs.
    snap.organization.as_mut().unwrap().management_account = Some(A.into());
    let caps = what_can(&snap, &role("admin-bounded")).unwrap();
    assert!(caps.action("ec2:RunInstances").is_some());
}

#[test]
fn who_can_lists_insiders_outside_accounts_the_org_and_services() {
    let snap = snapshot();
    let access = who_can(
        &snap,
        "s3:GetObject",
        "arn:aws:s3:::training-data/train/a.csv",
    )
    .unwrap();
    let who: Vec<&Grantee> = access.iter().map(|a| &a.who).collect();
    assert!(who.contains(&&Grantee::Principal(role("sagemaker-exec"))));
    assert!(
        who.contains(&&Grantee::Principal(format!("arn:aws:iam::{A}:user/alice"))),
        "through her group"
    );
    assert!(who.contains(&&Grantee::Principal(role("admin-bounded"))));
    // pipeline's own policy only writes models/, but the bucket lets in anyone
    // of organization o-aispm123: with no organization in the snapshot, that
    // is unknown, so the access is conditional.
    let pipeline = access
        .iter()
        .find(|a| a.who == Grantee::Principal(role("pipeline")))
        .unwrap();
    assert!(pipeline.conditional);
    assert!(who.contains(&&Grantee::Account("222222222222".into())));
    assert!(who.contains(&&Grantee::Organization("o-aispm123".into())));
    assert!(who.contains(&&Grantee::Service("glue.amazonaws.com".into())));
    assert!(!who.contains(&&Grantee::Anonymous));
    let org = access
        .iter()
        .find(|a| matches!(a.who, Grantee::Organization(_)))
        .unwrap();
    assert!(org.conditional);

    let put = who_can(
        &snap,
        "s3:PutObject",
        "arn:aws:s3:::training-data/models/m.tar.gz",
    )
    .unwrap();
    let who: Vec<&Grantee> = put.iter().map(|a| &a.who).collect();
    assert!(who.contains(&&Grantee::Principal(role("pipeline"))));
    assert!(
        who.contains(&&Grantee::Account("222222222222".into())),
        "writable from outside"
    );
    assert!(!who.contains(&&Grantee::Principal(role("sagemaker-exec"))));

    let mut in_org = snapshot();
    in_org.organization = Some(Organization {
        id: Some("o-aispm123".into()),
        ..Organization::default()
    });
    let access = who_can(&in_org, "s3:GetObject", "arn:aws:s3:::training-data/a.csv").unwrap();
    let pipeline = access
        .iter()
        .find(|a| a.who == Grantee::Principal(role("pipeline")))
        .unwrap();
    assert!(!pipeline.conditional, "a member of the organization");
    in_org.organization = Some(Organization {
        id: Some("o-other".into()),
        ..Organization::default()
    });
    let access = who_can(&in_org, "s3:GetObject", "arn:aws:s3:::training-data/a.csv").unwrap();
    assert!(
        !access
            .iter()
            .any(|a| a.who == Grantee::Principal(role("pipeline")))
    );

    let public = who_can(&snap, "s3:GetObject", "arn:aws:s3:::public-rag/doc.pdf").unwrap();
    assert!(
        public
            .iter()
            .any(|a| a.who == Grantee::Anonymous && !a.conditional)
    );
}

#[test]
fn who_can_assume_reads_the_trust_policy() {
    let snap = snapshot();
    let exec = who_can_assume(&snap, &role("sagemaker-exec")).unwrap();
    assert_eq!(
        exec.iter().map(|a| a.who.clone()).collect::<Vec<_>>(),
        vec![Grantee::Service("sagemaker.amazonaws.com".into())]
    );
    let pipeline = who_can_assume(&snap, &role("pipeline")).unwrap();
    let who: Vec<&Grantee> = pipeline.iter().map(|a| &a.who).collect();
    assert!(who.contains(&&Grantee::Account("333333333333".into())));
    assert!(who.contains(&&Grantee::Federated(format!(
        "arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    ))));
    assert!(
        who.contains(&&Grantee::Principal(format!("arn:aws:iam::{A}:user/alice"))),
        "the trust names the account and alice's policy allows sts:AssumeRole on it"
    );
    let open = who_can_assume(&snap, &role("open-trust")).unwrap();
    assert!(
        open.iter().any(|a| a.who == Grantee::Anonymous),
        "any AWS principal can assume it"
    );
    assert!(who_can_assume(&snap, &format!("arn:aws:iam::{A}:user/alice")).is_err());
}

/// A role of another account of the organization reaching a bucket here:
/// both sides must allow ("Cross-account policy evaluation logic": the
/// identity-based policy in the trusted account and the resource-based
/// policy in the trusting account), and the bucket owner's RCPs apply.
#[test]
fn decide_across_needs_both_sides_and_the_owners_rcps() {
    use aispm_iam::authorize::Outcome;
    const B: &str = "222222222222";
    let owner = snapshot();
    let partner = |statements: Value| {
        let details = json!({"RoleDetailList": [{
            "Arn": format!("arn:aws:iam::{B}:role/etl"), "RoleName": "etl", "Path": "/",
            "AssumeRolePolicyDocument": "%7B%7D",
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument":
                urlencoding(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())}],
            "AttachedManagedPolicies": [], "Tags": []}],
            "UserDetailList": [], "GroupDetailList": [], "Policies": []});
        AccountSnapshot::from_authorization_details(B, &details)
    };
    let etl = format!("arn:aws:iam::{B}:role/etl");
    let object = "arn:aws:s3:::training-data/labels/1.csv";
    let writer = partner(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
    let d = |a: &AccountSnapshot, action: &str, resource: &str| {
        a.decide_across(&owner, &etl, action, resource)
            .unwrap()
            .decision
    };
    assert_eq!(d(&writer, "s3:PutObject", object), Outcome::Allowed);
    // The bucket policy grants the account only Get and Put.
    assert_ne!(d(&writer, "s3:DeleteObject", object), Outcome::Allowed);
    // No bucket policy on the owner's side: the identity Allow alone is not enough.
    assert_ne!(
        d(&writer, "s3:PutObject", "arn:aws:s3:::no-policy-bucket/x"),
        Outcome::Allowed
    );
    // The bucket grants the account, but the role itself has no Allow.
    let idle = partner(json!([{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]));
    assert_ne!(d(&idle, "s3:PutObject", object), Outcome::Allowed);
    // The owner's RCP denying writes from outside the account applies.
    let mut fenced = snapshot();
    fenced.organization = Some(Organization {
        id: Some("o-aispm123".into()),
        management_account: Some("999999999999".into()),
        scps: Vec::new(),
        rcps: vec![vec![Arc::new(
            Policy::parse(
                &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                    "Action": "s3:PutObject", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalAccount": A}}}]})
                .to_string(),
            )
            .unwrap(),
        )]],
    });
    assert_eq!(
        writer
            .decide_across(&fenced, &etl, "s3:PutObject", object)
            .unwrap()
            .decision,
        Outcome::ExplicitlyDenied
    );
}

/// Percent-encodes a policy document as GetAccountAuthorizationDetails does.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
