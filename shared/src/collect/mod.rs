//! Collectors: one per service and resource kind, each a list + describe over
//! the official SDK that turns AWS's answer into [`Asset`]s and evidence-carrying
//! [`Edge`]s. Each kind is declared once, as a [`ResourceSpec`] next to its
//! reader; [`SPECS`] is the single table the sweep and the event path use.
//!
//! A collector either returns everything it was asked for or fails with a
//! [`CollectError`]; the scanner turns that into a "not assessed" coverage
//! record. Sub-resources that a collector reads on the side (an agent's action
//! groups) report their own coverage through [`Batch::coverage`].

pub mod bedrock;
pub mod bedrock_agent;
pub mod bedrock_agentcore;
pub mod bedrock_agentcore_tools;
pub mod bedrock_inference;
pub mod ec2;
pub mod iam;
pub mod iam_bedrock_api_keys;
pub mod kms;
pub mod lambda;
pub mod opensearch_serverless;
pub mod organizations;
pub mod s3;
pub mod s3vectors;
pub mod sagemaker;
pub mod secret_scan;
pub mod secretsmanager;
pub mod spec;
pub mod util;

use aws_types::SdkConfig;

use crate::aws::{Clients, RequestCounter};
use crate::model::{Asset, Coverage, Edge};

pub use spec::{CollectFuture, EventCalls, ResourceSpec};

pub use util::{bucket_arn_from_s3_uri, kms_key_arn};

/// Whether a collector runs once per account or once per account and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per account (IAM, S3 bucket list, Organizations).
    Global,
    /// Once per account and region.
    Regional,
}

/// What a collector sees: one account, one region, and clients for both.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The account being scanned.
    pub account_id: String,
    /// The region (for global collectors, the home region their calls use).
    pub region: String,
    /// The partition (`aws`).
    pub partition: String,
    /// Clients for this account and region.
    pub clients: Clients,
    /// The account's SDK configuration, for collectors that need another region.
    pub sdk: SdkConfig,
    /// The request counter every client reports to.
    pub counter: RequestCounter,
    /// True when this account is the organization's management account (the
    /// only one that can read SCPs).
    pub is_management: bool,
}

impl Ctx {
    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` in this account and region.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{}:{}:{}:{}",
            self.partition, service, self.region, self.account_id, resource
        )
    }

    /// A new asset in this account and region.
    pub fn asset(&self, arn: impl Into<String>, t: crate::model::AssetType, name: &str) -> Asset {
        Asset::new(arn, t, name, &self.account_id, &self.region)
    }
}

/// What one collector found.
#[derive(Debug, Default)]
pub struct Batch {
    /// Assets found.
    pub assets: Vec<Asset>,
    /// Edges found.
    pub edges: Vec<Edge>,
    /// Coverage of sub-resources read on the side (besides the collector's own
    /// record, which the scanner writes).
    pub coverage: Vec<Coverage>,
}

impl Batch {
    /// One asset with its edges: what a single-resource reader returns.
    pub fn one(asset: Asset, edges: Vec<Edge>) -> Batch {
        Batch {
            assets: vec![asset],
            edges,
            coverage: Vec::new(),
        }
    }

    /// Batches joined in order.
    pub fn concat(items: impl IntoIterator<Item = Batch>) -> Batch {
        let mut out = Batch::default();
        for b in items {
            out.assets.extend(b.assets);
            out.edges.extend(b.edges);
            out.coverage.extend(b.coverage);
        }
        out
    }
}

/// Every resource kind, sorted by id: the sweep runs each one's `list`, the
/// event path re-reads with its `read` (see [`spec`]).
pub const SPECS: &[&ResourceSpec] = &[
    &bedrock_inference::BATCH_INFERENCE_JOBS,
    &bedrock::CUSTOM_MODELS,
    &bedrock::CUSTOMIZATION_JOBS,
    &bedrock::GUARDRAILS,
    &bedrock_inference::IMPORTED_MODELS,
    &bedrock::INVOCATION_LOGGING,
    &bedrock::PROVISIONED_THROUGHPUT,
    &bedrock_agent::agents::SPEC,
    &bedrock_agent::flows::SPEC,
    &bedrock_agent::knowledge_bases::SPEC,
    &bedrock_agent::prompts::SPEC,
    &bedrock_agentcore_tools::BROWSERS,
    &bedrock_agentcore_tools::CODE_INTERPRETERS,
    &bedrock_agentcore::GATEWAYS,
    &bedrock_agentcore_tools::MEMORIES,
    &bedrock_agentcore::RUNTIMES,
    &bedrock_agentcore_tools::WORKLOAD_IDENTITIES,
    &ec2::VPC_ENDPOINTS,
    &iam::SPEC,
    &iam_bedrock_api_keys::SPEC,
    &kms::SPEC,
    &lambda::SPEC,
    &opensearch_serverless::SPEC,
    &organizations::SPEC,
    &s3::SPEC,
    &s3vectors::SPEC,
    &sagemaker::domains::SPEC,
    &sagemaker::endpoint_configs::SPEC,
    &sagemaker::endpoints::SPEC,
    &sagemaker::feature_groups::SPEC,
    &sagemaker::inference_experiments::SPEC,
    &sagemaker::model_package_groups::SPEC,
    &sagemaker::models::SPEC,
    &sagemaker::monitoring_job_definitions::SPEC,
    &sagemaker::monitoring_schedules::SPEC,
    &sagemaker::notebook_instances::SPEC,
    &sagemaker::pipelines::SPEC,
    &sagemaker::processing_jobs::SPEC,
    &sagemaker::training_jobs::SPEC,
    &sagemaker::transform_jobs::SPEC,
    &sagemaker::tuning_jobs::SPEC,
    &sagemaker::user_profiles::SPEC,
    &secretsmanager::SPEC,
];

/// Reads some collectors make on the side, each reporting its own coverage
/// record (an agent's action groups, a knowledge base's data sources, the
/// account's S3 Block Public Access): a rule whose verdict depends on one
/// lists it among its inputs, so that where it could not be read the rule
/// says so instead of passing.
pub const SIDE_READS: &[&str] = &[
    "bedrock_agent.action_groups",
    "bedrock_agent.agent_knowledge_bases",
    "bedrock_agent.data_sources",
    "bedrock_agentcore.gateway_targets",
    "s3.account_public_access_block",
];

/// The resource kind (collector) with this id.
pub fn collector(id: &str) -> Option<&'static ResourceSpec> {
    SPECS.iter().copied().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        let ids: Vec<_> = SPECS.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
