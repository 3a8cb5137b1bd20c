//! ## What it does
//! Flags S3 buckets that a named AWS account outside the organization can
//! write to: a bucket-policy statement allowing `s3:PutObject` (or
//! `s3:DeleteObject`, `s3:PutObjectAcl`, through `s3:*`, `*`, `s3:Put*`,
//! `NotAction`) to an account, or a principal of an account, that is not one
//! of the organization's, with no condition that restricts it. A bucket anyone
//! can write is `s3_bucket_public_write`'s.
//!
//! ## Why is this bad?
//! Whoever can write training or RAG data decides what the model learns and
//! retrieves: the data-poisoning path of OWASP LLM04. A vendor's account is
//! outside your controls; when it is compromised, so is your data. When a
//! training job, pipeline or knowledge base reads the bucket, the evidence
//! names it.
//!
//! ## Example
//! `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:PutObject"}`
//!
//! Use instead: let outside parties deliver data to a separate landing bucket
//! that is validated before it is copied into the training bucket.
//!
//! ## Remediation
//! Remove the statement that grants write to the outside account.
//!
//! ## References
//! - <https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/>

use super::scope::AiScope;
use super::{WRITE_ACTIONS, hit_in_scope, unassessed};
use crate::model::{AssetType, FindingEvidence, Inventory, NistAiRmf, Severity};
use crate::rules::policy::{inside_accounts, outside_grants, parse, statement_json};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, of_type};

const META: RuleMeta = RuleMeta {
    id: "s3_bucket_writable_outside_org",
    title: "S3 bucket writable by a named account outside the organization",
    severity: Severity::High,
    rationale: "An outside account that can write training or retrieval data can poison what models learn and retrieve, and its compromise becomes yours.",
    resource_types: &[AssetType::S3Bucket],
    collectors: &["s3.buckets"],
    remediation: "Remove the bucket-policy statement that lets accounts outside the organization write; have them deliver to a landing bucket that is validated before use.",
    remediation_action: Some("s3_remove_foreign_write"),
    exposure: true,
    owasp_llm: &["LLM04"],
    owasp_agentic: &["ASI06"],
    mitre_atlas: &["AML.T0020"],
    nist_ai_rmf: &[NistAiRmf::Manage, NistAiRmf::Measure],
    aws_security_hub: &["S3.6"],
    needs: &["policy"],
    covers: &[],
};

/// The rule.
pub const RULE: Rule = Rule {
    meta: META,
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    let inside = inside_accounts(inv);
    let mut hits = Vec::new();
    for b in of_type(inv, AssetType::S3Bucket) {
        let mut evidence = Vec::new();
        if !unassessed(b, "policy")
            && let Some(policy) = b.attributes.get("policy").and_then(|d| parse(d, &b.arn))
        {
            // Anyone (`*`) is the public-write rule's: only named accounts here.
            let grants = outside_grants(&policy, WRITE_ACTIONS, &inside, true);
            for (i, outsiders) in grants {
                evidence.push(FindingEvidence::new(
                    "s3:GetBucketPolicy",
                    &format!("Statement[{i}]"),
                    serde_json::json!({"statement": statement_json(&policy.statements[i]), "outside_principals": outsiders}),
                ));
            }
        }
        hits.extend(hit_in_scope(b, evidence, scope));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, EdgeKind, Evidence};
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    fn bucket(policy: serde_json::Value) -> crate::model::Asset {
        asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::fraud-training-data",
            json!({"policy": policy}),
        )
    }

    #[test]
    fn flags_foreign_account_write_and_names_the_training_job() {
        let b = bucket(
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::fraud-training-data/*"}]}),
        );
        let mut i = inv(vec![b]);
        i.edges.push(Edge::new(
            "arn:aws:sagemaker:us-east-1:111111111111:training-job/fraud",
            "arn:aws:s3:::fraud-training-data",
            EdgeKind::ReadsData,
            Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        ));
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        let used_by = hits[0]
            .evidence
            .iter()
            .find(|e| e.field == "used_by")
            .unwrap();
        assert_eq!(
            used_by.value,
            json!(["arn:aws:sagemaker:us-east-1:111111111111:training-job/fraud"])
        );
    }

    #[test]
    fn same_account_write_and_reads_are_fine() {
        let b = bucket(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/trainer"}, "Action": "s3:PutObject"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject"}
        ]}));
        assert!(RULE.hits(&inv(vec![b]), &RuleConfig::default()).is_empty());
    }

    #[test]
    fn a_deny_guard_for_outsiders_or_a_restricting_condition_clears_it() {
        let guarded = bucket(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::fraud-training-data/*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-aispm123"}}}
        ]}));
        assert!(
            RULE.hits(&inv(vec![guarded]), &RuleConfig::default())
                .is_empty()
        );
        let vpce = bucket(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}}}
        ]}));
        assert!(
            RULE.hits(&inv(vec![vpce]), &RuleConfig::default())
                .is_empty()
        );
        // ...but IfExists restricts nothing: the key may be absent.
        let if_exists = bucket(json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:Put*", "Resource": "*",
             "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c"}}}
        ]}));
        assert_eq!(
            crate::rules::s3::bucket_public_write::RULE
                .hits(&inv(vec![if_exists]), &RuleConfig::default())
                .len(),
            1
        );
    }

    #[test]
    fn not_action_grants_count() {
        let b = bucket(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "NotAction": "s3:GetObject", "Resource": "*"}
        ]}));
        assert_eq!(RULE.hits(&inv(vec![b]), &RuleConfig::default()).len(), 1);
    }

    #[test]
    fn anyone_is_the_public_write_rules_finding() {
        let open =
            bucket(json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]}));
        assert!(
            RULE.hits(&inv(vec![open]), &RuleConfig::default())
                .is_empty()
        );
    }
}
