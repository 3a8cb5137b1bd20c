//! Every remediation action aispm knows, in Cloud Custodian's shape: the
//! permissions it calls (the remediator role allows exactly these for the
//! enabled actions), the rules whose findings it accepts, the resource types
//! it changes, the settings it reads from the policy, and the calls it plans
//! for one finding (pure: what a dry run records).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Call;
use crate::model::AssetType;
use crate::store::FindingState;

/// A remediation action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Sets an exposed or unused access key Inactive.
    DeactivateAccessKey,
    /// Attaches AWS's compromised-key quarantine policy to the key's user.
    QuarantineAccessKey,
    /// Rotates a secret now, or turns rotation on with a rotation function.
    RotateSecret,
    /// Turns on yearly rotation of a customer managed KMS key.
    EnableKmsKeyRotation,
    /// Keeps only the actions a role or user used and needs.
    NarrowRolePolicy,
    /// Attaches a configured permissions boundary.
    AttachPermissionsBoundary,
    /// Adds an inline explicit deny on egress and data actions.
    DenyDataExfiltration,
    /// Turns on the bucket's public access block.
    S3BlockPublicAccess,
    /// Removes only the bucket-policy statements that let outsiders write.
    S3RemoveForeignWrite,
    /// Turns on Bedrock model invocation logging in the region.
    EnableBedrockInvocationLogging,
    /// Makes an agent's action groups ask the user before acting.
    RequireActionConfirmation,
    /// Attaches a configured guardrail to an agent and prepares it.
    AttachBedrockGuardrail,
    /// Stops training fed by poisonable data until a person approves.
    HoldTraining,
}

/// A setting an action reads from its policy entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The key in the action's policy entry.
    pub key: &'static str,
    /// Whether the action cannot run without it (in a mode other than
    /// `off`).
    pub required: bool,
    /// What it means, for the docs and error messages.
    pub doc: &'static str,
}

/// The IAM policy of AWS's compromised-key quarantine (the version AWS
/// attaches when it detects a leaked key).
pub const QUARANTINE_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";

/// The name of the inline deny `deny_data_exfiltration` writes.
pub const DENY_EXFILTRATION_POLICY: &str = "aispm-deny-data-exfiltration";

/// Egress and data actions `deny_data_exfiltration` denies unless the policy
/// lists its own.
pub const DEFAULT_EXFILTRATION_ACTIONS: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:ReplicateObject",
    "s3:PutReplicationConfiguration",
    "ec2:CreateSnapshot",
    "ec2:ModifySnapshotAttribute",
    "rds:ModifyDBSnapshotAttribute",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "secretsmanager:GetSecretValue",
    "kms:CreateGrant",
];

impl ActionKind {
    /// Every action, in the order the docs list them.
    pub const ALL: [Self; 13] = [
        Self::DeactivateAccessKey,
        Self::QuarantineAccessKey,
        Self::RotateSecret,
        Self::EnableKmsKeyRotation,
        Self::NarrowRolePolicy,
        Self::AttachPermissionsBoundary,
        Self::DenyDataExfiltration,
        Self::S3BlockPublicAccess,
        Self::S3RemoveForeignWrite,
        Self::EnableBedrockInvocationLogging,
        Self::RequireActionConfirmation,
        Self::AttachBedrockGuardrail,
        Self::HoldTraining,
    ];

    /// The snake_case name used in policies and output.
    pub fn name(self) -> &'static str {
        match self {
            Self::DeactivateAccessKey => "deactivate_access_key",
            Self::QuarantineAccessKey => "quarantine_access_key",
            Self::RotateSecret => "rotate_secret",
            Self::EnableKmsKeyRotation => "enable_kms_key_rotation",
            Self::NarrowRolePolicy => "narrow_role_policy",
            Self::AttachPermissionsBoundary => "attach_permissions_boundary",
            Self::DenyDataExfiltration => "deny_data_exfiltration",
            Self::S3BlockPublicAccess => "s3_block_public_access",
            Self::S3RemoveForeignWrite => "s3_remove_foreign_write",
            Self::EnableBedrockInvocationLogging => "enable_bedrock_invocation_logging",
            Self::RequireActionConfirmation => "require_action_confirmation",
            Self::AttachBedrockGuardrail => "attach_bedrock_guardrail",
            Self::HoldTraining => "hold_training",
        }
    }

    /// The action with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The IAM actions it calls: reads of the state before and after, the
    /// write, and the write that rolls it back.
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            Self::DeactivateAccessKey => &["iam:ListAccessKeys", "iam:UpdateAccessKey"],
            Self::QuarantineAccessKey => &[
                "iam:ListAttachedUserPolicies",
                "iam:AttachUserPolicy",
                "iam:DetachUserPolicy",
            ],
            Self::RotateSecret => &[
                "secretsmanager:DescribeSecret",
                "secretsmanager:RotateSecret",
                "secretsmanager:CancelRotateSecret",
            ],
            Self::EnableKmsKeyRotation => &[
                "kms:GetKeyRotationStatus",
                "kms:EnableKeyRotation",
                "kms:DisableKeyRotation",
            ],
            Self::NarrowRolePolicy => &[
                "iam:GenerateServiceLastAccessedDetails",
                "iam:GetServiceLastAccessedDetails",
                "iam:GetRole",
                "iam:GetUser",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:ListAttachedUserPolicies",
                "iam:ListUserPolicies",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:ListPolicyVersions",
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:GetUserPolicy",
                "iam:PutUserPolicy",
                "iam:DeleteUserPolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:AttachUserPolicy",
                "iam:DetachUserPolicy",
            ],
            Self::AttachPermissionsBoundary => &[
                "iam:GetRole",
                "iam:PutRolePermissionsBoundary",
                "iam:DeleteRolePermissionsBoundary",
            ],
            Self::DenyDataExfiltration => &[
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
            ],
            // DeletePublicAccessBlock (the rollback of a bucket that had no
            // block) is authorized by s3:PutBucketPublicAccessBlock.
            Self::S3BlockPublicAccess => &[
                "s3:GetBucketPublicAccessBlock",
                "s3:PutBucketPublicAccessBlock",
            ],
            Self::S3RemoveForeignWrite => &[
                "s3:GetBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
            ],
            Self::EnableBedrockInvocationLogging => &[
                "bedrock:GetModelInvocationLoggingConfiguration",
                "bedrock:PutModelInvocationLoggingConfiguration",
                "bedrock:DeleteModelInvocationLoggingConfiguration",
                "iam:PassRole",
            ],
            Self::RequireActionConfirmation => &[
                "bedrock:ListAgentActionGroups",
                "bedrock:GetAgentActionGroup",
                "bedrock:UpdateAgentActionGroup",
                "bedrock:PrepareAgent",
            ],
            Self::AttachBedrockGuardrail => &[
                "bedrock:GetAgent",
                "bedrock:UpdateAgent",
                "bedrock:PrepareAgent",
                "iam:PassRole",
            ],
            Self::HoldTraining => &[
                "sagemaker:DescribeTrainingJob",
                "sagemaker:DescribePipeline",
                "sagemaker:ListPipelineExecutions",
                "sagemaker:StopTrainingJob",
                "sagemaker:StopPipelineExecution",
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
            ],
        }
    }

    /// The rules whose findings it accepts.
    pub fn accepts(self) -> &'static [&'static str] {
        match self {
            Self::DeactivateAccessKey => &[
                "identity_access_key_unused",
                "identity_access_key_can_invoke_models",
                "identity_compromised_key_quarantine_attached",
                "path_exposed_key_blast_radius",
            ],
            Self::QuarantineAccessKey => &[
                "identity_access_key_can_invoke_models",
                "path_exposed_key_blast_radius",
            ],
            Self::RotateSecret => &["secretsmanager_ai_secret_without_rotation"],
            Self::EnableKmsKeyRotation => &["kms_ai_key_rotation_disabled"],
            Self::NarrowRolePolicy => &[
                "identity_ai_role_admin",
                "identity_ai_role_whole_service",
                "identity_ai_role_broad_data_access",
                "identity_ai_full_access_policy_attached",
                "path_agent_excessive_agency",
                "path_exposed_key_blast_radius",
            ],
            Self::AttachPermissionsBoundary => &[
                "identity_ai_role_admin",
                "identity_ai_role_whole_service",
                "identity_ai_role_broad_data_access",
            ],
            Self::DenyDataExfiltration => &["identity_ai_role_broad_data_access"],
            Self::S3BlockPublicAccess => &[
                "s3_bucket_public_read",
                "s3_ai_bucket_no_public_access_block",
            ],
            Self::S3RemoveForeignWrite => &[
                "s3_bucket_public_write",
                "s3_bucket_writable_outside_org",
                "path_poisonable_training_data",
            ],
            Self::EnableBedrockInvocationLogging => &["bedrock_invocation_logging_disabled"],
            Self::RequireActionConfirmation => &["path_agent_excessive_agency"],
            Self::AttachBedrockGuardrail => &["bedrock_agent_without_guardrail"],
            Self::HoldTraining => &["path_poisonable_training_data"],
        }
    }

    /// The resource types it changes.
    pub fn resource_types(self) -> &'static [AssetType] {
        use AssetType::*;
        match self {
            Self::DeactivateAccessKey | Self::QuarantineAccessKey => &[IamUser, IamAccessKey],
            Self::RotateSecret => &[SecretsmanagerSecret],
            Self::EnableKmsKeyRotation => &[KmsKey],
            Self::NarrowRolePolicy => &[IamRole, IamUser],
            Self::AttachPermissionsBoundary | Self::DenyDataExfiltration => &[IamRole],
            Self::S3BlockPublicAccess | Self::S3RemoveForeignWrite => &[S3Bucket],
            Self::EnableBedrockInvocationLogging => &[BedrockInvocationLogging],
            Self::RequireActionConfirmation | Self::AttachBedrockGuardrail => &[BedrockAgent],
            // The poisonable bucket's path finding: the jobs reading it are
            // found in the graph when it is applied.
            Self::HoldTraining => &[SagemakerTrainingJob, SagemakerPipeline, S3Bucket],
        }
    }

    /// The settings it reads from its policy entry.
    pub fn settings(self) -> &'static [Setting] {
        match self {
            Self::RotateSecret => &[
                Setting {
                    key: "rotation_lambda_arn",
                    required: false,
                    doc: "rotation function to turn on where a secret has none",
                },
                Setting {
                    key: "rotation_days",
                    required: false,
                    doc: "days between rotations when turning rotation on (default 30)",
                },
            ],
            Self::NarrowRolePolicy => &[
                Setting {
                    key: "keep_actions",
                    required: false,
                    doc: "action patterns always kept, beyond what its AI workloads need on their linked resources (which is kept anyway): what else it needs but did not use in IAM's tracking period",
                },
                Setting {
                    key: "min_age_days",
                    required: false,
                    doc: "identities younger than this are left alone (default 30)",
                },
            ],
            Self::AttachPermissionsBoundary => &[Setting {
                key: "boundary_arn",
                required: true,
                doc: "ARN of the managed policy to attach as the boundary",
            }],
            Self::DenyDataExfiltration => &[Setting {
                key: "deny_actions",
                required: false,
                doc: "the actions to deny (default: aispm's egress and data list)",
            }],
            Self::EnableBedrockInvocationLogging => &[
                Setting {
                    key: "log_bucket",
                    required: false,
                    doc: "S3 bucket for the invocation logs",
                },
                Setting {
                    key: "log_group",
                    required: false,
                    doc: "CloudWatch Logs group for the logs",
                },
                Setting {
                    key: "log_role_arn",
                    required: false,
                    doc: "role Bedrock assumes to write to the log group",
                },
            ],
            Self::AttachBedrockGuardrail => &[
                Setting {
                    key: "guardrail_id",
                    required: true,
                    doc: "the guardrail to attach",
                },
                Setting {
                    key: "guardrail_version",
                    required: true,
                    doc: "its version (`DRAFT` or a number)",
                },
            ],
            _ => &[],
        }
    }

    /// The calls it would make to fix `f`, from the finding and its
    /// evidence (the resource's state is read when it is applied), or why it
    /// cannot.
    pub fn calls(
        self,
        f: &FindingState,
        evidence: &[Value],
        settings: &Map<String, Value>,
    ) -> Result<Vec<Call>, String> {
        if !self.resource_types().contains(&f.resource_type) {
            return Err(format!(
                "{} changes {}, not a {}",
                self.name(),
                self.resource_types()
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                f.resource_type
            ));
        }
        let arn = f.resource_arn.as_str();
        let name = super::resource_name(arn);
        let setting = |k: &str| settings.get(k).cloned().unwrap_or(Value::Null);
        let call = |api: &str, params: Value| Call {
            api: api.to_owned(),
            params,
        };
        let key = || {
            f.access_key_id
                .clone()
                .ok_or_else(|| "the finding names no access key id".to_owned())
        };
        Ok(match self {
            Self::DeactivateAccessKey => vec![call(
                "iam:UpdateAccessKey",
                json!({"UserName": name, "AccessKeyId": key()?, "Status": "Inactive"}),
            )],
            Self::QuarantineAccessKey => vec![call(
                "iam:AttachUserPolicy",
                json!({"UserName": name, "PolicyArn": QUARANTINE_POLICY_ARN}),
            )],
            Self::RotateSecret => match setting("rotation_lambda_arn") {
                Value::Null => vec![call(
                    "secretsmanager:RotateSecret",
                    json!({"SecretId": arn}),
                )],
                lambda => vec![call(
                    "secretsmanager:RotateSecret",
                    json!({"SecretId": arn, "RotationLambdaARN": lambda,
                           "RotationRules": {"AutomaticallyAfterDays":
                               settings.get("rotation_days").cloned().unwrap_or(json!(30))}}),
                )],
            },
            Self::EnableKmsKeyRotation => {
                vec![call("kms:EnableKeyRotation", json!({"KeyId": arn}))]
            }
            Self::NarrowRolePolicy => super::narrow_role_policy::calls(arn, settings)?,
            Self::AttachPermissionsBoundary => vec![call(
                "iam:PutRolePermissionsBoundary",
                json!({"RoleName": name, "PermissionsBoundary": setting("boundary_arn")}),
            )],
            Self::DenyDataExfiltration => {
                let actions = match setting("deny_actions") {
                    Value::Null => json!(DEFAULT_EXFILTRATION_ACTIONS),
                    list => list,
                };
                vec![call(
                    "iam:PutRolePolicy",
                    json!({"RoleName": name, "PolicyName": DENY_EXFILTRATION_POLICY,
                           "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                               {"Effect": "Deny", "Action": actions, "Resource": "*"}]}}),
                )]
            }
            Self::S3BlockPublicAccess => vec![call(
                "s3:PutBucketPublicAccessBlock",
                json!({"Bucket": name, "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": true, "IgnorePublicAcls": true,
                    "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}),
            )],
            Self::S3RemoveForeignWrite => {
                let statements = super::s3_remove_foreign_write::named_statements(evidence);
                if statements.is_empty() {
                    return Err(
                        "the finding's evidence names no bucket-policy statement (an ACL grant is removed by hand)"
                            .into(),
                    );
                }
                vec![call(
                    "s3:PutBucketPolicy",
                    json!({"Bucket": name, "Statements": statements}),
                )]
            }
            Self::EnableBedrockInvocationLogging => {
                let mut config = Map::new();
                if let Some(b) = settings.get("log_bucket") {
                    config.insert("s3Config".into(), json!({"bucketName": b}));
                }
                if let Some(g) = settings.get("log_group") {
                    config.insert(
                        "cloudWatchConfig".into(),
                        json!({"logGroupName": g, "roleArn": setting("log_role_arn")}),
                    );
                }
                config.insert("textDataDeliveryEnabled".into(), json!(true));
                vec![call(
                    "bedrock:PutModelInvocationLoggingConfiguration",
                    json!({"loggingConfig": config}),
                )]
            }
            Self::RequireActionConfirmation => vec![
                call(
                    "bedrock:UpdateAgentActionGroup",
                    json!({"AgentArn": arn, "ActionGroups": "every enabled one",
                           "requireConfirmation": "ENABLED"}),
                ),
                call("bedrock:PrepareAgent", json!({"AgentArn": arn})),
            ],
            Self::AttachBedrockGuardrail => vec![
                call(
                    "bedrock:UpdateAgent",
                    json!({"AgentArn": arn, "guardrailConfiguration": {
                        "guardrailIdentifier": setting("guardrail_id"),
                        "guardrailVersion": setting("guardrail_version")}}),
                ),
                call("bedrock:PrepareAgent", json!({"AgentArn": arn})),
            ],
            Self::HoldTraining => match f.resource_type {
                AssetType::S3Bucket => {
                    let readers = super::evidence_list(evidence, "read_by");
                    super::hold_training::calls(name, &readers)?
                }
                _ => {
                    let bucket = super::evidence_list(evidence, "assets")
                        .into_iter()
                        .find(|a| a.starts_with("arn:aws:s3:::"))
                        .map(super::resource_name)
                        .ok_or_else(|| "the finding's evidence names no bucket".to_owned())?;
                    super::hold_training::calls(bucket, &[arn])?
                }
            },
        })
    }

    /// Whether the change removes the cause of the findings it accepts (a
    /// rescan then resolves them), rather than limiting their risk while the
    /// cause stays (a quarantine, a boundary, an explicit deny, a hold):
    /// verifying a mitigation checks that the change holds, and its finding
    /// stays open.
    pub fn resolves(self) -> bool {
        !matches!(
            self,
            Self::QuarantineAccessKey
                | Self::AttachPermissionsBoundary
                | Self::DenyDataExfiltration
                | Self::RequireActionConfirmation
                | Self::HoldTraining
        )
    }

    /// Whether the change removes the cause of findings of `rule_id`: as
    /// [`ActionKind::resolves`], except that narrowing an identity's
    /// policies only shortens an attack path through it (the path stays
    /// while the narrowed identity can still take its steps).
    pub fn resolves_rule(self, rule_id: &str) -> bool {
        self.resolves() && !(self == Self::NarrowRolePolicy && rule_id.starts_with("path_"))
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The actions that accept findings of `rule_id`, in catalog order.
pub fn actions_for(rule_id: &str) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|a| a.accepts().contains(&rule_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for a in ActionKind::ALL {
            assert_eq!(ActionKind::from_name(a.name()), Some(a));
            assert_eq!(
                serde_json::to_value(a).ok(),
                Some(Value::from(a.name())),
                "{a:?}"
            );
        }
        assert_eq!(ActionKind::from_name("delete_everything"), None);
    }

    #[test]
    fn accepted_rules_exist_and_rule_actions_are_in_the_catalog() {
        for a in ActionKind::ALL {
            for r in a.accepts() {
                assert!(
                    crate::rules::rule(r).is_some(),
                    "{a} accepts unknown rule {r}"
                );
            }
            assert!(!a.permissions().is_empty(), "{a} declares no permissions");
        }
        // Every action a rule names is one the catalog knows and that
        // accepts that rule's findings.
        for r in crate::rules::RULES {
            if let Some(name) = r.meta.remediation_action {
                let a = ActionKind::from_name(name);
                assert!(a.is_some(), "{} names unknown action {name}", r.meta.id);
                assert!(
                    a.is_some_and(|a| a.accepts().contains(&r.meta.id)),
                    "{name} does not accept {}",
                    r.meta.id
                );
            }
        }
    }

    #[test]
    fn key_findings_get_deactivation_and_quarantine() {
        assert_eq!(
            actions_for("path_exposed_key_blast_radius"),
            vec![
                ActionKind::DeactivateAccessKey,
                ActionKind::QuarantineAccessKey,
                ActionKind::NarrowRolePolicy
            ]
        );
        assert!(actions_for("sagemaker_notebook_root_access").is_empty());
    }
}
