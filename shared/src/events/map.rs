//! The event map: one declarative table from an API call (event source and
//! name, as CloudTrail records it) to the resource it changed and what to
//! re-read. The resource's identifier comes from the call's
//! `requestParameters`; the state always comes from a fresh read, never from
//! the event's payload.

use crate::collect::s3::Field;

/// What an API call changed, and so what to re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// These fields of the bucket named by `requestParameters.bucketName`.
    BucketFields(&'static [Field]),
    /// A new bucket (`requestParameters.bucketName`): read what creation can
    /// set (ACL, public access block, encryption, versioning); its policy
    /// and tags come with their own events.
    BucketCreated,
    /// A deleted bucket: confirm it is gone, then drop it.
    BucketDeleted,
    /// A part of the role (`requestParameters.roleName`) or user
    /// (`userName`) of this type; inline policies are named by `policyName`.
    Identity(crate::model::AssetType, Part),
    /// The access keys of `requestParameters.userName` (or of the calling
    /// user, who may manage their own keys).
    AccessKeys,
    /// The secret named by `requestParameters.secretId` (or `name` on
    /// creation), in the event's region: its metadata, never its value.
    Secret,
    /// The KMS key named by `requestParameters.keyId`, in the event's region.
    Key,
    /// The customer managed policy named by `requestParameters.policyArn`:
    /// its default version's document (every role and user it is attached
    /// to is re-evaluated with it).
    ManagedPolicy,
    /// A regional SageMaker or Bedrock resource of this kind, in the event's
    /// region, named as [`Kind`] says.
    Resource(Kind),
    /// The tags of the resource whose ARN is at the first of these
    /// `requestParameters` keys present: the stored resource of that ARN is
    /// re-read.
    Tags(&'static [&'static str]),
}

/// A kind of regional resource an event re-reads, and where the call names
/// it: each entry of [`Kind::id`] is a path in `requestParameters` (or in
/// `responseElements` when it starts with `response.`), or two joined by
/// `+` (the identifier is then `FIRST/SECOND`); the first present wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A notebook instance.
    Notebook,
    /// A Studio domain (by id).
    Domain,
    /// A Studio user profile (`DOMAIN_ID/NAME`).
    UserProfile,
    /// A model.
    Model,
    /// An endpoint configuration.
    EndpointConfig,
    /// An endpoint.
    Endpoint,
    /// A training job.
    TrainingJob,
    /// A processing job.
    ProcessingJob,
    /// A batch transform job.
    TransformJob,
    /// A hyperparameter tuning job.
    TuningJob,
    /// A pipeline.
    Pipeline,
    /// A feature group.
    FeatureGroup,
    /// A model package group (the registry).
    ModelPackageGroup,
    /// A Bedrock guardrail (by id or ARN).
    Guardrail,
    /// The region's Bedrock model invocation logging configuration.
    InvocationLogging,
    /// A Bedrock custom model (by name or ARN).
    CustomModel,
    /// A Bedrock model customization job (by name or ARN).
    CustomizationJob,
    /// A Bedrock provisioned throughput (by name or ARN).
    ProvisionedThroughput,
    /// A Bedrock agent's own configuration (by id).
    Agent,
    /// One action group (tool) of an agent (`AGENT_ID/ACTION_GROUP_ID`).
    ActionGroup,
    /// The knowledge bases associated with an agent (by agent id).
    AgentKnowledgeBases,
    /// A knowledge base's own configuration (by id).
    KnowledgeBase,
    /// One data source of a knowledge base (`KB_ID/DATA_SOURCE_ID`).
    DataSource,
    /// A Bedrock AgentCore agent runtime (by id).
    AgentRuntime,
    /// A Bedrock AgentCore gateway (by id).
    Gateway,
}

impl Kind {
    /// Where the call names the resource (see [`Kind`]); empty for the
    /// region's singletons.
    pub fn id(self, name: &str) -> &'static [&'static str] {
        match self {
            Kind::Notebook => &["notebookInstanceName"],
            Kind::Domain => &["domainId", "response.domainArn"],
            Kind::UserProfile => &["domainId+userProfileName"],
            Kind::Model => &["modelName"],
            Kind::EndpointConfig => &["endpointConfigName"],
            Kind::Endpoint => &["endpointName"],
            Kind::TrainingJob => &["trainingJobName"],
            Kind::ProcessingJob => &["processingJobName"],
            Kind::TransformJob => &["transformJobName"],
            Kind::TuningJob => &["hyperParameterTuningJobName"],
            Kind::Pipeline => &["pipelineName"],
            Kind::FeatureGroup => &["featureGroupName"],
            Kind::ModelPackageGroup => &["modelPackageGroupName"],
            Kind::Guardrail => &["guardrailIdentifier", "response.guardrailId"],
            Kind::InvocationLogging => &[],
            Kind::CustomModel => &["modelIdentifier"],
            Kind::CustomizationJob if name.starts_with("Create") => &["jobName"],
            Kind::CustomizationJob => &["jobIdentifier"],
            Kind::ProvisionedThroughput => &["provisionedModelId", "response.provisionedModelArn"],
            Kind::Agent => &["agentId", "response.agent.agentId"],
            Kind::ActionGroup => &[
                "agentId+actionGroupId",
                "agentId+response.agentActionGroup.actionGroupId",
            ],
            Kind::AgentKnowledgeBases => &["agentId"],
            Kind::KnowledgeBase => &["knowledgeBaseId", "response.knowledgeBase.knowledgeBaseId"],
            Kind::DataSource => &[
                "knowledgeBaseId+dataSourceId",
                "knowledgeBaseId+response.dataSource.dataSourceId",
            ],
            Kind::AgentRuntime => &["agentRuntimeId", "response.agentRuntimeId"],
            Kind::Gateway => &["gatewayIdentifier", "response.gatewayId"],
        }
    }
}

/// Which part of a role or user a call changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Attached managed policies.
    Attached,
    /// The inline policy named in the call.
    Inline,
    /// The trust policy or the permission boundary.
    Identity,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// `eventSource`, e.g. `s3.amazonaws.com`.
    pub source: &'static str,
    /// `eventName`, e.g. `PutBucketPolicy`.
    pub name: &'static str,
    /// What to re-read.
    pub action: Action,
    /// The rules the change can affect directly (dependent findings, such as
    /// attack paths over the resource, are re-evaluated with them).
    pub rules: &'static [&'static str],
}

const S3: &str = "s3.amazonaws.com";
const BUCKET_EXPOSURE: &[&str] = &[
    "s3_bucket_public_read",
    "s3_bucket_writable_outside_org",
    "path_poisonable_training_data",
];

const IAM: &str = "iam.amazonaws.com";
const ROLE_RULES: &[&str] = &[
    "identity_ai_role_admin_or_wildcard",
    "identity_ai_role_broad_data_access",
    "identity_ai_full_access_policy_attached",
    "identity_role_trust_any_principal",
    "path_unowned_endpoint_reads_data",
    "path_agent_excessive_agency",
];
const USER_RULES: &[&str] = &[
    "identity_access_key_can_invoke_models",
    "identity_ai_full_access_policy_attached",
    "identity_compromised_key_quarantine_attached",
    "path_exposed_key_blast_radius",
];

macro_rules! iam {
    ($name:literal, $t:ident, $part:ident, $rules:expr) => {
        Mapping {
            source: IAM,
            name: $name,
            action: Action::Identity(crate::model::AssetType::$t, Part::$part),
            rules: $rules,
        }
    };
}

const SECRETS: &str = "secretsmanager.amazonaws.com";
const SECRET_RULES: &[&str] = &[
    "secretsmanager_ai_secret_without_rotation",
    "secretsmanager_secret_readable_outside_org",
];

macro_rules! secret {
    ($name:literal) => {
        Mapping {
            source: SECRETS,
            name: $name,
            action: Action::Secret,
            rules: SECRET_RULES,
        }
    };
}

const SAGEMAKER: &str = "sagemaker.amazonaws.com";
const NOTEBOOK_RULES: &[&str] = &[
    "sagemaker_notebook_direct_internet_access",
    "sagemaker_notebook_root_access",
    "sagemaker_notebook_without_vpc",
    "sagemaker_notebook_without_kms",
    "sagemaker_notebook_outdated_platform",
    "governance_asset_without_owner",
    "identity_ai_role_admin_or_wildcard",
];

/// A row re-reading a regional resource of `$kind` (see [`Kind`]); the
/// per-service macros below name the event source.
macro_rules! resource {
    ($source:expr, $name:literal, $kind:ident, $rules:expr) => {
        Mapping {
            source: $source,
            name: $name,
            action: Action::Resource(Kind::$kind),
            rules: $rules,
        }
    };
}

macro_rules! sagemaker {
    ($($row:tt)*) => { resource!(SAGEMAKER, $($row)*) };
}

const DOMAIN_RULES: &[&str] = &[
    "sagemaker_domain_public_internet",
    "sagemaker_domain_iam_auth",
    "governance_asset_without_owner",
];
const USER_PROFILE_RULES: &[&str] = &["identity_ai_role_admin_or_wildcard"];
const MODEL_RULES: &[&str] = &[
    "sagemaker_model_network_isolation_disabled",
    "sagemaker_model_without_vpc",
    "sagemaker_model_public_registry_image",
    "path_poisonable_training_data",
    "path_unowned_endpoint_reads_data",
];
const ENDPOINT_RULES: &[&str] = &[
    "sagemaker_endpoint_config_without_kms",
    "sagemaker_endpoint_config_single_instance",
    "path_unowned_endpoint_reads_data",
    "governance_asset_without_owner",
];
const JOB_RULES: &[&str] = &[
    "sagemaker_job_without_vpc",
    "sagemaker_job_network_isolation_disabled",
    "sagemaker_job_inter_container_encryption_disabled",
    "sagemaker_job_storage_without_kms",
    "path_poisonable_training_data",
];
const PIPELINE_RULES: &[&str] = &["governance_asset_without_owner"];
const FEATURE_GROUP_RULES: &[&str] = &["sagemaker_feature_group_without_kms"];
const REGISTRY_RULES: &[&str] = &["governance_asset_without_owner"];
const TAG_RULES: &[&str] = &[
    "governance_asset_without_owner",
    "governance_asset_without_purpose",
];

const BEDROCK: &str = "bedrock.amazonaws.com";
const GUARDRAIL_RULES: &[&str] = &[
    "bedrock_guardrails_missing",
    "bedrock_guardrail_prompt_attack_weak",
    "bedrock_guardrail_content_filter_weak",
    "bedrock_guardrail_sensitive_info_missing",
    "bedrock_guardrail_grounding_missing",
];
const LOGGING_RULES: &[&str] = &[
    "bedrock_invocation_logging_disabled",
    "bedrock_invocation_logging_text_disabled",
    "bedrock_invocation_logs_unencrypted",
];
const CUSTOM_MODEL_RULES: &[&str] = &[
    "bedrock_custom_model_without_cmk",
    "path_poisonable_training_data",
];

/// Bedrock and Bedrock Agents calls (both `bedrock.amazonaws.com`).
macro_rules! bedrock {
    ($($row:tt)*) => { resource!(BEDROCK, $($row)*) };
}

const AGENT_RULES: &[&str] = &[
    "bedrock_agent_without_guardrail",
    "bedrock_agent_idle_session_long",
    "bedrock_agent_role_shared",
    "path_agent_excessive_agency",
];
const KB_RULES: &[&str] = &[
    "bedrock_knowledge_base_without_cmk",
    "path_poisonable_training_data",
];

const AGENTCORE: &str = "bedrock-agentcore.amazonaws.com";
const RUNTIME_RULES: &[&str] = &[
    "bedrock_agentcore_runtime_public_network",
    "identity_ai_role_admin_or_wildcard",
];
const GATEWAY_RULES: &[&str] = &[
    "bedrock_agentcore_gateway_weak",
    "identity_ai_role_admin_or_wildcard",
];

macro_rules! agentcore {
    ($($row:tt)*) => { resource!(AGENTCORE, $($row)*) };
}

const KMS: &str = "kms.amazonaws.com";

macro_rules! key {
    ($name:literal) => {
        Mapping {
            source: KMS,
            name: $name,
            action: Action::Key,
            rules: &[],
        }
    };
}

/// Every mapped API call. Bedrock Agents calls (agents, action groups,
/// knowledge bases, data sources) are recorded with Bedrock's event source.
pub const MAP: &[Mapping] = &[
    key!("PutKeyPolicy"),
    key!("EnableKeyRotation"),
    key!("DisableKeyRotation"),
    key!("EnableKey"),
    key!("DisableKey"),
    key!("ScheduleKeyDeletion"),
    key!("CancelKeyDeletion"),
    sagemaker!("CreateNotebookInstance", Notebook, NOTEBOOK_RULES),
    sagemaker!("UpdateNotebookInstance", Notebook, NOTEBOOK_RULES),
    sagemaker!("DeleteNotebookInstance", Notebook, NOTEBOOK_RULES),
    sagemaker!("CreateDomain", Domain, DOMAIN_RULES),
    sagemaker!("UpdateDomain", Domain, DOMAIN_RULES),
    sagemaker!("DeleteDomain", Domain, DOMAIN_RULES),
    sagemaker!("CreateUserProfile", UserProfile, USER_PROFILE_RULES),
    sagemaker!("UpdateUserProfile", UserProfile, USER_PROFILE_RULES),
    sagemaker!("DeleteUserProfile", UserProfile, USER_PROFILE_RULES),
    sagemaker!("CreateModel", Model, MODEL_RULES),
    sagemaker!("DeleteModel", Model, MODEL_RULES),
    sagemaker!("CreateEndpointConfig", EndpointConfig, ENDPOINT_RULES),
    sagemaker!("DeleteEndpointConfig", EndpointConfig, ENDPOINT_RULES),
    sagemaker!("CreateEndpoint", Endpoint, ENDPOINT_RULES),
    sagemaker!("UpdateEndpoint", Endpoint, ENDPOINT_RULES),
    sagemaker!("DeleteEndpoint", Endpoint, ENDPOINT_RULES),
    sagemaker!("CreateTrainingJob", TrainingJob, JOB_RULES),
    sagemaker!("UpdateTrainingJob", TrainingJob, JOB_RULES),
    sagemaker!("CreateProcessingJob", ProcessingJob, JOB_RULES),
    sagemaker!("CreateTransformJob", TransformJob, JOB_RULES),
    sagemaker!("CreateHyperParameterTuningJob", TuningJob, JOB_RULES),
    sagemaker!("DeleteHyperParameterTuningJob", TuningJob, JOB_RULES),
    sagemaker!("CreatePipeline", Pipeline, PIPELINE_RULES),
    sagemaker!("UpdatePipeline", Pipeline, PIPELINE_RULES),
    sagemaker!("DeletePipeline", Pipeline, PIPELINE_RULES),
    sagemaker!("CreateFeatureGroup", FeatureGroup, FEATURE_GROUP_RULES),
    sagemaker!("UpdateFeatureGroup", FeatureGroup, FEATURE_GROUP_RULES),
    sagemaker!("DeleteFeatureGroup", FeatureGroup, FEATURE_GROUP_RULES),
    sagemaker!("CreateModelPackageGroup", ModelPackageGroup, REGISTRY_RULES),
    sagemaker!("DeleteModelPackageGroup", ModelPackageGroup, REGISTRY_RULES),
    Mapping {
        source: SAGEMAKER,
        name: "AddTags",
        action: Action::Tags(&["resourceArn"]),
        rules: TAG_RULES,
    },
    Mapping {
        source: SAGEMAKER,
        name: "DeleteTags",
        action: Action::Tags(&["resourceArn"]),
        rules: TAG_RULES,
    },
    bedrock!("CreateGuardrail", Guardrail, GUARDRAIL_RULES),
    bedrock!("UpdateGuardrail", Guardrail, GUARDRAIL_RULES),
    bedrock!("DeleteGuardrail", Guardrail, GUARDRAIL_RULES),
    bedrock!(
        "PutModelInvocationLoggingConfiguration",
        InvocationLogging,
        LOGGING_RULES
    ),
    bedrock!(
        "DeleteModelInvocationLoggingConfiguration",
        InvocationLogging,
        LOGGING_RULES
    ),
    bedrock!(
        "CreateModelCustomizationJob",
        CustomizationJob,
        CUSTOM_MODEL_RULES
    ),
    bedrock!(
        "StopModelCustomizationJob",
        CustomizationJob,
        CUSTOM_MODEL_RULES
    ),
    bedrock!("DeleteCustomModel", CustomModel, CUSTOM_MODEL_RULES),
    bedrock!(
        "CreateProvisionedModelThroughput",
        ProvisionedThroughput,
        TAG_RULES
    ),
    bedrock!(
        "UpdateProvisionedModelThroughput",
        ProvisionedThroughput,
        TAG_RULES
    ),
    bedrock!(
        "DeleteProvisionedModelThroughput",
        ProvisionedThroughput,
        TAG_RULES
    ),
    Mapping {
        source: BEDROCK,
        name: "TagResource",
        action: Action::Tags(&["resourceARN", "resourceArn"]),
        rules: TAG_RULES,
    },
    Mapping {
        source: BEDROCK,
        name: "UntagResource",
        action: Action::Tags(&["resourceARN", "resourceArn"]),
        rules: TAG_RULES,
    },
    bedrock!("CreateAgent", Agent, AGENT_RULES),
    bedrock!("UpdateAgent", Agent, AGENT_RULES),
    bedrock!("DeleteAgent", Agent, AGENT_RULES),
    bedrock!("CreateAgentActionGroup", ActionGroup, AGENT_RULES),
    bedrock!("UpdateAgentActionGroup", ActionGroup, AGENT_RULES),
    bedrock!("DeleteAgentActionGroup", ActionGroup, AGENT_RULES),
    bedrock!(
        "AssociateAgentKnowledgeBase",
        AgentKnowledgeBases,
        AGENT_RULES
    ),
    bedrock!("UpdateAgentKnowledgeBase", AgentKnowledgeBases, AGENT_RULES),
    bedrock!(
        "DisassociateAgentKnowledgeBase",
        AgentKnowledgeBases,
        AGENT_RULES
    ),
    bedrock!("CreateKnowledgeBase", KnowledgeBase, KB_RULES),
    bedrock!("UpdateKnowledgeBase", KnowledgeBase, KB_RULES),
    bedrock!("DeleteKnowledgeBase", KnowledgeBase, KB_RULES),
    bedrock!("CreateDataSource", DataSource, KB_RULES),
    bedrock!("UpdateDataSource", DataSource, KB_RULES),
    bedrock!("DeleteDataSource", DataSource, KB_RULES),
    agentcore!("CreateAgentRuntime", AgentRuntime, RUNTIME_RULES),
    agentcore!("UpdateAgentRuntime", AgentRuntime, RUNTIME_RULES),
    agentcore!("DeleteAgentRuntime", AgentRuntime, RUNTIME_RULES),
    agentcore!("CreateGateway", Gateway, GATEWAY_RULES),
    agentcore!("UpdateGateway", Gateway, GATEWAY_RULES),
    agentcore!("DeleteGateway", Gateway, GATEWAY_RULES),
    secret!("CreateSecret"),
    secret!("UpdateSecret"),
    secret!("RotateSecret"),
    secret!("CancelRotateSecret"),
    secret!("DeleteSecret"),
    secret!("RestoreSecret"),
    secret!("TagResource"),
    secret!("UntagResource"),
    secret!("PutResourcePolicy"),
    secret!("DeleteResourcePolicy"),
    iam!("AttachRolePolicy", IamRole, Attached, ROLE_RULES),
    iam!("DetachRolePolicy", IamRole, Attached, ROLE_RULES),
    iam!("PutRolePolicy", IamRole, Inline, ROLE_RULES),
    iam!("DeleteRolePolicy", IamRole, Inline, ROLE_RULES),
    iam!("UpdateAssumeRolePolicy", IamRole, Identity, ROLE_RULES),
    iam!("PutRolePermissionsBoundary", IamRole, Identity, ROLE_RULES),
    iam!(
        "DeleteRolePermissionsBoundary",
        IamRole,
        Identity,
        ROLE_RULES
    ),
    iam!("AttachUserPolicy", IamUser, Attached, USER_RULES),
    iam!("DetachUserPolicy", IamUser, Attached, USER_RULES),
    iam!("PutUserPolicy", IamUser, Inline, USER_RULES),
    iam!("DeleteUserPolicy", IamUser, Inline, USER_RULES),
    iam!("PutUserPermissionsBoundary", IamUser, Identity, USER_RULES),
    iam!(
        "DeleteUserPermissionsBoundary",
        IamUser,
        Identity,
        USER_RULES
    ),
    Mapping {
        source: IAM,
        name: "CreatePolicyVersion",
        action: Action::ManagedPolicy,
        rules: ROLE_RULES,
    },
    Mapping {
        source: IAM,
        name: "SetDefaultPolicyVersion",
        action: Action::ManagedPolicy,
        rules: ROLE_RULES,
    },
    Mapping {
        source: IAM,
        name: "CreateAccessKey",
        action: Action::AccessKeys,
        rules: USER_RULES,
    },
    Mapping {
        source: IAM,
        name: "UpdateAccessKey",
        action: Action::AccessKeys,
        rules: USER_RULES,
    },
    Mapping {
        source: IAM,
        name: "DeleteAccessKey",
        action: Action::AccessKeys,
        rules: USER_RULES,
    },
    Mapping {
        source: S3,
        name: "PutBucketPolicy",
        action: Action::BucketFields(&[Field::Policy]),
        rules: BUCKET_EXPOSURE,
    },
    Mapping {
        source: S3,
        name: "DeleteBucketPolicy",
        action: Action::BucketFields(&[Field::Policy]),
        rules: BUCKET_EXPOSURE,
    },
    Mapping {
        source: S3,
        name: "PutBucketAcl",
        action: Action::BucketFields(&[Field::Acl]),
        rules: BUCKET_EXPOSURE,
    },
    Mapping {
        source: S3,
        name: "PutPublicAccessBlock",
        action: Action::BucketFields(&[Field::PublicAccessBlock]),
        rules: &[
            "s3_bucket_public_read",
            "s3_bucket_writable_outside_org",
            "s3_ai_bucket_no_public_access_block",
        ],
    },
    Mapping {
        source: S3,
        name: "DeletePublicAccessBlock",
        action: Action::BucketFields(&[Field::PublicAccessBlock]),
        rules: &[
            "s3_bucket_public_read",
            "s3_bucket_writable_outside_org",
            "s3_ai_bucket_no_public_access_block",
        ],
    },
    Mapping {
        source: S3,
        name: "PutBucketEncryption",
        action: Action::BucketFields(&[Field::Encryption]),
        rules: &[
            "s3_ai_bucket_without_kms",
            "bedrock_invocation_logs_unencrypted",
        ],
    },
    Mapping {
        source: S3,
        name: "DeleteBucketEncryption",
        action: Action::BucketFields(&[Field::Encryption]),
        rules: &[
            "s3_ai_bucket_without_kms",
            "bedrock_invocation_logs_unencrypted",
        ],
    },
    Mapping {
        source: S3,
        name: "PutBucketVersioning",
        action: Action::BucketFields(&[Field::Versioning]),
        rules: &["s3_ai_bucket_versioning_disabled"],
    },
    Mapping {
        source: S3,
        name: "PutBucketTagging",
        action: Action::BucketFields(&[Field::Tags]),
        rules: &[],
    },
    Mapping {
        source: S3,
        name: "CreateBucket",
        action: Action::BucketCreated,
        rules: &[],
    },
    Mapping {
        source: S3,
        name: "DeleteBucket",
        action: Action::BucketDeleted,
        rules: &[],
    },
];

/// The mapping of an API call, if aispm tracks it.
pub fn lookup(source: &str, name: &str) -> Option<&'static Mapping> {
    MAP.iter().find(|m| m.source == source && m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_unique_and_name_known_rules() {
        let mut seen = std::collections::BTreeSet::new();
        for m in MAP {
            assert!(seen.insert((m.source, m.name)), "{} twice", m.name);
            for r in m.rules {
                assert!(
                    crate::rules::rule(r).is_some(),
                    "{}: unknown rule {r}",
                    m.name
                );
            }
        }
        assert!(lookup(S3, "PutBucketPolicy").is_some());
        // The infrastructure forwards exactly the mapped calls, per service.
        let infra = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra");
        let member: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(infra.join("member-account.json")).unwrap(),
        )
        .unwrap();
        let template = std::fs::read_to_string(infra.join("template.yaml")).unwrap();
        for (source, rule) in [
            (S3, "ForwardApiCalls"),
            (IAM, "ForwardIamCalls"),
            (SECRETS, "ForwardSecretsCalls"),
            (SAGEMAKER, "ForwardSageMakerCalls"),
            (KMS, "ForwardKmsCalls"),
            (BEDROCK, "ForwardBedrockCalls"),
            (AGENTCORE, "ForwardAgentCoreCalls"),
        ] {
            let names: Vec<&str> = MAP
                .iter()
                .filter(|m| m.source == source)
                .map(|m| m.name)
                .collect();
            let forwarded =
                &member["Resources"][rule]["Properties"]["EventPattern"]["detail"]["eventName"];
            assert_eq!(forwarded, &serde_json::json!(names), "{rule}");
            let line = format!("eventName: [{}]", names.join(", "));
            assert_eq!(template.matches(&line).count(), 2, "template.yaml: {line}");
        }
        assert!(lookup(S3, "GetObject").is_none());
    }
}
