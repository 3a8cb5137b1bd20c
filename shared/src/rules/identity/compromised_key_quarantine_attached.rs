//! ## What it does
//! Flags IAM users with an AWS compromised-key quarantine policy attached
//! (`AWSCompromisedKeyQuarantine`, `...V2`, `...V3`): AWS attaches it when it
//! finds one of the user's keys exposed in public. The finding lists the
//! user's keys and what they can still reach in AI services (blast radius).
//!
//! ## Why is this bad?
//! The key is public. The quarantine policy denies the most abused actions,
//! but not everything: until the key is deactivated and rotated, whoever
//! found it can still use what remains (BRIEF scenario 3).
//!
//! ## Example
//! User `ml-ci` with `arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3`.
//!
//! ## Remediation
//! Deactivate and delete the exposed key, review CloudTrail for its use,
//! issue a new credential (preferably a role), then detach the quarantine
//! policy.
//!
//! ## References
//! - <https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV3.html>

use serde_json::json;

use super::access_key_can_invoke_models::invoke_evidence;
use crate::access::Access;
use crate::model::{AssetType, EdgeKind, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "identity_compromised_key_quarantine_attached",
        title: "IAM user's access key was exposed (AWS quarantine policy attached)",
        severity: Severity::Critical,
        rationale: "AWS found this user's key in public and quarantined it; the key still works for what the quarantine does not deny until it is deactivated.",
        resource_types: &[AssetType::IamUser, AssetType::IamAccessKey],
        collectors: &["iam.authorization_details"],
        remediation: "Deactivate and delete the exposed key, review its use in CloudTrail, replace it with a role or a new key, then detach the quarantine policy.",
        remediation_action: Some("deactivate_access_key"),
        exposure: true,
        owasp_llm: &["LLM10", "LLM02"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn is_quarantine(arn: &str) -> bool {
    arn.strip_prefix("arn:aws:iam::aws:policy/")
        .is_some_and(|n| n.starts_with("AWSCompromisedKeyQuarantine"))
}

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for user in of_type(inv, AssetType::IamUser) {
        let quarantine: Vec<&str> = user
            .attached_policies()
            .filter(|a| is_quarantine(a))
            .collect();
        if quarantine.is_empty() {
            continue;
        }
        let keys: Vec<serde_json::Value> = inv
            .edges_from(&user.arn)
            .filter(|e| e.kind == EdgeKind::HasAccessKey)
            .filter_map(|e| inv.asset(&e.to))
            .map(|k| json!({"key": k.name, "status": k.attributes.get("status"), "last_used": k.attributes.get("last_used")}))
            .collect();
        let mut evidence = vec![
            FindingEvidence::new(
                "iam:GetAccountAuthorizationDetails",
                "UserDetailList.AttachedManagedPolicies",
                json!(quarantine),
            ),
            FindingEvidence::new("iam:ListAccessKeys", "AccessKeyMetadata", json!(keys)),
        ];
        if let Some(invoke) = invoke_evidence(access, inv, &user.arn) {
            evidence.push(FindingEvidence::new(
                "aispm:iam-engine",
                "can_still_invoke",
                invoke,
            ));
        }
        hits.push(Hit {
            resource_arn: user.arn.clone(),
            evidence,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Evidence};
    use crate::rules::testkit::{asset, inv};

    fn user(attached: &[&str]) -> Inventory {
        let mut q = asset(
            AssetType::IamPolicy,
            "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
            json!({
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["iam:CreateUser", "ec2:RunInstances"], "Resource": "*"}]}}),
        );
        q.account_id = "111111111111".into();
        let u = asset(
            AssetType::IamUser,
            "arn:aws:iam::111111111111:user/ml-ci",
            json!({
            "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}}],
            "attached_policies": attached, "groups": []}),
        );
        let k = asset(
            AssetType::IamAccessKey,
            "arn:aws:iam::111111111111:user/ml-ci/accesskey/AKIAEXAMPLE",
            json!({"status": "Active"}),
        );
        let mut i = inv(vec![q, u, k]);
        i.edges.push(Edge::new(
            "arn:aws:iam::111111111111:user/ml-ci",
            "arn:aws:iam::111111111111:user/ml-ci/accesskey/AKIAEXAMPLE",
            EdgeKind::HasAccessKey,
            Evidence::new("iam:ListAccessKeys", "AccessKeyMetadata.AccessKeyId"),
        ));
        i
    }

    #[test]
    fn flags_a_quarantined_user_with_its_keys_and_blast_radius() {
        let hits = RULE.hits(
            &user(&["arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"]),
            &RuleConfig::default(),
        );
        assert_eq!(hits.len(), 1);
        let radius = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "can_still_invoke")
            .unwrap();
        assert!(radius.value.get("bedrock:InvokeModel").is_some());
        assert_eq!(hits[0].evidence[1].value[0]["key"], "AKIAEXAMPLE");
    }

    #[test]
    fn users_without_the_quarantine_policy_pass() {
        assert!(RULE.hits(&user(&[]), &RuleConfig::default()).is_empty());
        assert!(
            RULE.hits(
                &user(&["arn:aws:iam::111111111111:policy/AWSCompromisedKeyQuarantineV3"]),
                &RuleConfig::default()
            )
            .is_empty(),
            "only the AWS managed policy counts"
        );
    }
}
