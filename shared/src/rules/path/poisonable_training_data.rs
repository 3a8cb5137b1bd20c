//! ## What it does
//! Finds buckets that principals outside the organization (or anyone) can write,
//! according to the IAM engine, and that training, processing or customization
//! jobs or pipelines read (knowledge bases reading such a bucket are
//! `path_rag_poisoning`'s). Follows the graph to the models those
//! jobs produce and the endpoints serving them, and reports the chain as one
//! finding naming them, linked to the findings on each part.
//!
//! ## Why is this bad?
//! Data poisoning needs only write access to the data a model trains or retrieves
//! from. Outside write access to such a bucket makes every model trained from it,
//! and every endpoint serving those models, attacker-influenced.
//!
//! ## Example
//! A partner account granted `s3:PutObject` on `training-data/labels/*`, read by
//! the weekly retraining; use instead a separate drop bucket the partner writes
//! to, validated and copied by your own job.
//!
//! ## Remediation
//! Remove the outside write grant (bucket policy statement or ACL) and block
//! public access; hold retraining until the data written since the grant is
//! reviewed (versioning shows what changed).
//!
//! ## References
//! - <https://atlas.mitre.org/techniques/AML.T0020>
//! - <https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/>

use serde_json::{Value, json};

use super::PathBuilder;

use crate::model::EdgeKind;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::s3::scope::AiScope;
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_poisonable_training_data",
        title: "Training data writable by untrusted principals feeds models",
        severity: Severity::Critical,
        rationale: "Whoever can write the training data decides what the next model learns: a poisoned or backdoored model reaches production through your own pipeline.",
        resource_types: &[AssetType::S3Bucket],
        collectors: &[
            "s3.buckets",
            "sagemaker.training_jobs",
            "sagemaker.processing_jobs",
            "sagemaker.pipelines",
            "sagemaker.models",
            "bedrock.customization_jobs",
        ],
        remediation: "Remove the outside write grant (bucket policy statement or ACL) and block public access; hold retraining until the data written since the grant is reviewed (versioning shows what changed).",
        remediation_action: Some("s3_remove_foreign_write"),
        exposure: true,
        owasp_llm: &["LLM04"],
        owasp_agentic: &["ASI04"],
        mitre_atlas: &["AML.T0020", "AML.T0018"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Measure, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["policy"],
        covers: &[],
    },
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    let mut hits = Vec::new();
    // Anyone, or a named outside account: both can plant data. One path per
    // bucket, with every grant (policy statement, ACL) as its first step.
    for (bucket, writers) in &super::untrusted_writers(inv, cfg, scope) {
        let bucket = bucket.as_str();
        let readers: Vec<_> = inv
            .edges_to(bucket)
            .filter(|e| e.kind == EdgeKind::ReadsData)
            .collect();
        if readers.is_empty() {
            continue;
        }
        let mut path = PathBuilder::new(bucket);
        path.step(
            bucket,
            "writable_outside_org",
            Value::Array(writers.clone()),
            "aispm:iam-engine",
            "who_can",
        );
        let (models, endpoints) = super::follow_to_endpoints(inv, &mut path, &readers);
        let read_by: Vec<&str> = readers.iter().map(|e| e.from.as_str()).collect();
        hits.push(Hit {
            resource_arn: bucket.to_owned(),
            evidence: path.evidence(vec![
                ev("aispm:graph", "read_by", json!(read_by)),
                ev("aispm:graph", "models", json!(models)),
                ev("aispm:graph", "endpoints", json!(endpoints)),
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

    #[test]
    fn the_write_rules_it_builds_on_read_the_data_scope() {
        for rule in super::super::WRITE_RULES {
            assert!(
                matches!(rule.evaluate, Evaluate::DataScope(_)),
                "{}",
                rule.meta.id
            );
        }
    }

    use crate::model::{Edge, Evidence};

    fn estate(grantee: &str) -> Inventory {
        let bucket = asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::train",
            json!({
                "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{grantee}:root")}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::train/*"}]},
            }),
        );
        let mut account = asset(
            AssetType::OrganizationsAccount,
            "arn:aws:organizations::111111111111:account/o-1/111111111111",
            json!({"account_id": "111111111111"}),
        );
        account.region = "global".into();
        let mut i = inv(vec![bucket, account]);
        let e = |f: &str, t: &str, k: EdgeKind| {
            Edge::new(f, t, k, Evidence::new("sagemaker:DescribeTrainingJob", "x"))
        };
        i.edges = vec![
            e("arn:job", "arn:aws:s3:::train", EdgeKind::ReadsData),
            e("arn:job", "arn:aws:s3:::artifacts", EdgeKind::WritesData),
            e("arn:model", "arn:aws:s3:::artifacts", EdgeKind::ArtifactIn),
            e("arn:cfg", "arn:model", EdgeKind::ServesModel),
            e("arn:endpoint", "arn:cfg", EdgeKind::UsesEndpointConfig),
        ];
        i
    }

    #[test]
    fn outside_write_to_training_data_names_the_models_and_endpoints() {
        let hits = RULE.hits(&estate("999988887777"), &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        let get = |f: &str| {
            hits[0]
                .evidence
                .iter()
                .find(|e| e.field == f)
                .map(|e| e.value.clone())
        };
        assert_eq!(get("models"), Some(json!(["arn:model"])));
        assert_eq!(get("endpoints"), Some(json!(["arn:endpoint"])));
        let assets = super::super::path_assets(&hits[0].evidence);
        assert!(
            assets.contains(&"arn:job") && assets.contains(&"arn:endpoint"),
            "{assets:?}"
        );
    }

    #[test]
    fn same_account_writers_are_not_a_path() {
        assert!(flagged(&RULE, &estate("111111111111")).is_empty());
    }
}
