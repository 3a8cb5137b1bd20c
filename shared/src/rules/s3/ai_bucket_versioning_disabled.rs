//! ## What it does
//! Flags S3 buckets in AI scope (read or written by training, processing and
//! customization jobs, pipelines, models' artifacts, knowledge base data
//! sources, invocation logs; or reachable by their identities) whose
//! versioning is not `Enabled`.
//!
//! AI scope (`scope.rs`): a bucket an AI workload reads or writes, a bucket
//! tagged `ai-data`, or a bucket an AI workload identity (a notebook's, job's,
//! model's, agent's or tool's role, a user whose access key can invoke
//! models) can read or write by its permissions; the evidence names the
//! edge, the tag, or the identity, action and resource pattern.
//!
//! ## Why is this bad?
//! Data poisoning replaces objects quietly. Versioning keeps every prior version,
//! so you can see what changed before a retraining and restore the clean data;
//! without it the evidence and the clean copy are gone.
//!
//! ## Example
//! `Versioning: Off` on the training bucket; use instead `Enabled` (with
//! lifecycle rules for old versions).
//!
//! ## Remediation
//! Enable versioning on the bucket (PutBucketVersioning Status=Enabled) and add a
//! lifecycle rule that expires noncurrent versions after your retention period.
//!
//! ## References
//! - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html>

use super::scope::AiScope;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "s3_ai_bucket_versioning_disabled",
        title: "AI data bucket has no versioning",
        severity: Severity::Medium,
        rationale: "Without versioning, poisoned or deleted training and RAG data cannot be traced or rolled back.",
        resource_types: &[AssetType::S3Bucket],
        collectors: &["s3.buckets"],
        remediation: "Enable versioning on the bucket (PutBucketVersioning Status=Enabled) and add a lifecycle rule that expires noncurrent versions after your retention period.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM04"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0020"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &["S3.14"],
        needs: &[],
        covers: &["prowler:s3_bucket_object_versioning"],
    },
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    flag(inv, &[AssetType::S3Bucket], |b| {
        let Some(v) = b.str_attr("versioning") else {
            return Vec::new();
        };
        if v == "Enabled" {
            return Vec::new();
        }
        let Some(why) = scope.get(&b.arn) else {
            return Vec::new();
        };
        vec![ev("s3:GetBucketVersioning", "Status", v)]
            .into_iter()
            .chain(why.evidence())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    fn uses(b: &str) -> crate::model::Edge {
        crate::model::Edge::new(
            "arn:aws:sagemaker:us-east-1:1:training-job/t",
            b,
            crate::model::EdgeKind::ReadsData,
            crate::model::Evidence::new("sagemaker:DescribeTrainingJob", "InputDataConfig"),
        )
    }

    #[test]
    fn flags_unversioned_buckets_used_by_ai_only() {
        let b = |name: &str, v: &str| {
            asset(
                AssetType::S3Bucket,
                &format!("arn:aws:s3:::{name}"),
                json!({"versioning": v}),
            )
        };
        let mut i = inv(vec![
            b("train", "Off"),
            b("versioned", "Enabled"),
            b("unrelated", "Off"),
        ]);
        i.edges.push(uses("arn:aws:s3:::train"));
        i.edges.push(uses("arn:aws:s3:::versioned"));
        assert_eq!(flagged(&RULE, &i), ["arn:aws:s3:::train"]);
    }
}
