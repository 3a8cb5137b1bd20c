//! The remediator role's policy for a remediation policy: an Allow of
//! exactly the calls of the actions that are not `off` (reads of the state
//! before and after, the write, the write that undoes it), `iam:PassRole`
//! only to Bedrock, and the same explicit denies of secret values, object
//! contents and invocations as the scanner role. The scanner role never
//! changes anything; this role is the only one that does.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::catalog::ActionKind;
use super::policy::{Mode, RemediationPolicy};

/// What the remediator role never does, whatever the actions: aispm reads
/// metadata only.
pub const NEVER: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:InvokeAgent",
    "sagemaker:InvokeEndpoint",
    "lambda:InvokeFunction",
    "kms:Decrypt",
];

/// The IAM calls of the actions `policy` does not turn off, sorted.
pub fn enabled_permissions(policy: &RemediationPolicy) -> BTreeSet<&'static str> {
    ActionKind::ALL
        .into_iter()
        .filter(|a| policy.mode(*a) != Mode::Off)
        .flat_map(|a| a.permissions().iter().copied())
        .collect()
}

/// The remediator role's identity policy for `policy`.
pub fn role_policy(policy: &RemediationPolicy) -> Value {
    policy_allowing(&enabled_permissions(policy))
}

/// The remediator role's policy for the whole catalog: what the member
/// StackSet deploys (`infra/remediator-policy.json`, kept equal by a test),
/// so any remediation policy runs without redeploying; `--print-role-policy`
/// prints the narrower one for a given policy.
pub fn catalog_role_policy() -> Value {
    policy_allowing(
        &ActionKind::ALL
            .into_iter()
            .flat_map(|a| a.permissions().iter().copied())
            .collect(),
    )
}

fn policy_allowing(allowed: &BTreeSet<&'static str>) -> Value {
    let (pass, rest): (Vec<&str>, Vec<&str>) = allowed.iter().partition(|p| **p == "iam:PassRole");
    let mut statements = Vec::new();
    if !rest.is_empty() {
        statements.push(json!({"Sid": "AispmRemediationCalls", "Effect": "Allow",
                               "Action": rest, "Resource": "*"}));
    }
    if !pass.is_empty() {
        statements.push(
            json!({"Sid": "AispmPassRoleToBedrockOnly", "Effect": "Allow",
            "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}}),
        );
    }
    statements.push(
        json!({"Sid": "AispmNeverReadsSecretsOrData", "Effect": "Deny",
                           "Action": NEVER, "Resource": "*"}),
    );
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;
    use aispm_iam::simulate;

    fn decide(policy: &Value, action: &str, context: Value) -> String {
        let request = json!({"request": {"principal": "arn:aws:iam::111111111111:role/aispm-remediator",
                                          "action": action, "resource": "*", "context": context},
                             "identity_policies": [policy]});
        format!("{:?}", simulate(&request.to_string()).unwrap().decision)
    }

    #[test]
    fn allows_exactly_the_enabled_actions_calls() {
        let p = RemediationPolicy::parse(
            r#"{"default_mode": "off", "actions": {"deactivate_access_key": {"mode": "auto"}}}"#,
        )
        .unwrap();
        let doc = role_policy(&p);
        assert_eq!(
            doc["Statement"][0]["Action"],
            json!(["iam:ListAccessKeys", "iam:UpdateAccessKey"])
        );
        assert_eq!(decide(&doc, "iam:UpdateAccessKey", json!({})), "Allowed");
        // Another action's call, and everything else, is not allowed.
        assert_eq!(
            decide(&doc, "s3:PutBucketPublicAccessBlock", json!({})),
            "ImplicitlyDenied"
        );
        assert_eq!(
            decide(&doc, "iam:DeleteUser", json!({})),
            "ImplicitlyDenied"
        );
    }

    #[test]
    fn every_enabled_action_is_covered_and_data_is_denied() {
        let p = RemediationPolicy::parse(
            r#"{"default_mode": "dry_run", "actions": {
                "attach_bedrock_guardrail": {"guardrail_id": "g", "guardrail_version": "1"}}}"#,
        )
        .unwrap();
        let doc = role_policy(&p);
        for a in ActionKind::ALL
            .into_iter()
            .filter(|a| p.mode(*a) != Mode::Off)
        {
            for call in a.permissions() {
                let context = if *call == "iam:PassRole" {
                    json!({"iam:PassedToService": "bedrock.amazonaws.com"})
                } else {
                    json!({})
                };
                assert_eq!(decide(&doc, call, context), "Allowed", "{a}: {call}");
            }
        }
        // Off by default (needs a boundary): not allowed.
        assert_eq!(
            decide(&doc, "iam:PutRolePermissionsBoundary", json!({})),
            "ImplicitlyDenied"
        );
        assert_eq!(
            decide(
                &doc,
                "iam:PassRole",
                json!({"iam:PassedToService": "ec2.amazonaws.com"})
            ),
            "ImplicitlyDenied"
        );
        for never in NEVER {
            assert_eq!(
                decide(&doc, never, json!({})),
                "ExplicitlyDenied",
                "{never}"
            );
        }
    }

    #[test]
    fn infra_remediator_policy_json_is_the_catalogs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../infra/remediator-policy.json");
        let want = format!(
            "{}\n",
            serde_json::to_string_pretty(&catalog_role_policy()).unwrap()
        );
        if std::env::var_os("AISPM_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text, want,
            "infra/remediator-policy.json is stale: run this test with AISPM_BLESS=1"
        );
        // Every action's every call is allowed.
        for a in ActionKind::ALL {
            for call in a.permissions() {
                let context = if *call == "iam:PassRole" {
                    json!({"iam:PassedToService": "bedrock.amazonaws.com"})
                } else {
                    json!({})
                };
                assert_eq!(
                    decide(&want.parse().unwrap(), call, context),
                    "Allowed",
                    "{a}: {call}"
                );
            }
        }
    }

    #[test]
    fn everything_off_allows_nothing() {
        let p = RemediationPolicy::parse(r#"{"default_mode": "off"}"#).unwrap();
        let doc = role_policy(&p);
        assert_eq!(doc["Statement"].as_array().map(Vec::len), Some(1));
        assert_eq!(doc["Statement"][0]["Effect"], "Deny");
    }
}
