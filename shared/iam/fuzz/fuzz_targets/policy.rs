//! Fuzzes policy parsing and evaluation: any input must either be rejected
//! with an error (the same from the typed reader as from the `Value` one)
//! or parse into a policy whose canonical form parses back to
//! the same policy, and that evaluates (as every policy type, in open and
//! closed contexts) without a panic. Inputs are also tried as whole
//! `aispm iam simulate` requests.

#![no_main]

use std::sync::OnceLock;

use aispm_iam::simulate::Simulation;
use aispm_iam::{Context, Policy, PolicySet, Request, authorize, is_public};
use libfuzzer_sys::fuzz_target;

fn requests() -> &'static [Request] {
    static REQUESTS: OnceLock<Vec<Request>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        let mut full = Context::new();
        full.insert("aws:SourceIp", "10.1.2.3");
        full.insert("aws:PrincipalTag/team", "ml");
        full.insert("aws:CurrentTime", "2026-11-24T08:00:00Z");
        full.insert("aws:SecureTransport", "true");
        full.insert("s3:max-keys", "10");
        full.insert_list("aws:TagKeys", vec!["env".into(), "team".into()]);
        let cases = [
            (
                "arn:aws:iam::111111111111:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::data/home/alice/x",
            ),
            (
                "arn:aws:sts::111111111111:assumed-role/app/s",
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111111111111:key/k",
            ),
            (
                "arn:aws:iam::222222222222:role/outsider",
                "sts:AssumeRole",
                "arn:aws:iam::111111111111:role/app",
            ),
            ("*", "s3:GetObject", "arn:aws:s3:::public/x"),
            (
                "sagemaker.amazonaws.com",
                "sts:AssumeRole",
                "arn:aws:iam::111111111111:role/app",
            ),
        ];
        let mut out = Vec::new();
        for (p, a, r) in cases {
            for ctx in [Context::new(), full.clone(), Context::open()] {
                if let Ok(req) = Request::new(p, a, r, None, ctx) {
                    out.push(req);
                }
            }
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sim) = Simulation::parse(text) {
        let _ = sim.decide();
    }
    // The typed reader and the located one must agree on every JSON text:
    // the same policy, or the same error.
    let parsed = Policy::parse(text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        assert_eq!(
            parsed,
            Policy::from_value(&value),
            "the two policy readers disagree"
        );
    }
    let Ok(policy) = parsed else {
        return;
    };
    let again = Policy::from_value(&policy.to_value());
    assert_eq!(
        again.as_ref(),
        Ok(&policy),
        "the canonical form must parse back to the same policy"
    );
    let _ = is_public(&policy);
    let set = PolicySet {
        identity: vec![&policy],
        resource: Some(&policy),
        boundary: Some(&policy),
        session: vec![&policy],
        scps: vec![vec![&policy]],
        rcps: vec![vec![&policy]],
        management_account: None,
    };
    for req in requests() {
        let _ = authorize(req, &set);
    }
});
