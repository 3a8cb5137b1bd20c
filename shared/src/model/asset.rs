use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Coverage;

/// Every kind of asset aispm discovers. Serialised in snake_case, e.g.
/// `sagemaker_notebook_instance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetType {
    /// A SageMaker notebook instance.
    SagemakerNotebookInstance,
    /// A SageMaker Studio domain.
    SagemakerDomain,
    /// A SageMaker Studio user profile.
    SagemakerUserProfile,
    /// A SageMaker model.
    SagemakerModel,
    /// A SageMaker endpoint configuration.
    SagemakerEndpointConfig,
    /// A SageMaker endpoint.
    SagemakerEndpoint,
    /// A SageMaker training job.
    SagemakerTrainingJob,
    /// A SageMaker processing job.
    SagemakerProcessingJob,
    /// A SageMaker batch transform job.
    SagemakerTransformJob,
    /// A SageMaker hyperparameter tuning job.
    SagemakerTuningJob,
    /// A SageMaker pipeline.
    SagemakerPipeline,
    /// A SageMaker model package group (model registry).
    SagemakerModelPackageGroup,
    /// A SageMaker Feature Store feature group.
    SagemakerFeatureGroup,
    /// A SageMaker Model Monitor job definition (data quality, model quality,
    /// model bias or model explainability; attribute `kind`).
    SagemakerMonitoringJobDefinition,
    /// A SageMaker Model Monitor schedule (runs a job definition against an
    /// endpoint).
    SagemakerMonitoringSchedule,
    /// A SageMaker inference experiment (shadow test of a model variant).
    SagemakerInferenceExperiment,
    /// A Bedrock custom (fine-tuned or continued pre-training) model.
    BedrockCustomModel,
    /// A long-term Bedrock API key (IAM service-specific credential).
    BedrockApiKey,
    /// A Bedrock batch inference (model invocation) job.
    BedrockBatchInferenceJob,
    /// A Bedrock imported (Custom Model Import) model.
    BedrockImportedModel,
    /// A Bedrock model customization job.
    BedrockCustomizationJob,
    /// A Bedrock provisioned-throughput model.
    BedrockProvisionedThroughput,
    /// The Bedrock model invocation logging configuration of one region.
    BedrockInvocationLogging,
    /// A Bedrock guardrail.
    BedrockGuardrail,
    /// A Bedrock agent.
    BedrockAgent,
    /// A Bedrock knowledge base.
    BedrockKnowledgeBase,
    /// A Bedrock Prompt Management prompt.
    BedrockPrompt,
    /// A Bedrock Flow.
    BedrockFlow,
    /// A Bedrock AgentCore runtime.
    BedrockAgentcoreRuntime,
    /// A Bedrock AgentCore gateway.
    BedrockAgentcoreGateway,
    /// A Bedrock AgentCore memory.
    BedrockAgentcoreMemory,
    /// A Bedrock AgentCore custom browser.
    BedrockAgentcoreBrowser,
    /// A Bedrock AgentCore custom code interpreter.
    BedrockAgentcoreCodeInterpreter,
    /// A Bedrock AgentCore workload identity.
    BedrockAgentcoreWorkloadIdentity,
    /// An OpenSearch Serverless collection (vector store).
    OpensearchServerlessCollection,
    /// An S3 Vectors vector bucket.
    S3VectorBucket,
    /// An S3 bucket.
    S3Bucket,
    /// A VPC endpoint of an AI service (Bedrock, AgentCore, SageMaker).
    Ec2VpcEndpoint,
    /// An IAM role.
    IamRole,
    /// An IAM user.
    IamUser,
    /// An IAM group.
    IamGroup,
    /// A customer-managed IAM policy.
    IamPolicy,
    /// An IAM access key.
    IamAccessKey,
    /// A Secrets Manager secret (metadata only).
    SecretsmanagerSecret,
    /// A KMS key.
    KmsKey,
    /// A Lambda function.
    LambdaFunction,
    /// An AWS account of the organization.
    OrganizationsAccount,
    /// A service control policy.
    OrganizationsPolicy,
}

impl AssetType {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        // Mirrors the serde name; a unit test keeps both in step.
        match self {
            Self::SagemakerNotebookInstance => "sagemaker_notebook_instance",
            Self::SagemakerDomain => "sagemaker_domain",
            Self::SagemakerUserProfile => "sagemaker_user_profile",
            Self::SagemakerModel => "sagemaker_model",
            Self::SagemakerEndpointConfig => "sagemaker_endpoint_config",
            Self::SagemakerEndpoint => "sagemaker_endpoint",
            Self::SagemakerTrainingJob => "sagemaker_training_job",
            Self::SagemakerProcessingJob => "sagemaker_processing_job",
            Self::SagemakerTransformJob => "sagemaker_transform_job",
            Self::SagemakerTuningJob => "sagemaker_tuning_job",
            Self::SagemakerPipeline => "sagemaker_pipeline",
            Self::SagemakerModelPackageGroup => "sagemaker_model_package_group",
            Self::SagemakerFeatureGroup => "sagemaker_feature_group",
            Self::SagemakerMonitoringJobDefinition => "sagemaker_monitoring_job_definition",
            Self::SagemakerMonitoringSchedule => "sagemaker_monitoring_schedule",
            Self::SagemakerInferenceExperiment => "sagemaker_inference_experiment",
            Self::BedrockCustomModel => "bedrock_custom_model",
            Self::BedrockApiKey => "bedrock_api_key",
            Self::BedrockBatchInferenceJob => "bedrock_batch_inference_job",
            Self::BedrockImportedModel => "bedrock_imported_model",
            Self::BedrockCustomizationJob => "bedrock_customization_job",
            Self::BedrockProvisionedThroughput => "bedrock_provisioned_throughput",
            Self::BedrockInvocationLogging => "bedrock_invocation_logging",
            Self::BedrockGuardrail => "bedrock_guardrail",
            Self::BedrockAgent => "bedrock_agent",
            Self::BedrockKnowledgeBase => "bedrock_knowledge_base",
            Self::BedrockPrompt => "bedrock_prompt",
            Self::BedrockFlow => "bedrock_flow",
            Self::BedrockAgentcoreRuntime => "bedrock_agentcore_runtime",
            Self::BedrockAgentcoreGateway => "bedrock_agentcore_gateway",
            Self::BedrockAgentcoreMemory => "bedrock_agentcore_memory",
            Self::BedrockAgentcoreBrowser => "bedrock_agentcore_browser",
            Self::BedrockAgentcoreCodeInterpreter => "bedrock_agentcore_code_interpreter",
            Self::BedrockAgentcoreWorkloadIdentity => "bedrock_agentcore_workload_identity",
            Self::OpensearchServerlessCollection => "opensearch_serverless_collection",
            Self::S3VectorBucket => "s3_vector_bucket",
            Self::S3Bucket => "s3_bucket",
            Self::Ec2VpcEndpoint => "ec2_vpc_endpoint",
            Self::IamRole => "iam_role",
            Self::IamUser => "iam_user",
            Self::IamGroup => "iam_group",
            Self::IamPolicy => "iam_policy",
            Self::IamAccessKey => "iam_access_key",
            Self::SecretsmanagerSecret => "secretsmanager_secret",
            Self::KmsKey => "kms_key",
            Self::LambdaFunction => "lambda_function",
            Self::OrganizationsAccount => "organizations_account",
            Self::OrganizationsPolicy => "organizations_policy",
        }
    }

    /// Whether this is an AI workload asset (as opposed to the data, identity and
    /// key material around one). Governance rules (owner, purpose) apply to these.
    pub fn is_ai_workload(self) -> bool {
        matches!(
            self,
            Self::SagemakerNotebookInstance
                | Self::SagemakerDomain
                | Self::SagemakerModel
                | Self::SagemakerEndpoint
                | Self::SagemakerTrainingJob
                | Self::SagemakerPipeline
                | Self::SagemakerModelPackageGroup
                | Self::SagemakerFeatureGroup
                | Self::BedrockCustomModel
                | Self::BedrockProvisionedThroughput
                | Self::BedrockAgent
                | Self::BedrockKnowledgeBase
                | Self::BedrockFlow
                | Self::BedrockAgentcoreRuntime
                | Self::BedrockAgentcoreGateway
                | Self::BedrockAgentcoreMemory
                | Self::BedrockAgentcoreBrowser
                | Self::BedrockAgentcoreCodeInterpreter
        )
    }
}

impl std::fmt::Display for AssetType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One discovered resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// The resource ARN (for the per-region Bedrock logging configuration, a
    /// synthetic `arn:aws:bedrock:REGION:ACCOUNT:model-invocation-logging`).
    pub arn: String,
    /// What kind of asset this is.
    pub asset_type: AssetType,
    /// The resource name.
    pub name: String,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub region: String,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Normalised attributes the rules read. Keys are snake_case and documented
    /// on each collector; values keep the JSON type of the API field.
    pub attributes: BTreeMap<String, serde_json::Value>,
}

impl Asset {
    /// A new asset with no tags or attributes.
    pub fn new(
        arn: impl Into<String>,
        asset_type: AssetType,
        name: impl Into<String>,
        account_id: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        Self {
            arn: arn.into(),
            asset_type,
            name: name.into(),
            account_id: account_id.into(),
            region: region.into(),
            tags: BTreeMap::new(),
            attributes: BTreeMap::new(),
        }
    }

    /// Sets an attribute when the value is known; `None` leaves it absent, which
    /// rules treat as "not reported" rather than as false.
    pub fn set(&mut self, key: &str, value: impl Into<Option<serde_json::Value>>) -> &mut Self {
        if let Some(v) = value.into()
            && !v.is_null()
        {
            self.attributes.insert(key.to_owned(), v);
        }
        self
    }

    /// Sets an attribute the API always returns. When the answer lacked it
    /// (emulators, older resources), the key is listed under `unreported`
    /// instead, so rules that need it record a coverage gap, never a verdict.
    pub fn set_reported(
        &mut self,
        key: &str,
        value: impl Into<Option<serde_json::Value>>,
    ) -> &mut Self {
        match value.into().filter(|v| !v.is_null()) {
            Some(v) => self.set(key, v),
            None => self.mark_unreported(key),
        }
    }

    /// Records that the API answer lacked `key` (see [`Asset::set_reported`]).
    pub fn mark_unreported(&mut self, key: &str) -> &mut Self {
        let list = self
            .attributes
            .entry("unreported".to_owned())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(keys) = list
            && !keys.iter().any(|k| k == key)
        {
            keys.push(serde_json::Value::String(key.to_owned()));
        }
        self
    }

    /// Whether the API answer lacked `key`.
    pub fn is_unreported(&self, key: &str) -> bool {
        self.attributes
            .get("unreported")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|keys| keys.iter().any(|k| k == key))
    }

    /// A boolean attribute, when reported.
    pub fn bool_attr(&self, key: &str) -> Option<bool> {
        self.attributes
            .get(key)
            .and_then(serde_json::Value::as_bool)
    }

    /// A string attribute, when reported.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(serde_json::Value::as_str)
    }

    /// The managed policy ARNs attached to a role, user or group
    /// (`attached_policies`).
    pub fn attached_policies(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .get("attached_policies")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
    }

    /// A tag value, matching the key case-insensitively (teams write `Owner` and
    /// `owner` alike).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// How two assets are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Endpoint → endpoint config it serves.
    UsesEndpointConfig,
    /// Endpoint config → model in one of its variants.
    ServesModel,
    /// Workload → IAM role it runs as.
    ExecutesAs,
    /// Model → bucket holding its artifacts.
    ArtifactIn,
    /// Job or pipeline → bucket it reads training or input data from.
    ReadsData,
    /// Job → bucket it writes output to.
    WritesData,
    /// Customization job → model it produced.
    Produces,
    /// Custom model → base foundation model.
    BasedOn,
    /// Knowledge base → data source bucket.
    DataSource,
    /// Knowledge base → vector store.
    VectorStore,
    /// Agent → foundation model.
    UsesModel,
    /// Agent → guardrail.
    GuardedBy,
    /// Agent → Lambda tool (action group, or the Lambda's resource policy).
    InvokesTool,
    /// Agent → knowledge base.
    UsesKnowledgeBase,
    /// Resource → KMS key encrypting it.
    EncryptedBy,
    /// Invocation logging → bucket receiving logs.
    LogsTo,
    /// User → access key.
    HasAccessKey,
    /// Principal → managed policy attached.
    HasPolicy,
    /// Notebook or domain → lifecycle / network settings in a VPC subnet.
    InSubnet,
    /// Pipeline → model package group it registers into.
    RegistersIn,
    /// Identity → data store it can read (IAM engine: effective permissions).
    CanRead,
    /// Identity → data store it can write (IAM engine).
    CanWrite,
    /// Identity → model endpoint or custom model it can invoke (IAM engine).
    CanInvoke,
    /// Resource → a principal outside the account (another account, the
    /// organization, anyone, or `*` for anonymous) that its resource policy
    /// lets read or write it (IAM engine).
    ReachableBy,
}

/// Where an edge or an attribute came from: the API call and the field read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// `service:Operation`, e.g. `sagemaker:DescribeEndpoint`.
    pub source: String,
    /// The response field, e.g. `EndpointConfigName`.
    pub field: String,
}

impl Evidence {
    /// Evidence from an API call's field.
    pub fn new(source: &str, field: &str) -> Self {
        Self {
            source: source.to_owned(),
            field: field.to_owned(),
        }
    }
}

/// A directed, evidence-carrying relationship between two ARNs. The target may
/// be outside what was scanned (a bucket in another account, a foundation model).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Edge {
    /// Source ARN.
    pub from: String,
    /// Target ARN.
    pub to: String,
    /// The relationship.
    pub kind: EdgeKind,
    /// What created it.
    pub evidence: Evidence,
}

impl Edge {
    /// A new edge.
    pub fn new(
        from: impl Into<String>,
        to: impl Into<String>,
        kind: EdgeKind,
        evidence: Evidence,
    ) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            kind,
            evidence,
        }
    }
}

/// Everything one scan discovered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Discovered assets.
    pub assets: Vec<Asset>,
    /// Relationships between them.
    pub edges: Vec<Edge>,
    /// One record per (account, region, collector).
    pub coverage: Vec<Coverage>,
    /// Which collector produced each asset ([`Inventory::asset_key`]) and edge
    /// ([`Inventory::edge_key`]); the store uses it to keep what a collector
    /// that could not look last saw. Not part of the output.
    #[serde(skip)]
    pub provenance: BTreeMap<String, String>,
}

impl Inventory {
    /// Appends another inventory.
    pub fn extend(&mut self, other: Inventory) {
        self.assets.extend(other.assets);
        self.edges.extend(other.edges);
        self.coverage.extend(other.coverage);
        self.provenance.extend(other.provenance);
    }

    /// The provenance key of an asset.
    pub fn asset_key(a: &Asset) -> String {
        format!("A\u{1f}{}", a.arn)
    }

    /// The provenance key of an edge.
    pub fn edge_key(e: &Edge) -> String {
        format!("E\u{1f}{}\u{1f}{:?}\u{1f}{}", e.from, e.kind, e.to)
    }

    /// Records that `collector` produced everything now in this inventory.
    pub fn mark_provenance(&mut self, collector: &str) {
        for a in &self.assets {
            self.provenance
                .insert(Self::asset_key(a), collector.to_owned());
        }
        for e in &self.edges {
            self.provenance
                .insert(Self::edge_key(e), collector.to_owned());
        }
    }

    /// Sorts everything into a stable order and removes duplicate edges, so
    /// output does not depend on task scheduling.
    pub fn normalise(&mut self) {
        self.assets.sort_by(|a, b| {
            (&a.account_id, &a.region, a.asset_type, &a.arn).cmp(&(
                &b.account_id,
                &b.region,
                b.asset_type,
                &b.arn,
            ))
        });
        self.assets
            .dedup_by(|a, b| a.arn == b.arn && a.asset_type == b.asset_type);
        self.edges.sort();
        self.edges.dedup();
        self.coverage.sort_by(|a, b| {
            (&a.account_id, &a.region, &a.collector).cmp(&(&b.account_id, &b.region, &b.collector))
        });
    }

    /// The asset with this ARN.
    pub fn asset(&self, arn: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.arn == arn)
    }

    /// Edges leaving `arn`.
    pub fn edges_from<'a>(&'a self, arn: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| e.from == arn)
    }

    /// Edges arriving at `arn`.
    pub fn edges_to<'a>(&'a self, arn: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| e.to == arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name() {
        for t in [
            AssetType::SagemakerNotebookInstance,
            AssetType::BedrockInvocationLogging,
            AssetType::OpensearchServerlessCollection,
            AssetType::S3VectorBucket,
            AssetType::OrganizationsPolicy,
            AssetType::BedrockAgentcoreGateway,
            AssetType::BedrockAgentcoreCodeInterpreter,
            AssetType::BedrockAgentcoreWorkloadIdentity,
        ] {
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::json!(t.as_str())
            );
        }
    }

    #[test]
    fn tag_lookup_ignores_key_case() {
        let mut a = Asset::new("arn:x", AssetType::S3Bucket, "b", "1", "us-east-1");
        a.tags.insert("Owner".into(), "ml-team".into());
        assert_eq!(a.tag("owner"), Some("ml-team"));
        assert_eq!(a.tag("purpose"), None);
    }

    #[test]
    fn set_ignores_unknown_values() {
        let mut a = Asset::new("arn:x", AssetType::S3Bucket, "b", "1", "us-east-1");
        a.set("versioning", None);
        a.set("kms_key", Some(serde_json::Value::Null));
        assert!(a.attributes.is_empty());
        a.set("versioning", Some(serde_json::json!("Enabled")));
        assert_eq!(a.str_attr("versioning"), Some("Enabled"));
    }
}
