//! ## What it does
//! Flags SageMaker notebook instances whose lifecycle configuration scripts
//! (OnCreate, OnStart) hold credential-shaped text: AWS access key ids, secret
//! keys assigned as literals, OpenAI/Anthropic, Hugging Face, GitHub or Slack
//! tokens, private keys, passwords. The evidence names the script, the line
//! and the kind of secret, never the secret: the scripts are scanned in memory
//! and not stored. A notebook whose scripts could not be read is a
//! `not_reported` gap, not a pass.
//!
//! ## Why is this bad?
//! Lifecycle scripts are readable by anyone who can describe the configuration
//! and run as root on every start; a key written there is a long-lived
//! credential outside any secret store, unrotated, and copied into every
//! notebook that uses the configuration.
//!
//! ## Example
//! `export HF_TOKEN=hf_...` in an OnStart script; use instead
//! `export HF_TOKEN=$(aws secretsmanager get-secret-value ...)` with the secret
//! readable by the notebook's role.
//!
//! ## Remediation
//! Rotate the exposed credential first, then move it to Secrets Manager (or
//! the notebook role's own permissions for AWS access), read it at start-up,
//! and update the lifecycle configuration.
//!
//! ## References
//! - <https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html>

use crate::model::{AssetType, Inventory, NistAiRmf, Severity};
use crate::rules::{Evaluate, Hit, Rule, RuleConfig, RuleMeta, ev, flag};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sagemaker_notebook_lifecycle_secrets",
        title: "SageMaker notebook lifecycle script holds a hardcoded credential",
        severity: Severity::High,
        rationale: "A credential written into a lifecycle script is readable by whoever can describe it, never rotated, and copied to every notebook using the script.",
        resource_types: &[AssetType::SagemakerNotebookInstance],
        collectors: &["sagemaker.notebook_instances"],
        remediation: "Rotate the exposed credential, move it to Secrets Manager (or the notebook role's own permissions for AWS access), read it at start-up, and update the lifecycle configuration.",
        remediation_action: None,
        exposure: false,
        owasp_llm: &["LLM02", "LLM03"],
        owasp_agentic: &[],
        mitre_atlas: &["AML.T0055"],
        nist_ai_rmf: &[NistAiRmf::Manage],
        aws_security_hub: &[],
        needs: &["lifecycle_secrets"],
        covers: &["prowler:sagemaker_notebook_instance_no_secrets"],
    },
    evaluate: Evaluate::Inventory(evaluate),
};

fn evaluate(inv: &Inventory, _cfg: &RuleConfig) -> Vec<Hit> {
    flag(inv, &[AssetType::SagemakerNotebookInstance], |n| {
        match n
            .attributes
            .get("lifecycle_secrets")
            .and_then(serde_json::Value::as_array)
        {
            Some(found) if !found.is_empty() => vec![ev(
                "sagemaker:DescribeNotebookInstanceLifecycleConfig",
                &format!(
                    "{}.Content",
                    n.str_attr("lifecycle_config").unwrap_or("LifecycleConfig")
                ),
                serde_json::Value::Array(found.clone()),
            )],
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, flagged, inv};
    use serde_json::json;

    #[test]
    fn flags_notebooks_whose_scripts_hold_secrets_only() {
        let leaky = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/leaky",
            json!({"lifecycle_config": "setup", "lifecycle_secrets": [{"script": "OnStart", "line": 2, "kind": "hugging_face_token"}]}),
        );
        let clean = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/clean",
            json!({"lifecycle_config": "setup", "lifecycle_secrets": []}),
        );
        let unread = asset(
            AssetType::SagemakerNotebookInstance,
            "arn:nb/unread",
            json!({}),
        );
        let i = inv(vec![leaky, clean, unread]);
        assert_eq!(flagged(&RULE, &i), ["arn:nb/leaky"]);
        let hits = RULE.hits(&i, &RuleConfig::default());
        assert_eq!(hits[0].evidence[0].field, "setup.Content");
    }
}
