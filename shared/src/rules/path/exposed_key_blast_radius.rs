//! ## What it does
//! Finds IAM users whose access key was reported exposed: the AWS compromised-key
//! quarantine policy is attached (AWS attaches it when it finds a key in public),
//! or an AWS Health `AWS_RISK_CREDENTIALS_EXPOSED` event named the key. Computes
//! with the IAM engine what the user's keys can do without the quarantine policy
//! (the blast radius if it is removed or arrived late): models they can invoke,
//! data they can read, where they can send it. One finding on the user, linked to
//! the key and quarantine findings.
//!
//! ## Why is this bad?
//! The quarantine policy blocks only some actions and is often detached to
//! unbreak an integration. The exposure is only closed when the key is
//! deactivated and its scope known: the blast radius tells responders what to
//! check in CloudTrail.
//!
//! ## Example
//! User `vendor-chatbot-integration` with AWSCompromisedKeyQuarantineV2 and
//! AmazonBedrockFullAccess; use instead deactivate the key, review its CloudTrail
//! activity, and issue a scoped replacement or a role.
//!
//! ## Remediation
//! Deactivate and delete the exposed key, review what it did since the exposure
//! in CloudTrail, rotate anything it could read, and replace it with a role or a
//! narrowly scoped key.
//!
//! ## References
//! - <https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV2.html>
//! - <https://docs.aws.amazon.com/health/latest/ug/cloudwatch-events-health.html>

use serde_json::json;

use super::{DATA_READS, OUTBOUND, PathBuilder, granted_among};
use crate::access::Access;
use crate::iam::what_can;
use crate::model::EdgeKind;
use crate::model::{Asset, AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::of_type;
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_exposed_key_blast_radius",
        title: "Exposed access key reaches AI models and data",
        severity: Severity::Critical,
        rationale: "A key AWS reported exposed is in someone else's hands; what it can invoke and read is what they have.",
        resource_types: &[AssetType::IamUser],
        collectors: &["iam.authorization_details"],
        remediation: "Deactivate and delete the exposed key, review what it did since the exposure in CloudTrail, rotate anything it could read, and replace it with a role or a narrowly scoped key.",
        remediation_action: Some("deactivate_access_key"),
        exposure: true,
        owasp_llm: &["LLM10", "LLM02"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055", "AML.T0012"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for user in of_type(inv, AssetType::IamUser) {
        let quarantine: Vec<&str> = user
            .attached_policies()
            .filter(|p| p.contains("AWSCompromisedKeyQuarantine"))
            .collect();
        let keys: Vec<&Asset> = of_type(inv, AssetType::IamAccessKey)
            .filter(|k| k.str_attr("user_arn") == Some(user.arn.as_str()))
            .collect();
        let reported: Vec<&str> = keys
            .iter()
            .filter(|k| k.bool_attr("exposure_reported") == Some(true))
            .map(|k| k.arn.as_str())
            .collect();
        if quarantine.is_empty() && reported.is_empty() {
            continue;
        }
        let Some(snap) = access.account(&user.account_id) else {
            continue;
        };
        // The blast radius: the user's permissions without the quarantine.
        let mut open = snap.clone();
        for id in open.identities.iter_mut().filter(|i| i.arn == user.arn) {
            id.policies
                .retain(|(name, _)| !name.contains("AWSCompromisedKeyQuarantine"));
        }
        let Ok(caps) = what_can(&open, &user.arn) else {
            continue;
        };
        let invoke = granted_among(
            &caps,
            crate::rules::identity::access_key_can_invoke_models::INVOKE,
        );
        let reads = granted_among(&caps, DATA_READS);
        let outbound = granted_among(&caps, OUTBOUND);
        if invoke.is_none() && reads.is_none() {
            continue;
        }
        let mut path = PathBuilder::new(&user.arn);
        for e in inv
            .edges_from(&user.arn)
            .filter(|e| e.kind == EdgeKind::HasAccessKey)
        {
            path.edge(e);
        }
        for e in inv.edges_from(&user.arn).filter(|e| {
            e.kind == EdgeKind::HasPolicy && e.to.contains("AWSCompromisedKeyQuarantine")
        }) {
            path.edge(e);
        }
        for (relation, v) in [
            ("can_invoke", &invoke),
            ("can_read", &reads),
            ("can_send_out", &outbound),
        ] {
            if let Some(v) = v {
                path.step(
                    &user.arn,
                    relation,
                    v.clone(),
                    "aispm:iam-engine",
                    "what_can (without quarantine)",
                );
            }
        }
        let active: Vec<&str> = keys
            .iter()
            .filter(|k| k.str_attr("status") == Some("Active"))
            .map(|k| k.arn.as_str())
            .collect();
        hits.push(Hit {
            resource_arn: user.arn.clone(),
            evidence: path.evidence(vec![
                ev(
                    "iam:GetAccountAuthorizationDetails",
                    "AttachedManagedPolicies",
                    json!(quarantine),
                ),
                ev(
                    "aws.health",
                    "AWS_RISK_CREDENTIALS_EXPOSED",
                    json!(reported),
                ),
                ev("iam:ListAccessKeys", "active_keys", json!(active)),
                ev(
                    "aispm:iam-engine",
                    "blast_radius",
                    json!({"invoke": invoke, "read": reads, "send_out": outbound}),
                ),
            ]),
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn estate(attached: &[&str]) -> Inventory {
        let user = asset(
            AssetType::IamUser,
            "arn:aws:iam::111111111111:user/vendor",
            json!({
                "inline_policies": [{"name": "bedrock", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["bedrock:InvokeModel", "s3:GetObject"], "Resource": "*"}]}}],
                "attached_policies": attached,
                "groups": [],
            }),
        );
        let mut key = asset(
            AssetType::IamAccessKey,
            "arn:aws:iam::111111111111:user/vendor/accesskey/AKIA1",
            json!({"status": "Active", "user_arn": "arn:aws:iam::111111111111:user/vendor"}),
        );
        key.region = "global".into();
        let quarantine = asset(
            AssetType::IamPolicy,
            "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2",
            json!({
                "aws_managed": true,
                "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["bedrock:*", "s3:*"], "Resource": "*"}]},
            }),
        );
        inv(vec![user, key, quarantine])
    }

    #[test]
    fn a_quarantined_user_shows_what_its_key_reaches_without_the_quarantine() {
        let hits = RULE.hits(
            &estate(&["arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"]),
            &RuleConfig::default(),
        );
        assert_eq!(hits.len(), 1);
        let radius = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "blast_radius")
            .map(|e| e.value.clone())
            .unwrap_or_default();
        assert!(
            radius["invoke"]["bedrock:InvokeModel"].is_array(),
            "{radius}"
        );
        assert!(radius["read"]["s3:GetObject"].is_array(), "{radius}");
    }

    #[test]
    fn an_unexposed_user_is_not_a_path() {
        assert!(flagged(&RULE, &estate(&[])).is_empty());
    }
}
