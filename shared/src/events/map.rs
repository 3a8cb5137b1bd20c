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
    /// The notebook instance named by `requestParameters.notebookInstanceName`,
    /// in the event's region.
    Notebook,
    /// The KMS key named by `requestParameters.keyId`, in the event's region.
    Key,
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
const SECRET_RULES: &[&str] = &["secretsmanager_ai_secret_without_rotation"];

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

macro_rules! notebook {
    ($name:literal) => {
        Mapping {
            source: SAGEMAKER,
            name: $name,
            action: Action::Notebook,
            rules: NOTEBOOK_RULES,
        }
    };
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

/// Every mapped API call.
pub const MAP: &[Mapping] = &[
    key!("PutKeyPolicy"),
    key!("EnableKeyRotation"),
    key!("DisableKeyRotation"),
    key!("EnableKey"),
    key!("DisableKey"),
    key!("ScheduleKeyDeletion"),
    key!("CancelKeyDeletion"),
    notebook!("CreateNotebookInstance"),
    notebook!("UpdateNotebookInstance"),
    notebook!("DeleteNotebookInstance"),
    secret!("CreateSecret"),
    secret!("UpdateSecret"),
    secret!("RotateSecret"),
    secret!("CancelRotateSecret"),
    secret!("DeleteSecret"),
    secret!("RestoreSecret"),
    secret!("TagResource"),
    secret!("UntagResource"),
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
