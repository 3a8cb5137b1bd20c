//! ## What it does
//! Finds SageMaker endpoints with no owner tag (shadow AI) whose served model's
//! execution role can read databases or secrets (DynamoDB, RDS Data API, Secrets
//! Manager) or every S3 bucket, according to the IAM engine. Reports the endpoint
//! → endpoint config → model → role → data chain as one finding, linked to the
//! findings on each part.
//!
//! ## Why is this bad?
//! Nobody reviewed this model's data needs, nobody watches its invocations, and
//! its role turns a prompt or a compromised container into database reads. Each
//! part alone is a medium finding; together they are an unsupervised path to
//! production data.
//!
//! ## Example
//! Endpoint `fraud-scoring` without tags, serving a model whose role has
//! `dynamodb:*` on `table/*`; use instead an owned, approved endpoint whose role
//! reads only the tables it needs.
//!
//! ## Remediation
//! Find the owner (CloudTrail CreateEndpoint), tag or retire the endpoint, and
//! scope the execution role to the exact tables and secrets the model needs.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html>
//! - <https://genai.owasp.org/llmrisk/llm062025-excessive-agency/>

use serde_json::Value;

use super::{DATA_READS, PathBuilder, granted_among};
use crate::access::Access;
use crate::iam::what_can;
use crate::model::EdgeKind;
use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::of_type;
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_unowned_endpoint_reads_data",
        title: "Unowned model endpoint runs as a role that reads production data",
        severity: Severity::Critical,
        rationale: "A model nobody owns, whose role can query databases, is an unreviewed path from whoever can call the endpoint to your production data.",
        resource_types: &[AssetType::SagemakerEndpoint],
        collectors: &[
            "sagemaker.endpoints",
            "sagemaker.endpoint_configs",
            "sagemaker.models",
            "iam.authorization_details",
        ],
        remediation: "Find the owner (CloudTrail CreateEndpoint), tag or retire the endpoint, and scope the execution role to the exact tables and secrets the model needs.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM06"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0025", "AML.T0040"],
        nist_ai_rmf: &[NistAiRmf::Govern, NistAiRmf::Map, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &[],
    },
    evaluate: Evaluate::Iam(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig, access: &Access) -> Vec<Hit> {
    let mut hits = Vec::new();
    for endpoint in of_type(inv, AssetType::SagemakerEndpoint) {
        if cfg
            .owner_tag_keys
            .iter()
            .any(|k| endpoint.tag(k).is_some_and(|v| !v.is_empty()))
        {
            continue;
        }
        let mut path = PathBuilder::new(&endpoint.arn);
        let mut reads = serde_json::Map::new();
        for uses in inv
            .edges_from(&endpoint.arn)
            .filter(|e| e.kind == EdgeKind::UsesEndpointConfig)
        {
            for serves in inv
                .edges_from(&uses.to)
                .filter(|e| e.kind == EdgeKind::ServesModel)
            {
                for runs in inv
                    .edges_from(&serves.to)
                    .filter(|e| e.kind == EdgeKind::ExecutesAs)
                {
                    let Some(role) = inv.asset(&runs.to) else {
                        continue;
                    };
                    let Some(snap) = access.account(&role.account_id) else {
                        continue;
                    };
                    let Ok(caps) = what_can(snap, &role.arn) else {
                        continue;
                    };
                    let Some(Value::Object(found)) = granted_among(&caps, DATA_READS) else {
                        continue;
                    };
                    // The model's own artifacts are not production data: S3 reads
                    // count only when they reach every bucket.
                    let found: serde_json::Map<String, Value> = found
                        .into_iter()
                        .filter(|(action, res)| {
                            !action.starts_with("s3:")
                                || res.as_array().is_some_and(|r| {
                                    r.iter().any(|x| {
                                        matches!(
                                            x.as_str(),
                                            Some("*" | "arn:aws:s3:::*" | "arn:aws:s3:::*/*")
                                        )
                                    })
                                })
                        })
                        .collect();
                    if found.is_empty() {
                        continue;
                    }
                    path.edge(uses).edge(serves).edge(runs).step(
                        &role.arn,
                        "can_read",
                        Value::Object(found.clone()),
                        "aispm:iam-engine",
                        "what_can",
                    );
                    reads.extend(found);
                }
            }
        }
        if reads.is_empty() {
            continue;
        }
        hits.push(Hit {
            resource_arn: endpoint.arn.clone(),
            evidence: path.evidence(vec![
                ev("aispm:tags", "owner", Value::Null),
                ev("aispm:iam-engine", "data_reads", Value::Object(reads)),
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

    use crate::model::{Edge, Evidence};

    fn estate(owner: Option<&str>, policy: serde_json::Value) -> Inventory {
        let mut endpoint = asset(
            AssetType::SagemakerEndpoint,
            "arn:aws:sagemaker:us-east-1:111111111111:endpoint/llm",
            json!({}),
        );
        if let Some(o) = owner {
            endpoint.tags.insert("owner".into(), o.into());
        }
        let role = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/llm-exec",
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": policy}}],
                "attached_policies": [],
            }),
        );
        let mut i = inv(vec![endpoint, role]);
        let e = |f: &str, t: &str, k: EdgeKind| {
            Edge::new(f, t, k, Evidence::new("sagemaker:Describe", "x"))
        };
        i.edges = vec![
            e(
                "arn:aws:sagemaker:us-east-1:111111111111:endpoint/llm",
                "arn:cfg",
                EdgeKind::UsesEndpointConfig,
            ),
            e("arn:cfg", "arn:model", EdgeKind::ServesModel),
            e(
                "arn:model",
                "arn:aws:iam::111111111111:role/llm-exec",
                EdgeKind::ExecutesAs,
            ),
        ];
        i
    }

    #[test]
    fn an_unowned_endpoint_whose_role_reads_tables_is_one_path() {
        let i = estate(
            None,
            json!([{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/*"}]),
        );
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        let assets = super::super::path_assets(&hits[0].evidence);
        for arn in [
            "arn:cfg",
            "arn:model",
            "arn:aws:iam::111111111111:role/llm-exec",
        ] {
            assert!(assets.contains(&arn), "{arn} not on the path: {assets:?}");
        }
        let steps = &hits[0].evidence[0].value;
        assert_eq!(steps.as_array().map(Vec::len), Some(4), "{steps}");
    }

    #[test]
    fn owned_endpoints_and_artifact_only_roles_are_not_paths() {
        let tables = json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]);
        assert!(flagged(&RULE, &estate(Some("fraud-ml"), tables)).is_empty());
        let artifacts = json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]);
        assert!(flagged(&RULE, &estate(None, artifacts)).is_empty());
    }
}
