//! ## What it does
//! Flags OpenSearch Serverless collections whose network policy allows public
//! access.
//!
//! ## Why is this bad?
//! The vector store holds embeddings of your documents (which can be inverted to
//! text) and decides what the model retrieves. Public network access widens who
//! can query it and, with a leaked credential, write poisoned vectors.
//!
//! ## Example
//! A network policy with `AllowFromPublic: true`; use instead access only through
//! a VPC endpoint (`SourceVPCEs`) and from Bedrock (`SourceServices`).
//!
//! ## Remediation
//! Replace the collection's network policy with one that allows only VPC
//! endpoints and `bedrock.amazonaws.com`.
//!
//! ## References
//! - <https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-network.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "s3_vector_store_public",
        title: "Vector store behind a knowledge base is reachable from the internet",
        severity: Severity::High,
        rationale: "A public vector store lets anyone with credentials query or poison the embeddings your RAG answers come from.",
        resource_types: &[AssetType::OpensearchServerlessCollection],
        collectors: &["opensearch_serverless.collections"],
        remediation: "Replace the collection's network policy with one that allows only VPC endpoints and `bedrock.amazonaws.com`.",
        remediation_action: None,
        exposure: true,
        owasp_llm: &["LLM08"],
        owasp_agentic: &["ASI06"],
        mitre_atlas: &["AML.T0020", "AML.T0049"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &[],
        covers: &["aws-ai-ml-assessment:AC-08"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::OpensearchServerlessCollection], |c| {
        if c.bool_attr("public_network_access") == Some(true)
            || c.bool_attr("public_by_policy") == Some(true)
        {
            vec![ev(
                "aoss:GetSecurityPolicy",
                "network.AllowFromPublic",
                true,
            )]
        } else {
            Vec::new()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_public_collections_only() {
        let c = |arn: &str, v: serde_json::Value| {
            asset(AssetType::OpensearchServerlessCollection, arn, v)
        };
        let i = inv(vec![
            c("arn:c/public", json!({"public_network_access": true})),
            c("arn:c/private", json!({"public_network_access": false})),
        ]);
        assert_eq!(flagged(&RULE, &i), ["arn:c/public"]);
    }
}
