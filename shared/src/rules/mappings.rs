//! The framework controls rules may cite, with their titles: one table, so a
//! mapping names something that exists (a test checks every rule's ids are
//! here) and `docs/rules.md` can say what each id means.
//!
//! Sources: OWASP Top 10 for LLM Applications 2025; OWASP Top 10 for Agentic
//! Applications 2026; MITRE ATLAS (techniques, current names; ATLAS renamed
//! "ML" to "AI" in several); AWS Security Hub control reference. A Security
//! Hub id goes on a rule only where the control checks the same thing on the
//! same resource type (`Bedrock.1` is the data sources' KMS key, so no agent
//! rule cites it).

/// A framework a rule maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Framework {
    /// OWASP Top 10 for LLM Applications 2025.
    OwaspLlm,
    /// OWASP Top 10 for Agentic Applications 2026.
    OwaspAgentic,
    /// MITRE ATLAS.
    MitreAtlas,
    /// AWS Security Hub.
    SecurityHub,
}

impl Framework {
    /// Its name in docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwaspLlm => "OWASP Top 10 for LLM Applications 2025",
            Self::OwaspAgentic => "OWASP Top 10 for Agentic Applications 2026",
            Self::MitreAtlas => "MITRE ATLAS",
            Self::SecurityHub => "AWS Security Hub",
        }
    }
}

/// One control (risk, technique) of a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// Its framework.
    pub framework: Framework,
    /// Its id (`LLM04`, `ASI03`, `AML.T0020`, `S3.3`).
    pub id: &'static str,
    /// Its title, as the framework words it.
    pub title: &'static str,
}

const fn c(framework: Framework, id: &'static str, title: &'static str) -> Control {
    Control {
        framework,
        id,
        title,
    }
}

use Framework::{MitreAtlas as A, OwaspAgentic as G, OwaspLlm as L, SecurityHub as H};

/// Every control a rule may cite, by framework then id.
pub const CONTROLS: &[Control] = &[
    c(L, "LLM01", "Prompt Injection"),
    c(L, "LLM02", "Sensitive Information Disclosure"),
    c(L, "LLM03", "Supply Chain"),
    c(L, "LLM04", "Data and Model Poisoning"),
    c(L, "LLM05", "Improper Output Handling"),
    c(L, "LLM06", "Excessive Agency"),
    c(L, "LLM07", "System Prompt Leakage"),
    c(L, "LLM08", "Vector and Embedding Weaknesses"),
    c(L, "LLM09", "Misinformation"),
    c(L, "LLM10", "Unbounded Consumption"),
    c(G, "ASI01", "Agent Goal Hijack"),
    c(G, "ASI02", "Tool Misuse and Exploitation"),
    c(G, "ASI03", "Identity and Privilege Abuse"),
    c(G, "ASI04", "Agentic Supply Chain Vulnerabilities"),
    c(G, "ASI05", "Unexpected Code Execution"),
    c(G, "ASI06", "Memory and Context Poisoning"),
    c(G, "ASI07", "Insecure Inter-Agent Communication"),
    c(G, "ASI08", "Cascading Failures"),
    c(G, "ASI09", "Human-Agent Trust Exploitation"),
    c(G, "ASI10", "Rogue Agents"),
    c(A, "AML.T0010", "AI Supply Chain Compromise"),
    c(A, "AML.T0011", "User Execution"),
    c(A, "AML.T0012", "Valid Accounts"),
    c(A, "AML.T0018", "Manipulate AI Model"),
    c(A, "AML.T0020", "Poison Training Data"),
    c(A, "AML.T0025", "Exfiltration via Cyber Means"),
    c(A, "AML.T0029", "Denial of AI Service"),
    c(A, "AML.T0035", "AI Artifact Collection"),
    c(A, "AML.T0036", "Data from Information Repositories"),
    c(A, "AML.T0040", "AI Model Inference API Access"),
    c(A, "AML.T0044", "Full AI Model Access"),
    c(A, "AML.T0048", "External Harms"),
    c(A, "AML.T0049", "Exploit Public-Facing Application"),
    c(A, "AML.T0051", "LLM Prompt Injection"),
    c(A, "AML.T0053", "AI Agent Tool Invocation"),
    c(A, "AML.T0054", "LLM Jailbreak"),
    c(A, "AML.T0056", "Extract LLM System Prompt"),
    c(A, "AML.T0055", "Unsecured Credentials"),
    c(A, "AML.T0057", "LLM Data Leakage"),
    c(A, "AML.T0070", "RAG Poisoning"),
    c(
        H,
        "IAM.1",
        "IAM policies should not allow full \"*\" administrative privileges",
    ),
    c(
        H,
        "IAM.21",
        "IAM customer managed policies that you create should not allow wildcard actions for services",
    ),
    c(
        H,
        "IAM.3",
        "IAM users' access keys should be rotated every 90 days or less",
    ),
    c(H, "KMS.4", "AWS KMS key rotation should be enabled"),
    c(
        H,
        "S3.1",
        "S3 general purpose buckets should have block public access settings enabled",
    ),
    c(
        H,
        "BedrockAgentCore.1",
        "Bedrock AgentCore runtimes should be configured with VPC network mode",
    ),
    c(
        H,
        "BedrockAgentCore.2",
        "Bedrock AgentCore gateways should require authorization for inbound requests",
    ),
    c(
        H,
        "BedrockAgentCore.3",
        "Bedrock AgentCore memory should be encrypted with a customer managed AWS KMS key",
    ),
    c(
        H,
        "BedrockAgentCore.4",
        "Bedrock AgentCore gateways should be encrypted with a customer managed AWS KMS key",
    ),
    c(
        H,
        "BedrockAgentCore.5",
        "Bedrock AgentCore custom browsers should not be configured with public network mode",
    ),
    c(
        H,
        "BedrockAgentCore.6",
        "Bedrock AgentCore browsers should have session recording enabled",
    ),
    c(
        H,
        "BedrockAgentCore.7",
        "Bedrock AgentCore code interpreters should be configured with a private network mode",
    ),
    c(
        H,
        "S3.2",
        "S3 general purpose buckets should block public read access",
    ),
    c(
        H,
        "S3.3",
        "S3 general purpose buckets should block public write access",
    ),
    c(
        H,
        "S3.6",
        "S3 general purpose bucket policies should restrict access to other AWS accounts",
    ),
    c(
        H,
        "S3.8",
        "S3 general purpose buckets should block public access",
    ),
    c(
        H,
        "S3.14",
        "S3 general purpose buckets should have versioning enabled",
    ),
    c(
        H,
        "S3.17",
        "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
    ),
    c(
        H,
        "SageMaker.1",
        "Amazon SageMaker notebook instances should not have direct internet access",
    ),
    c(
        H,
        "SageMaker.2",
        "SageMaker notebook instances should be launched in a custom VPC",
    ),
    c(
        H,
        "SageMaker.3",
        "Users should not have root access to SageMaker notebook instances",
    ),
    c(
        H,
        "SageMaker.4",
        "SageMaker endpoint production variants should have an initial instance count greater than 1",
    ),
    c(
        H,
        "SageMaker.5",
        "SageMaker models should have network isolation enabled",
    ),
    c(
        H,
        "SageMaker.8",
        "SageMaker notebook instances should run on supported platforms",
    ),
    c(
        H,
        "SageMaker.9",
        "SageMaker data quality job definitions should have inter-container traffic encryption enabled",
    ),
    c(
        H,
        "SageMaker.10",
        "SageMaker model explainability job definitions should have inter-container traffic encryption enabled",
    ),
    c(
        H,
        "SageMaker.11",
        "SageMaker data quality job definitions should have network isolation enabled",
    ),
    c(
        H,
        "SageMaker.12",
        "SageMaker model bias job definitions should have network isolation enabled",
    ),
    c(
        H,
        "SageMaker.13",
        "SageMaker model quality job definitions should have inter-container traffic encryption enabled",
    ),
    c(
        H,
        "SageMaker.15",
        "SageMaker model bias job definitions should have inter-container traffic encryption enabled",
    ),
    c(
        H,
        "SageMaker.16",
        "SageMaker models should use private registry in VPC for primary containers",
    ),
    c(
        H,
        "SageMaker.17",
        "SageMaker feature group offline stores should be encrypted with AWS KMS keys",
    ),
    c(
        H,
        "SageMaker.18",
        "SageMaker feature group online stores with standard storage should be encrypted with AWS KMS keys",
    ),
    c(
        H,
        "SageMaker.19",
        "SageMaker models should use private registry in VPC for multi-container inference pipelines",
    ),
    c(
        H,
        "SageMaker.21",
        "SageMaker notebook instances should be encrypted with customer managed AWS KMS keys",
    ),
    c(
        H,
        "SageMaker.20",
        "SageMaker model explainability job definitions should have network isolation enabled",
    ),
    c(
        H,
        "SageMaker.25",
        "SageMaker model quality job definitions should have network isolation enabled",
    ),
    c(
        H,
        "SecretsManager.1",
        "Secrets Manager secrets should have automatic rotation enabled",
    ),
];

/// The control with this id in this framework.
pub fn control(framework: Framework, id: &str) -> Option<&'static Control> {
    CONTROLS
        .iter()
        .find(|c| c.framework == framework && c.id == id)
}

/// A rule's cited ids, by framework.
pub fn cited(m: &super::RuleMeta) -> [(Framework, &'static [&'static str]); 4] {
    [
        (Framework::OwaspLlm, m.owasp_llm),
        (Framework::OwaspAgentic, m.owasp_agentic),
        (Framework::MitreAtlas, m.mitre_atlas),
        (Framework::SecurityHub, m.aws_security_hub),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AssetType;
    use crate::rules::RULES;

    #[test]
    fn every_id_a_rule_cites_is_in_the_table() {
        let mut missing = Vec::new();
        for r in RULES {
            for (fw, ids) in cited(&r.meta) {
                for id in ids {
                    if control(fw, id).is_none() {
                        missing.push(format!("{} cites {fw:?} {id}", r.meta.id));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in rules::mappings::CONTROLS: {missing:?}"
        );
    }

    #[test]
    fn the_table_has_each_id_once_and_no_empty_title() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CONTROLS {
            assert!(seen.insert((c.framework, c.id)), "{} twice", c.id);
            assert!(!c.title.is_empty());
        }
        assert!(control(Framework::SecurityHub, "Bedrock.1").is_none());
        assert!(control(Framework::OwaspLlm, "ASI01").is_none());
    }

    #[test]
    fn every_agent_tool_and_ai_identity_rule_maps_to_the_agentic_top_10() {
        let agentic = [
            AssetType::BedrockAgent,
            AssetType::IamRole,
            AssetType::IamUser,
            AssetType::LambdaFunction,
            AssetType::IamAccessKey,
            AssetType::BedrockAgentcoreRuntime,
            AssetType::BedrockAgentcoreGateway,
        ];
        let unmapped: Vec<&str> = RULES
            .iter()
            .filter(|r| {
                (r.meta.id.starts_with("identity_")
                    || r.meta.id.contains("agent")
                    || r.meta.resource_types.iter().any(|t| agentic.contains(t)))
                    && r.meta.owasp_agentic.is_empty()
            })
            .map(|r| r.meta.id)
            .collect();
        assert!(unmapped.is_empty(), "no ASI id: {unmapped:?}");
    }
}
