//! ## What it does
//! Finds knowledge bases whose documents principals outside the organization (or
//! anyone) can write, according to the IAM engine: a bucket named as one of the
//! knowledge base's data sources, or a bucket its own service role can read (a
//! knowledge base ingests what its role reads, so that bucket is a source in
//! waiting, and the only way to see the link where data sources cannot be
//! listed). Follows the graph to the agents that retrieve from the knowledge
//! base, and reports the chain as one finding on the knowledge base, linked to
//! the findings on each part.
//!
//! ## Why is this bad?
//! Retrieval-augmented generation puts retrieved text into the model's context
//! with the authority of your own documents. Whoever can write the source
//! documents can plant instructions (indirect prompt injection) or falsehoods
//! that every agent and application using the knowledge base will repeat, with
//! no change to a model, an agent or a line of code.
//!
//! ## Example
//! A partner account granted `s3:PutObject` on the FAQ bucket a support
//! knowledge base syncs from; use instead a drop bucket the partner writes to,
//! reviewed and copied into the source bucket by your own process.
//!
//! ## Remediation
//! Remove the outside write grant (bucket policy statement or ACL) and block
//! public access on the source bucket; narrow the knowledge base's role to the
//! buckets it is meant to ingest; review the documents written since the grant
//! (versioning shows what changed) and re-sync the knowledge base.
//!
//! ## References
//! - <https://atlas.mitre.org/techniques/AML.T0070>
//! - <https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/>
//! - <https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html>

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::PathBuilder;
use crate::model::{AssetType, EdgeKind, Inventory, NistAiRmf, Severity};
use crate::rules::s3::scope::AiScope;
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, of_type};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "path_rag_poisoning",
        title: "Knowledge base documents writable by untrusted principals feed retrieval",
        severity: Severity::Critical,
        rationale: "Whoever can write a knowledge base's source documents decides what every agent retrieving from it reads as trusted context: poisoned answers and indirect prompt injection without touching a model.",
        resource_types: &[AssetType::BedrockKnowledgeBase],
        collectors: &[
            "s3.buckets",
            "bedrock_agent.knowledge_bases",
            "bedrock_agent.data_sources",
            "bedrock_agent.agents",
            "bedrock_agent.agent_knowledge_bases",
        ],
        remediation: "Remove the outside write grant (bucket policy statement or ACL) and block public access on the source bucket; narrow the knowledge base's role to the buckets it is meant to ingest; review the documents written since the grant (versioning shows what changed) and re-sync the knowledge base.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM04", "LLM08", "LLM01"],
        owasp_agentic: &["ASI06", "ASI01"],
        mitre_atlas: &["AML.T0070", "AML.T0051"],
        nist_ai_rmf: &[NistAiRmf::Map, NistAiRmf::Measure, NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["policy"],
        covers: &[],
    },
    evaluate: Evaluate::DataScope(evaluate),
};

fn evaluate(inv: &Inventory, cfg: &RuleConfig, scope: &AiScope) -> Vec<Hit> {
    let writable = super::untrusted_writers(inv, cfg, scope);
    if writable.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for kb in of_type(inv, AssetType::BedrockKnowledgeBase) {
        let mut path = PathBuilder::new(&kb.arn);
        let mut sources: BTreeSet<&str> = BTreeSet::new();
        // Declared data sources first: the knowledge base syncs from them.
        for e in inv
            .edges_from(&kb.arn)
            .filter(|e| e.kind == EdgeKind::DataSource && writable.contains_key(&e.to))
        {
            if sources.insert(e.to.as_str()) {
                write_step(&mut path, &e.to, &writable[&e.to]);
                path.edge(e);
            }
        }
        // Then what its role can read: a source in waiting.
        if let Some(role) = kb.str_attr("role_arn") {
            for (bucket, grant) in scope.readable_by(role) {
                let Some(grants) = writable.get(bucket) else {
                    continue;
                };
                if sources.insert(bucket) {
                    write_step(&mut path, bucket, grants);
                    path.step(
                        role,
                        "can_read",
                        json!(bucket),
                        "aispm:iam-engine",
                        grant["action"].as_str().unwrap_or("s3:GetObject"),
                    )
                    .step(
                        &kb.arn,
                        "executes_as",
                        json!(role),
                        "bedrock-agent:GetKnowledgeBase",
                        "roleArn",
                    )
                    .asset(role);
                }
            }
        }
        if sources.is_empty() {
            continue;
        }
        let mut agents = BTreeSet::new();
        for uses in inv
            .edges_to(&kb.arn)
            .filter(|e| e.kind == EdgeKind::UsesKnowledgeBase)
        {
            path.edge(uses);
            agents.insert(uses.from.clone());
        }
        hits.push(Hit {
            resource_arn: kb.arn.clone(),
            evidence: path.evidence(vec![
                ev("aispm:graph", "poisonable_sources", json!(sources)),
                ev("aispm:graph", "agents", json!(agents)),
            ]),
        });
    }
    hits
}

/// The step saying who outside can write `bucket`.
fn write_step(path: &mut PathBuilder, bucket: &str, grants: &[Value]) {
    path.step(
        bucket,
        "writable_outside_org",
        Value::Array(grants.to_vec()),
        "aispm:iam-engine",
        "who_can",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Asset, Edge, Evidence};
    use crate::rules::testkit::{asset, flagged, inv};

    const ACCOUNT: &str = "111111111111";

    fn bucket(name: &str, writer: &str) -> Asset {
        let mut b = asset(
            AssetType::S3Bucket,
            &format!("arn:aws:s3:::{name}"),
            json!({
                "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{writer}:root")}, "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{name}/*")}]},
            }),
        );
        b.account_id = ACCOUNT.into();
        b
    }

    fn role(name: &str, reads: &str) -> Asset {
        let mut r = asset(
            AssetType::IamRole,
            &format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{reads}/*")}]}}],
                "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "attached_policies": [],
            }),
        );
        r.account_id = ACCOUNT.into();
        r.region = "global".into();
        r
    }

    fn kb(role_name: &str) -> Asset {
        let mut k = asset(
            AssetType::BedrockKnowledgeBase,
            "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KB1",
            json!({"role_arn": format!("arn:aws:iam::{ACCOUNT}:role/{role_name}")}),
        );
        k.account_id = ACCOUNT.into();
        k
    }

    fn org() -> Asset {
        let mut a = asset(
            AssetType::OrganizationsAccount,
            "arn:aws:organizations::111111111111:account/o-1/111111111111",
            json!({"account_id": ACCOUNT}),
        );
        a.region = "global".into();
        a
    }

    fn edge(from: &str, to: &str, kind: EdgeKind, source: &str) -> Edge {
        Edge::new(from, to, kind, Evidence::new(source, "x"))
    }

    /// A knowledge base whose role reads `faq`, written by `writer`; the agent
    /// retrieves from it.
    fn estate(writer: &str) -> Inventory {
        let kb = kb("kb-exec");
        let kb_arn = kb.arn.clone();
        let role = role("kb-exec", "faq");
        let role_arn = role.arn.clone();
        let mut i = inv(vec![bucket("faq", writer), role, kb, org()]);
        i.edges = vec![
            edge(
                &kb_arn,
                &role_arn,
                EdgeKind::ExecutesAs,
                "bedrock-agent:GetKnowledgeBase",
            ),
            edge(
                "arn:agent",
                &kb_arn,
                EdgeKind::UsesKnowledgeBase,
                "bedrock-agent:ListAgentKnowledgeBases",
            ),
        ];
        i
    }

    fn get(hit: &Hit, field: &str) -> Option<Value> {
        hit.evidence
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.value.clone())
    }

    #[test]
    fn an_outside_writable_bucket_the_role_reads_poisons_the_knowledge_base_and_its_agents() {
        let hits = RULE.hits(&estate("999988887777"), &RuleConfig::default());
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert!(hits[0].resource_arn.ends_with("knowledge-base/KB1"));
        assert_eq!(
            get(&hits[0], "poisonable_sources"),
            Some(json!(["arn:aws:s3:::faq"]))
        );
        assert_eq!(get(&hits[0], "agents"), Some(json!(["arn:agent"])));
        let steps = get(&hits[0], "steps").unwrap();
        let relations: Vec<&str> = steps
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["relation"].as_str().unwrap())
            .collect();
        assert_eq!(
            relations,
            [
                "writable_outside_org",
                "can_read",
                "executes_as",
                "uses_knowledge_base"
            ]
        );
        let assets = super::super::path_assets(&hits[0].evidence);
        assert!(assets.contains(&"arn:agent") && assets.contains(&"arn:aws:s3:::faq"));
    }

    #[test]
    fn a_declared_data_source_counts_without_the_role_reaching_it() {
        let mut i = estate("999988887777");
        // The role reads another bucket; the data source names `faq`.
        i.assets.retain(|a| a.asset_type != AssetType::IamRole);
        i.assets.push(role("kb-exec", "elsewhere"));
        let kb_arn = "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KB1";
        i.edges.push(edge(
            kb_arn,
            "arn:aws:s3:::faq",
            EdgeKind::DataSource,
            "bedrock-agent:GetDataSource",
        ));
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits.len(), 1);
        let steps = get(&hits[0], "steps").unwrap();
        assert_eq!(steps[1]["relation"], "data_source");
    }

    #[test]
    fn writers_inside_the_organization_are_not_a_path() {
        assert!(flagged(&RULE, &estate(ACCOUNT)).is_empty());
    }

    #[test]
    fn an_outside_writable_bucket_the_knowledge_base_cannot_read_is_not_a_path() {
        let mut i = estate("999988887777");
        i.assets.retain(|a| a.asset_type != AssetType::IamRole);
        i.assets.push(role("kb-exec", "elsewhere"));
        assert!(flagged(&RULE, &i).is_empty());
    }
}
