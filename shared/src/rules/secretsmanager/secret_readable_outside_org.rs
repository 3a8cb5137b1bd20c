//! ## What it does
//! Flags Secrets Manager secrets whose resource policy lets principals outside
//! the organization read the value (`secretsmanager:GetSecretValue`) or take
//! the secret over (`PutSecretValue`, `UpdateSecret`, `PutResourcePolicy`,
//! `DeleteSecret`): a grant to `*` without a restricting condition, or to an
//! account that is not one of the organization's. AI-provider keys are named
//! as such in the evidence.
//!
//! ## Why is this bad?
//! A secret holds a credential. Whoever outside can read a model-provider or
//! database key spends it as you; whoever can change it can swap in their own
//! endpoint or lock you out. Identity policies cannot take back what a
//! resource policy gives another account.
//!
//! ## Example
//! `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}`
//!
//! Use instead: grant the named role of a partner account inside the
//! organization, or add `"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}`.
//!
//! ## Remediation
//! Remove the statement (or `DeleteResourcePolicy`), and turn on Block Public
//! Policy validation (`PutResourcePolicy --block-public-policy`).
//!
//! ## References
//! - <https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html>
//! - <https://docs.aws.amazon.com/secretsmanager/latest/userguide/determine-acccess_examine-iam-policies.html>

use serde_json::json;

use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::policy::{inside_accounts, outside_grants, parse, statement_json};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "secretsmanager_secret_readable_outside_org",
        title: "Secret readable or changeable by principals outside the organization",
        severity: Severity::Critical,
        rationale: "A resource policy that shares a secret outside the organization hands its credential to whoever holds the other account.",
        resource_types: &[AssetType::SecretsmanagerSecret],
        collectors: &["secretsmanager.secrets"],
        remediation: "Remove the resource-policy statement that grants outside principals, or restrict it with aws:PrincipalOrgID; rotate the secret if it may have been read.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM02", "LLM10"],
        owasp_agentic: &["ASI03"],
        mitre_atlas: &["AML.T0055"],
        nist_ai_rmf: &[NistAiRmf::Manage, NistAiRmf::Measure],
        aws_security_hub: &[],
        needs: &["policy"],
        covers: &[],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

/// Reading the value, or taking the secret over.
const ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteSecret",
];

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    let inside = inside_accounts(inv);
    let mut hits = Vec::new();
    for s in of_type(inv, AssetType::SecretsmanagerSecret) {
        // An unread policy is a coverage gap (the collector's record), not a pass.
        let Some(policy) = s
            .attributes
            .get("policy")
            .filter(|p| p.is_object())
            .and_then(|d| parse(d, &s.arn))
        else {
            continue;
        };
        let mut evidence: Vec<FindingEvidence> = outside_grants(&policy, ACTIONS, &inside, false)
            .into_iter()
            .map(|(i, outsiders)| {
                FindingEvidence::new(
                    "secretsmanager:GetResourcePolicy",
                    &format!("Statement[{i}]"),
                    json!({"statement": statement_json(&policy.statements[i]), "outside_principals": outsiders}),
                )
            })
            .collect();
        if evidence.is_empty() {
            continue;
        }
        if let Some(p) = s.str_attr("ai_provider") {
            evidence.push(FindingEvidence::new(
                "aispm:classify",
                "ai_provider",
                json!(p),
            ));
        }
        hits.push(Hit {
            resource_arn: s.arn.clone(),
            evidence,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};

    fn secret(policy: serde_json::Value) -> crate::model::Asset {
        asset(
            AssetType::SecretsmanagerSecret,
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/openai-api-key-AbCdEf",
            json!({"ai_provider": "openai", "policy": policy}),
        )
    }

    #[test]
    fn flags_a_foreign_account_that_may_read_the_value() {
        let s = secret(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}));
        let hits = evaluate(&inv(vec![s]), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence[0].field, "Statement[0]");
        assert_eq!(
            hits[0].evidence[0].value["outside_principals"],
            json!(["arn:aws:iam::999988887777:root"])
        );
        assert!(hits[0].evidence.iter().any(|e| e.field == "ai_provider"));
    }

    #[test]
    fn flags_public_wildcard_grants_and_takeover_actions() {
        let public = secret(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]}));
        assert_eq!(
            evaluate(&inv(vec![public]), &RuleConfig::default()).len(),
            1
        );
        let takeover = secret(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "999988887777"},
             "Action": "secretsmanager:PutResourcePolicy", "Resource": "*"}]}));
        assert_eq!(
            evaluate(&inv(vec![takeover]), &RuleConfig::default()).len(),
            1
        );
    }

    #[test]
    fn own_accounts_metadata_reads_and_org_conditions_pass() {
        let own = secret(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "999988887777"},
             "Action": "secretsmanager:DescribeSecret", "Resource": "*"}]}));
        let org = secret(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-aispm123"}}}]}));
        let none = asset(
            AssetType::SecretsmanagerSecret,
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
            json!({}),
        );
        assert!(evaluate(&inv(vec![own, org, none]), &RuleConfig::default()).is_empty());
    }

    #[test]
    fn an_unread_policy_is_not_judged() {
        let s = asset(
            AssetType::SecretsmanagerSecret,
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:x-AbCdEf",
            json!({"unassessed": {"policy": {"reason": "access_denied"}}}),
        );
        assert!(evaluate(&inv(vec![s]), &RuleConfig::default()).is_empty());
    }
}
