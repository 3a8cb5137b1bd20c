//! The rules catalog: one rule per file, grouped by family, each declaring its
//! metadata (id, severity, inputs, remediation, framework mappings) next to a
//! pure `evaluate` over the inventory. [`RULES`] is the registry, sorted by id.
//!
//! A rule lists the collectors it reads. Where one of them was not assessed for
//! an account and region, [`evaluate`] emits a `rule:<id>` coverage record
//! saying so: a check that could not look never passes silently.

pub mod bedrock;
pub mod docs;
pub mod gaps;
pub mod governance;
pub mod identity;
pub mod kms;
pub mod mappings;
pub mod path;
pub mod policy;
pub mod s3;
pub mod sagemaker;
pub mod secretsmanager;

#[cfg(test)]
mod scoring_tests;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::access::Access;
use crate::model::{
    AssetType, Coverage, Finding, FindingEvidence, FindingStatus, Frameworks, Inventory, NistAiRmf,
    Remediation, Severity,
};

/// What a rule declares about itself.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// `<family>_<file stem>`, naming the risk.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Severity of the weakness.
    pub severity: Severity,
    /// Why it matters.
    pub rationale: &'static str,
    /// Asset types it reads.
    pub resource_types: &'static [AssetType],
    /// Collector ids whose data it needs.
    pub collectors: &'static [&'static str],
    /// How to fix it.
    pub remediation: &'static str,
    /// The automated remediation action id, if one exists.
    pub remediation_action: Option<&'static str>,
    /// Whether a hit means the resource is exposed (internet, anonymous or
    /// outside principals): raises the risk score.
    pub exposure: bool,
    /// OWASP Top 10 for LLM Applications 2025.
    pub owasp_llm: &'static [&'static str],
    /// OWASP Top 10 for Agentic Applications 2026 (`ASI01`..`ASI10`): agent,
    /// tool and AI identity rules.
    pub owasp_agentic: &'static [&'static str],
    /// MITRE ATLAS technique ids.
    pub mitre_atlas: &'static [&'static str],
    /// NIST AI RMF functions.
    pub nist_ai_rmf: &'static [NistAiRmf],
    /// AWS Security Hub controls.
    pub aws_security_hub: &'static [&'static str],
    /// Attributes the rule cannot judge without. Where a collector marked one
    /// of them unreported on an asset of `resource_types` (the API answer
    /// lacked it, see `Asset::set_reported`), the rule skips that asset and
    /// records a `not_reported` coverage gap for its account and region:
    /// never a pass. `policy` also says the rule reads the resource policy:
    /// one the IAM engine cannot parse is a `policy_not_understood` gap
    /// ([`gaps`]).
    pub needs: &'static [&'static str],
    /// Peer checks this rule covers (`prowler:...`).
    pub covers: &'static [&'static str],
}

impl RuleMeta {
    /// The framework mappings as a finding carries them.
    pub fn frameworks(&self) -> Frameworks {
        Frameworks {
            owasp_llm: self.owasp_llm.iter().map(|s| (*s).to_owned()).collect(),
            owasp_agentic: self.owasp_agentic.iter().map(|s| (*s).to_owned()).collect(),
            mitre_atlas: self.mitre_atlas.iter().map(|s| (*s).to_owned()).collect(),
            nist_ai_rmf: self.nist_ai_rmf.to_vec(),
            aws_security_hub: self
                .aws_security_hub
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// One resource a rule flags, with the facts that made it flag it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The flagged resource.
    pub resource_arn: String,
    /// Fields read and values seen.
    pub evidence: Vec<FindingEvidence>,
}

/// Settings rules read: which tag keys carry ownership and context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// Tag keys naming an owner (any one suffices).
    pub owner_tag_keys: Vec<String>,
    /// Tag keys naming a business purpose.
    pub purpose_tag_keys: Vec<String>,
    /// Tag keys naming the environment.
    pub environment_tag_keys: Vec<String>,
    /// Tag keys naming data sensitivity.
    pub classification_tag_keys: Vec<String>,
    /// Tag keys marking a data store as AI data (any value but `false`, `no`
    /// or `0`), in AI scope whether or not a workload is seen using it.
    pub ai_data_tag_keys: Vec<String>,
    /// Regions AI workloads may run in; empty means any.
    pub approved_regions: Vec<String>,
    /// Accounts AI workloads may run in; empty means any.
    pub approved_accounts: Vec<String>,
    /// Days without use after which a key or AI role counts as unused.
    pub unused_days: u32,
    /// The evaluation time (unix seconds): set by [`evaluate`] from the time
    /// it is handed (rules never read the clock); tests pin it. `None` counts
    /// nothing as unused.
    pub now: Option<i64>,
}

impl RuleConfig {
    /// The tag keys the risk score reads.
    pub fn tag_keys(&self) -> crate::risk::TagKeys<'_> {
        crate::risk::TagKeys {
            environment: &self.environment_tag_keys,
            classification: &self.classification_tag_keys,
        }
    }

    /// The unix time before which a last use counts as unused.
    pub fn unused_before(&self) -> i64 {
        match self.now {
            Some(now) => now - i64::from(self.unused_days) * 86_400,
            None => i64::MIN,
        }
    }
}

impl Default for RuleConfig {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect();
        Self {
            owner_tag_keys: v(&["owner", "team"]),
            purpose_tag_keys: v(&["purpose", "application"]),
            environment_tag_keys: v(&["environment", "env", "stage"]),
            classification_tag_keys: v(&["data-classification", "classification"]),
            ai_data_tag_keys: v(&["ai-data"]),
            approved_regions: Vec::new(),
            approved_accounts: Vec::new(),
            unused_days: 90,
            now: None,
        }
    }
}

/// A rule: metadata plus a pure evaluation.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Metadata.
    pub meta: RuleMeta,
    /// Finds the resources that break the rule.
    pub evaluate: Evaluate,
}

/// How a rule evaluates.
#[derive(Clone, Copy)]
pub enum Evaluate {
    /// Over the inventory.
    Inventory(fn(&Inventory, &RuleConfig) -> Vec<Hit>),
    /// Over the inventory and its IAM snapshots (built once per evaluation
    /// for all the rules that ask the IAM engine).
    Iam(fn(&Inventory, &RuleConfig, &Access) -> Vec<Hit>),
    /// Over the inventory and its AI data scope ([`s3::scope`]: the buckets
    /// AI workloads use or their identities can reach), built once per
    /// evaluation from the IAM snapshots; such a rule asks the engine about
    /// identities' permissions only.
    DataScope(fn(&Inventory, &RuleConfig, &s3::scope::AiScope) -> Vec<Hit>),
    /// Over the IAM snapshots of several accounts, for a rule that needs
    /// another account's IAM: `unseen` names the scopes where this view lacks
    /// it (a one-account scan, the sweep's per-account reconcile), which are
    /// the rule's gaps, never passes.
    IamAcross {
        /// Finds the resources that break the rule.
        hits: fn(&Inventory, &RuleConfig, &Access) -> Vec<Hit>,
        /// Where the view lacks an account the rule would have to ask about.
        unseen: fn(&Inventory, &Access) -> Vec<Coverage>,
    },
}

/// What rules share in one evaluation, built on first use: the IAM
/// snapshots, and the AI data scope derived from them.
#[derive(Default)]
pub(crate) struct Shared {
    access: std::cell::OnceCell<Access>,
    scope: std::cell::OnceCell<s3::scope::AiScope>,
}

impl Shared {
    /// The IAM snapshots of `inv`.
    pub(crate) fn access(&self, inv: &Inventory) -> &Access {
        self.access.get_or_init(|| Access::from_inventory(inv))
    }

    /// The AI data scope of `inv`.
    fn scope(&self, inv: &Inventory, cfg: &RuleConfig) -> &s3::scope::AiScope {
        self.scope
            .get_or_init(|| s3::scope::ai_buckets(inv, cfg, self.access(inv)))
    }
}

impl Rule {
    /// The resources this rule flags in `inv` (building the IAM snapshots
    /// if the rule needs them).
    pub fn hits(&self, inv: &Inventory, cfg: &RuleConfig) -> Vec<Hit> {
        self.hits_with(inv, cfg, &Shared::default())
    }

    /// [`Rule::hits`] of a rule that reads at most the AI data scope, over a
    /// scope already built (attack paths built on data rules); an engine rule
    /// has nothing to read here and flags nothing.
    pub(crate) fn hits_in_scope(
        &self,
        inv: &Inventory,
        cfg: &RuleConfig,
        scope: &s3::scope::AiScope,
    ) -> Vec<Hit> {
        match self.evaluate {
            Evaluate::Inventory(f) => f(inv, cfg),
            Evaluate::DataScope(f) => f(inv, cfg, scope),
            Evaluate::Iam(_) | Evaluate::IamAcross { .. } => Vec::new(),
        }
    }

    /// [`Rule::hits`] with what rules share built once across them (rules
    /// that build on other rules' answers, such as attack paths, pass theirs).
    pub(crate) fn hits_with(&self, inv: &Inventory, cfg: &RuleConfig, shared: &Shared) -> Vec<Hit> {
        match self.evaluate {
            Evaluate::Inventory(f) => f(inv, cfg),
            Evaluate::Iam(f) | Evaluate::IamAcross { hits: f, .. } => {
                f(inv, cfg, shared.access(inv))
            }
            Evaluate::DataScope(f) => f(inv, cfg, shared.scope(inv, cfg)),
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.meta.id).finish()
    }
}

/// Every rule, sorted by id.
pub const RULES: &[Rule] = &[
    bedrock::agent_idle_session_long::RULE,
    bedrock::agent_role_shared::RULE,
    bedrock::agent_without_guardrail::RULE,
    bedrock::agentcore_browser_public_network::RULE,
    bedrock::agentcore_browser_recording_disabled::RULE,
    bedrock::agentcore_code_interpreter_public_network::RULE,
    bedrock::agentcore_gateway_target_weak::RULE,
    bedrock::agentcore_gateway_weak::RULE,
    bedrock::agentcore_memory_without_cmk::RULE,
    bedrock::agentcore_runtime_public_network::RULE,
    bedrock::agentcore_workload_identity_insecure_return_url::RULE,
    bedrock::batch_inference_output_without_cmk::RULE,
    bedrock::custom_model_without_cmk::RULE,
    bedrock::flow_without_cmk::RULE,
    bedrock::flow_without_guardrail::RULE,
    bedrock::guardrail_content_filter_weak::RULE,
    bedrock::guardrail_grounding_missing::RULE,
    bedrock::guardrail_prompt_attack_weak::RULE,
    bedrock::guardrail_sensitive_info_missing::RULE,
    bedrock::guardrails_missing::RULE,
    bedrock::invocation_logging_disabled::RULE,
    bedrock::invocation_logging_text_disabled::RULE,
    bedrock::invocation_logs_unencrypted::RULE,
    bedrock::knowledge_base_without_cmk::RULE,
    bedrock::prompt_management_unused::RULE,
    bedrock::prompt_without_cmk::RULE,
    bedrock::runtime_without_vpc_endpoint::RULE,
    governance::asset_outside_approved_scope::RULE,
    governance::asset_without_owner::RULE,
    governance::asset_without_purpose::RULE,
    identity::access_key_can_invoke_models::RULE,
    identity::access_key_unused::RULE,
    identity::ai_full_access_policy_attached::RULE,
    identity::ai_role_admin::RULE,
    identity::ai_role_broad_data_access::RULE,
    identity::ai_role_unused::RULE,
    identity::ai_role_whole_service::RULE,
    identity::bedrock_api_key_admin_user::RULE,
    identity::bedrock_api_key_long_term::RULE,
    identity::compromised_key_quarantine_attached::RULE,
    identity::invoke_without_guardrail_enforcement::RULE,
    identity::role_trust_any_principal::RULE,
    kms::ai_key_rotation_disabled::RULE,
    path::agent_excessive_agency::RULE,
    path::cross_account_training_data::RULE,
    path::exposed_key_blast_radius::RULE,
    path::poisonable_training_data::RULE,
    path::rag_poisoning::RULE,
    path::unowned_endpoint_reads_data::RULE,
    s3::ai_bucket_no_public_access_block::RULE,
    s3::ai_bucket_versioning_disabled::RULE,
    s3::ai_bucket_without_kms::RULE,
    s3::bucket_public_read::RULE,
    s3::bucket_public_write::RULE,
    s3::bucket_writable_outside_org::RULE,
    s3::vector_store_public::RULE,
    s3::vector_store_without_cmk::RULE,
    sagemaker::domain_iam_auth::RULE,
    sagemaker::domain_public_internet::RULE,
    sagemaker::endpoint_config_single_instance::RULE,
    sagemaker::endpoint_config_without_kms::RULE,
    sagemaker::endpoint_model_not_from_registry::RULE,
    sagemaker::endpoint_not_monitored::RULE,
    sagemaker::endpoint_without_bias_monitoring::RULE,
    sagemaker::feature_group_without_kms::RULE,
    sagemaker::inference_experiment_without_kms::RULE,
    sagemaker::job_inter_container_encryption_disabled::RULE,
    sagemaker::job_network_isolation_disabled::RULE,
    sagemaker::job_storage_without_kms::RULE,
    sagemaker::job_without_vpc::RULE,
    sagemaker::model_image_not_from_vpc_registry::RULE,
    sagemaker::model_network_isolation_disabled::RULE,
    sagemaker::model_public_registry_image::RULE,
    sagemaker::model_without_vpc::RULE,
    sagemaker::monitoring_job_inter_container_encryption_disabled::RULE,
    sagemaker::monitoring_job_network_isolation_disabled::RULE,
    sagemaker::notebook_direct_internet_access::RULE,
    sagemaker::notebook_lifecycle_secrets::RULE,
    sagemaker::notebook_outdated_platform::RULE,
    sagemaker::notebook_root_access::RULE,
    sagemaker::notebook_without_kms::RULE,
    sagemaker::notebook_without_vpc::RULE,
    secretsmanager::ai_secret_without_rotation::RULE,
    secretsmanager::secret_readable_outside_org::RULE,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.meta.id == id)
}

/// A finding id stable across scans: derived from the rule and the resource.
pub fn finding_id(rule_id: &str, resource_arn: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(resource_arn.as_bytes());
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Runs every rule at time `now`: findings sorted by risk (highest first),
/// plus a `rule:<id>` coverage record wherever a rule's input was not
/// assessed.
pub fn evaluate(
    inv: &Inventory,
    cfg: &RuleConfig,
    now: crate::model::Timestamp,
) -> (Vec<Finding>, Vec<Coverage>) {
    let cfg = &RuleConfig {
        now: Some(now.unix_secs()),
        ..cfg.clone()
    };
    let shared = Shared::default();
    let mut findings = Vec::new();
    let mut coverage = Vec::new();
    for rule in RULES {
        let m = &rule.meta;
        coverage.extend(gaps::of_rule(inv, rule, &shared));
        let hits = rule.hits_with(inv, cfg, &shared);
        for hit in hits {
            let asset = inv.asset(&hit.resource_arn);
            let (account_id, region, resource_type) = match asset {
                Some(a) => (a.account_id.clone(), a.region.clone(), a.asset_type),
                None => continue,
            };
            let risk_score = crate::risk::score(m.severity, m.exposure, asset, inv, cfg.tag_keys());
            let key = asset.and_then(access_key);
            let mut evidence = hit.evidence;
            if let Some((_, id)) = key {
                evidence.push(FindingEvidence::new(
                    "iam:ListAccessKeys",
                    "AccessKeyId",
                    id,
                ));
            }
            findings.push(Finding {
                id: match key {
                    Some((user, id)) => finding_id(m.id, &format!("{user} {id}")),
                    None => finding_id(m.id, &hit.resource_arn),
                },
                rule_id: m.id.to_owned(),
                title: m.title.to_owned(),
                severity: m.severity,
                risk_score,
                status: FindingStatus::Open,
                account_id,
                region,
                resource_arn: hit.resource_arn,
                resource_type,
                access_key_id: key.map(|(_, id)| id.to_owned()),
                evidence,
                remediation: Remediation {
                    text: m.remediation.to_owned(),
                    action: m.remediation_action.map(str::to_owned),
                },
                frameworks: m.frameworks(),
                related: Vec::new(),
            });
        }
    }
    link_paths(&mut findings);
    // An access key's graph node (`<user ARN>/accesskey/<id>`) is no ARN AWS
    // knows: its findings name the user, and the key in their own field
    // (paths were linked by node above).
    for f in findings.iter_mut().filter(|f| f.access_key_id.is_some()) {
        if let Some((user, _)) = inv.asset(&f.resource_arn).and_then(access_key) {
            f.resource_arn = user.to_owned();
        }
    }
    // Bounded evidence in every output (after the paths' links are made
    // from their full asset lists).
    for f in &mut findings {
        crate::model::evidence_cap::cap_evidence(&mut f.evidence);
    }
    findings.sort_by(|a, b| {
        b.risk_score
            .cmp(&a.risk_score)
            .then(is_path(b).cmp(&is_path(a)))
            .then(b.severity.cmp(&a.severity))
            .then(a.rule_id.cmp(&b.rule_id))
            .then(a.resource_arn.cmp(&b.resource_arn))
    });
    (findings, coverage)
}

/// An access key asset's user ARN and key id.
fn access_key(a: &crate::model::Asset) -> Option<(&str, &str)> {
    if a.asset_type != crate::model::AssetType::IamAccessKey {
        return None;
    }
    Some((a.str_attr("user_arn")?, a.name.as_str()))
}

/// Whether a finding is an attack path.
pub fn is_path(f: &Finding) -> bool {
    f.rule_id.starts_with("path_")
}

/// Links each attack path with the findings on the assets it crosses (both
/// ways) and ranks it above them: its risk becomes at least the riskiest
/// part's plus [`crate::risk::PATH_MARGIN`] (capped at 100; ties sort paths
/// first).
fn link_paths(findings: &mut [Finding]) {
    let mut links: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate().filter(|(_, f)| is_path(f)) {
        let assets = path::path_assets(&f.evidence);
        let parts: Vec<usize> = findings
            .iter()
            .enumerate()
            .filter(|(j, p)| *j != i && !is_path(p) && assets.contains(&p.resource_arn.as_str()))
            .map(|(j, _)| j)
            .collect();
        links.push((i, parts));
    }
    for (i, parts) in links {
        let top = parts
            .iter()
            .map(|&j| findings[j].risk_score)
            .max()
            .unwrap_or(0);
        let path_id = findings[i].id.clone();
        let mut related = Vec::new();
        for &j in &parts {
            related.push(findings[j].id.clone());
            if !findings[j].related.contains(&path_id) {
                findings[j].related.push(path_id.clone());
            }
        }
        related.sort();
        let f = &mut findings[i];
        f.related = related;
        f.risk_score = f
            .risk_score
            .max(top.saturating_add(crate::risk::PATH_MARGIN).min(100));
    }
}

/// Hits on the assets of `types` for which `check` returns evidence (an empty
/// list means the asset passes).
pub(crate) fn flag(
    inv: &Inventory,
    types: &[AssetType],
    check: impl Fn(&crate::model::Asset) -> Vec<FindingEvidence>,
) -> Vec<Hit> {
    inv.assets
        .iter()
        .filter(|a| types.contains(&a.asset_type))
        .filter_map(|a| {
            let evidence = check(a);
            (!evidence.is_empty()).then(|| Hit {
                resource_arn: a.arn.clone(),
                evidence,
            })
        })
        .collect()
}

/// Evidence shorthand.
pub(crate) fn ev(
    source: &str,
    field: &str,
    value: impl Into<serde_json::Value>,
) -> FindingEvidence {
    FindingEvidence::new(source, field, value)
}

/// Where a list could not be read: the (account, region) scopes whose
/// coverage record for one of some collectors is not assessed, and the
/// accounts that could not be entered at all. An absence there ("no
/// guardrail", "no monitoring schedule") is no evidence, and stays the
/// rule's coverage gap.
pub(crate) struct Unlisted<'a> {
    scopes: std::collections::BTreeSet<(&'a str, &'a str)>,
    accounts: std::collections::BTreeSet<&'a str>,
}

impl<'a> Unlisted<'a> {
    /// The scopes where any of `collectors` failed.
    pub(crate) fn new(inv: &'a Inventory, collectors: &[&str]) -> Self {
        let failed = |c: &&'a Coverage| !c.is_assessed();
        Self {
            scopes: inv
                .coverage
                .iter()
                .filter(failed)
                .filter(|c| collectors.contains(&c.collector.as_str()))
                .map(|c| (c.account_id.as_str(), c.region.as_str()))
                .collect(),
            accounts: inv
                .coverage
                .iter()
                .filter(failed)
                .filter(|c| c.collector == "account")
                .map(|c| c.account_id.as_str())
                .collect(),
        }
    }

    /// Whether an absence in this account and region says nothing.
    pub(crate) fn here(&self, account: &str, region: &str) -> bool {
        self.accounts.contains(account) || self.scopes.contains(&(account, region))
    }
}

/// The assets of type `t` read without `attr` (no customer key, no
/// guardrail: the API left the setting unset), each with one null-valued
/// evidence item for `field` of `source`.
pub(crate) fn flag_absent(
    inv: &Inventory,
    t: AssetType,
    attr: &str,
    source: &str,
    field: &str,
) -> Vec<Hit> {
    flag(inv, &[t], |a| {
        if a.str_attr(attr).is_some() {
            return Vec::new();
        }
        vec![ev(source, field, serde_json::Value::Null)]
    })
}

/// Assets of one type.
pub(crate) fn of_type(inv: &Inventory, t: AssetType) -> impl Iterator<Item = &crate::model::Asset> {
    inv.assets.iter().filter(move |a| a.asset_type == t)
}

#[cfg(test)]
pub(crate) mod testkit {
    use crate::model::{Asset, AssetType, Inventory};

    /// An inventory of the given assets.
    pub fn inv(assets: Vec<Asset>) -> Inventory {
        Inventory {
            assets,
            ..Inventory::default()
        }
    }

    /// The resources `rule` flags in `inv` (default configuration).
    pub fn flagged(rule: &super::Rule, inv: &Inventory) -> Vec<String> {
        rule.hits(inv, &super::RuleConfig::default())
            .into_iter()
            .map(|h| h.resource_arn)
            .collect()
    }

    /// An asset in account 111111111111, us-east-1.
    pub fn asset(t: AssetType, arn: &str, attrs: serde_json::Value) -> Asset {
        let mut a = Asset::new(
            arn,
            t,
            arn.rsplit('/').next().unwrap_or(arn),
            "111111111111",
            "us-east-1",
        );
        if let serde_json::Value::Object(m) = attrs {
            a.attributes = m.into_iter().collect();
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NotAssessedReason;

    #[test]
    fn registry_is_sorted_unique_and_complete() {
        let ids: Vec<_> = RULES.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for r in RULES {
            let m = &r.meta;
            assert!(!m.collectors.is_empty(), "{} reads nothing", m.id);
            assert!(
                !m.nist_ai_rmf.is_empty(),
                "{} has no NIST AI RMF function",
                m.id
            );
            assert!(!m.remediation.is_empty(), "{} has no remediation", m.id);
            for c in m.collectors {
                assert!(
                    crate::collect::collector(c).is_some()
                        || crate::collect::SIDE_READS.contains(c),
                    "{}: unknown collector {c}",
                    m.id
                );
            }
        }
    }

    #[test]
    fn finding_ids_are_stable_and_distinct() {
        let a = finding_id("r1", "arn:x");
        assert_eq!(a, finding_id("r1", "arn:x"));
        assert_ne!(a, finding_id("r2", "arn:x"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn access_key_findings_name_the_user_and_the_key() {
        let user = "arn:aws:iam::111111111111:user/ci";
        let key = |id: &str| {
            let mut k = testkit::asset(
                crate::model::AssetType::IamAccessKey,
                &format!("{user}/accesskey/{id}"),
                serde_json::json!({"status": "Active", "user_arn": user,
                                   "create_date": "2020-01-01T00:00:00Z"}),
            );
            k.region = crate::model::GLOBAL_REGION.to_owned();
            k
        };
        let inv = testkit::inv(vec![key("AKIAONE"), key("AKIATWO")]);
        let (findings, _) = evaluate(
            &inv,
            &RuleConfig::default(),
            crate::model::Timestamp::from_millis(1_800_000_000_000),
        );
        let unused: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule_id == "identity_access_key_unused")
            .collect();
        assert_eq!(unused.len(), 2, "{findings:#?}");
        for f in &unused {
            assert_eq!(f.resource_arn, user);
            let id = f.access_key_id.as_deref().unwrap();
            assert_eq!(f.id, finding_id(&f.rule_id, &format!("{user} {id}")));
            assert!(
                f.evidence
                    .iter()
                    .any(|e| e.field == "AccessKeyId" && e.value == id)
            );
        }
        assert_ne!(unused[0].id, unused[1].id);
        // no other finding names an invented ARN either
        assert!(
            findings
                .iter()
                .all(|f| !f.resource_arn.contains("/accesskey/"))
        );
    }

    #[test]
    fn unassessed_input_yields_rule_coverage_not_a_pass() {
        // GIVEN the invocation-logging collector failed in one region
        let mut inv = Inventory::default();
        inv.coverage.push(Coverage::not_assessed(
            "111111111111",
            "eu-west-1",
            "bedrock.invocation_logging",
            NotAssessedReason::ApiUnavailable,
            "HTTP 500",
        ));
        // WHEN rules run
        let (findings, cov) =
            evaluate(&inv, &RuleConfig::default(), crate::model::Timestamp::now());
        // THEN no finding claims anything there, and the rule says it could not look
        assert!(findings.is_empty());
        let rec = cov
            .iter()
            .find(|c| c.collector == "rule:bedrock_invocation_logging_disabled")
            .expect("rule coverage record");
        assert_eq!(rec.region, "eu-west-1");
        assert_eq!(rec.reason, Some(NotAssessedReason::ApiUnavailable));
    }

    fn finding(rule_id: &str, arn: &str, risk: u8, evidence: Vec<FindingEvidence>) -> Finding {
        Finding {
            id: finding_id(rule_id, arn),
            rule_id: rule_id.to_owned(),
            title: String::new(),
            severity: Severity::High,
            risk_score: risk,
            status: FindingStatus::Open,
            account_id: "111111111111".to_owned(),
            region: "us-east-1".to_owned(),
            resource_arn: arn.to_owned(),
            resource_type: AssetType::S3Bucket,
            access_key_id: None,
            evidence,
            remediation: Remediation {
                text: String::new(),
                action: None,
            },
            frameworks: RULES[0].meta.frameworks(),
            related: Vec::new(),
        }
    }

    #[test]
    fn a_path_links_its_parts_both_ways_and_ranks_above_them() {
        // GIVEN a path over a bucket and a role, each with its own finding,
        // and an unrelated finding
        let assets = FindingEvidence::new(
            path::SOURCE,
            "assets",
            serde_json::json!(["arn:bucket", "arn:role"]),
        );
        let mut findings = vec![
            finding("s3_x", "arn:bucket", 95, vec![]),
            finding("identity_y", "arn:role", 60, vec![]),
            finding("sagemaker_z", "arn:other", 40, vec![]),
            finding("path_p", "arn:bucket", 80, vec![assets]),
        ];
        // WHEN paths are linked
        link_paths(&mut findings);
        // THEN the path outranks its riskiest part and names both parts
        let path = &findings[3];
        assert_eq!(path.risk_score, 100);
        assert_eq!(path.related.len(), 2);
        assert!(path.related.contains(&findings[0].id));
        let path_id = vec![path.id.clone()];
        assert_eq!(findings[0].related, path_id);
        assert_eq!(findings[1].related, path_id);
        assert!(findings[2].related.is_empty());
    }
}
