//! Collectors: one per service and resource kind, each a list + describe over
//! the official SDK that turns AWS's answer into [`Asset`]s and evidence-carrying
//! [`Edge`]s. The registry at the bottom is the single list the scanner runs.
//!
//! A collector either returns everything it was asked for or fails with a
//! [`CollectError`]; the scanner turns that into a "not assessed" coverage
//! record. Sub-resources that a collector reads on the side (an agent's action
//! groups) report their own coverage through [`Batch::coverage`].

pub mod agentcore;
pub mod bedrock;
pub mod bedrock_agent;
pub mod iam;
pub mod kms;
mod lambda;
mod organizations;
pub mod s3;
pub mod sagemaker;
pub mod secrets;
mod util;
mod vectors;

use std::future::Future;
use std::pin::Pin;

use aws_types::SdkConfig;

use crate::aws::{Clients, CollectError, RequestCounter};
use crate::model::{Asset, Coverage, Edge};

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

/// A boxed collector future.
pub type CollectFuture<'a> = Pin<Box<dyn Future<Output = Result<Batch, CollectError>> + Send + 'a>>;

/// One registered collector.
#[derive(Clone, Copy)]
pub struct CollectorSpec {
    /// Stable id, `service.resource`, used in coverage records.
    pub id: &'static str,
    /// Global or regional.
    pub scope: Scope,
    /// The collector.
    pub run: for<'a> fn(&'a Ctx) -> CollectFuture<'a>,
}

impl std::fmt::Debug for CollectorSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectorSpec")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .finish()
    }
}

macro_rules! spec {
    ($id:literal, $scope:ident, $f:path) => {
        CollectorSpec {
            id: $id,
            scope: Scope::$scope,
            run: |ctx| Box::pin($f(ctx)),
        }
    };
}

/// Every collector, sorted by id.
pub const REGISTRY: &[CollectorSpec] = &[
    spec!("bedrock.custom_models", Regional, bedrock::custom_models),
    spec!(
        "bedrock.customization_jobs",
        Regional,
        bedrock::customization_jobs
    ),
    spec!("bedrock.guardrails", Regional, bedrock::guardrails),
    spec!(
        "bedrock.invocation_logging",
        Regional,
        bedrock::invocation_logging
    ),
    spec!(
        "bedrock.provisioned_throughput",
        Regional,
        bedrock::provisioned_throughput
    ),
    spec!("bedrock_agent.agents", Regional, bedrock_agent::agents),
    spec!(
        "bedrock_agent.knowledge_bases",
        Regional,
        bedrock_agent::knowledge_bases
    ),
    spec!("bedrock_agentcore.gateways", Regional, agentcore::gateways),
    spec!("bedrock_agentcore.runtimes", Regional, agentcore::runtimes),
    spec!(
        "iam.authorization_details",
        Global,
        iam::authorization_details
    ),
    spec!("kms.keys", Regional, kms::keys),
    spec!("lambda.functions", Regional, lambda::functions),
    spec!(
        "opensearch_serverless.collections",
        Regional,
        vectors::aoss_collections
    ),
    spec!("organizations.policies", Global, organizations::policies),
    spec!("s3.buckets", Global, s3::buckets),
    spec!(
        "s3vectors.vector_buckets",
        Regional,
        vectors::vector_buckets
    ),
    spec!("sagemaker.domains", Regional, sagemaker::domains),
    spec!(
        "sagemaker.endpoint_configs",
        Regional,
        sagemaker::endpoint_configs
    ),
    spec!("sagemaker.endpoints", Regional, sagemaker::endpoints),
    spec!(
        "sagemaker.feature_groups",
        Regional,
        sagemaker::feature_groups
    ),
    spec!(
        "sagemaker.model_package_groups",
        Regional,
        sagemaker::model_package_groups
    ),
    spec!("sagemaker.models", Regional, sagemaker::models),
    spec!(
        "sagemaker.notebook_instances",
        Regional,
        sagemaker::notebook_instances
    ),
    spec!("sagemaker.pipelines", Regional, sagemaker::pipelines),
    spec!(
        "sagemaker.processing_jobs",
        Regional,
        sagemaker::processing_jobs
    ),
    spec!(
        "sagemaker.training_jobs",
        Regional,
        sagemaker::training_jobs
    ),
    spec!(
        "sagemaker.transform_jobs",
        Regional,
        sagemaker::transform_jobs
    ),
    spec!("sagemaker.tuning_jobs", Regional, sagemaker::tuning_jobs),
    spec!(
        "sagemaker.user_profiles",
        Regional,
        sagemaker::user_profiles
    ),
    spec!("secretsmanager.secrets", Regional, secrets::secrets),
];

/// The collector with this id.
pub fn collector(id: &str) -> Option<&'static CollectorSpec> {
    REGISTRY.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        let ids: Vec<_> = REGISTRY.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
