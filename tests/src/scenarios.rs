//! The four scenarios of BRIEF section 4, each seeded on its own into the
//! emulator's default account (`123456789012`, us-east-1), so a test can
//! assert the exact findings one scenario yields and that its attack path
//! ranks first in the account.
//!
//! What the emulator cannot serve (Bedrock Agents) is answered by
//! [`bedrock_agent_responses`] in AWS's REST-JSON wire format through a
//! loopback proxy; everything else is real emulator state.

use anyhow::{Context, Result};
use aws_types::SdkConfig;

use crate::proxy::Fault;
use crate::seed::{
    BEDROCK_TRUST, EMPTY_ZIP, Estate, LAMBDA_TRUST, SAGEMAKER_TRUST, bucket, emulator_config,
    harden_bucket, role, s3, sm_tags,
};

/// The emulator's default account, which the scenarios use.
pub const ACCOUNT: &str = "123456789012";
/// The region the scenarios use.
pub const REGION: &str = "us-east-1";
/// The outside account granted write on training data in scenario 2.
pub const OUTSIDE_ACCOUNT: &str = "999988887777";

/// A customer managed key with automatic rotation, as the scenarios' keys
/// are configured well: their weaknesses lie elsewhere.
async fn key(cfg: &SdkConfig, description: &str) -> Result<String> {
    let kms = aws_sdk_kms::Client::new(cfg);
    let arn = kms
        .create_key()
        .description(description)
        .send()
        .await
        .context("kms key")?
        .key_metadata()
        .and_then(|k| k.arn())
        .unwrap_or_default()
        .to_owned();
    kms.enable_key_rotation()
        .key_id(&arn)
        .send()
        .await
        .context("kms key rotation")?;
    Ok(arn)
}

/// A model served by an endpoint, the usual SageMaker hosting chain.
async fn hosted_model(
    cfg: &SdkConfig,
    name: &str,
    role_arn: &str,
    artifact: &str,
    tags: &[(&str, &str)],
) -> Result<()> {
    let sm = aws_sdk_sagemaker::Client::new(cfg);
    sm.create_model()
        .model_name(name)
        .execution_role_arn(role_arn)
        .primary_container(
            aws_sdk_sagemaker::types::ContainerDefinition::builder()
                .image("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3-tgi2.2-gpu-py310-cu121-ubuntu22.04")
                .model_data_url(artifact)
                .build(),
        )
        .set_tags(Some(sm_tags(tags)))
        .send()
        .await
        .with_context(|| format!("model {name}"))?;
    sm.create_endpoint_config()
        .endpoint_config_name(format!("{name}-config"))
        .production_variants(
            aws_sdk_sagemaker::types::ProductionVariant::builder()
                .variant_name("primary")
                .model_name(name)
                .initial_instance_count(2)
                .instance_type(
                    aws_sdk_sagemaker::types::ProductionVariantInstanceType::from(
                        "ml.g4dn.2xlarge",
                    ),
                )
                .build(),
        )
        .kms_key_id(key(cfg, "endpoint volumes").await?)
        .set_tags(Some(sm_tags(tags)))
        .send()
        .await
        .context("endpoint config")?;
    sm.create_endpoint()
        .endpoint_name(name)
        .endpoint_config_name(format!("{name}-config"))
        .set_tags(Some(sm_tags(tags)))
        .send()
        .await
        .context("endpoint")?;
    Ok(())
}

/// Scenario 1, unregistered internal LLM: an untagged self-hosted endpoint
/// whose execution role can query every DynamoDB table and the RDS Data API.
pub async fn unregistered_llm(endpoint: &str) -> Result<()> {
    let cfg = emulator_config(endpoint, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let mut est = Estate::default();
    let artifacts = format!("llm-artifacts-{ACCOUNT}");
    bucket(
        &cfg,
        &mut est,
        ACCOUNT,
        REGION,
        &artifacts,
        &[("owner", "ml-platform"), ("purpose", "model-artifacts")],
    )
    .await?;
    harden_bucket(&cfg, &artifacts, &key(&cfg, "artifacts").await?).await?;
    let exec = role(&iam, &mut est, ACCOUNT, "internal-llm-exec", SAGEMAKER_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*"}},{{"Effect":"Allow","Action":"rds-data:ExecuteStatement","Resource":"*"}},{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{artifacts}/*"}}]}}"#
    ))).await?;
    hosted_model(
        &cfg,
        "internal-llm",
        &exec,
        &format!("s3://{artifacts}/internal-llm/model.tar.gz"),
        &[],
    )
    .await
}

/// Scenario 2, poisoned data before retraining: an outside account can write
/// the bucket a training job reads; the job's output is the artifact of a
/// model served in production.
pub async fn poisoned_training_data(endpoint: &str) -> Result<()> {
    let cfg = emulator_config(endpoint, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let mut est = Estate::default();
    let owned = [
        ("owner", "fraud-ml"),
        ("purpose", "fraud-scoring"),
        ("environment", "prod"),
    ];
    let training = format!("training-data-{ACCOUNT}");
    let artifacts = format!("model-artifacts-{ACCOUNT}");
    let k = key(&cfg, "training data").await?;
    for b in [&training, &artifacts] {
        bucket(&cfg, &mut est, ACCOUNT, REGION, b, &owned).await?;
        harden_bucket(&cfg, b, &k).await?;
    }
    // The block must not hide the grant: a partner delivery exception.
    s3(&cfg)
        .delete_public_access_block()
        .bucket(&training)
        .send()
        .await
        .context("pab")?;
    s3(&cfg)
        .put_bucket_policy()
        .bucket(&training)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PartnerLabelDelivery","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{training}/labels/*"}}]}}"#
        ))
        .send()
        .await
        .context("training bucket policy")?;
    let exec = role(&iam, &mut est, ACCOUNT, "fraud-train-exec", SAGEMAKER_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{training}","arn:aws:s3:::{training}/*"]}},{{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::{artifacts}/*"}}]}}"#
    ))).await?;
    let sm = aws_sdk_sagemaker::Client::new(&cfg);
    sm.create_training_job()
        .training_job_name("fraud-train-2026-11")
        .role_arn(&exec)
        .algorithm_specification(
            aws_sdk_sagemaker::types::AlgorithmSpecification::builder()
                .training_image(
                    "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-gpu-py311",
                )
                .training_input_mode(aws_sdk_sagemaker::types::TrainingInputMode::File)
                .build(),
        )
        .input_data_config(
            aws_sdk_sagemaker::types::Channel::builder()
                .channel_name("train")
                .data_source(
                    aws_sdk_sagemaker::types::DataSource::builder()
                        .s3_data_source(
                            aws_sdk_sagemaker::types::S3DataSource::builder()
                                .s3_data_type(aws_sdk_sagemaker::types::S3DataType::S3Prefix)
                                .s3_uri(format!("s3://{training}/labels/"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .output_data_config(
            aws_sdk_sagemaker::types::OutputDataConfig::builder()
                .s3_output_path(format!("s3://{artifacts}/training-output/"))
                .kms_key_id(&k)
                .build(),
        )
        .resource_config(
            aws_sdk_sagemaker::types::ResourceConfig::builder()
                .instance_type(aws_sdk_sagemaker::types::TrainingInstanceType::from(
                    "ml.g4dn.xlarge",
                ))
                .instance_count(1)
                .volume_size_in_gb(100)
                .volume_kms_key_id(&k)
                .build(),
        )
        .vpc_config(
            aws_sdk_sagemaker::types::VpcConfig::builder()
                .subnets("subnet-0a1b2c3d4e5f60718")
                .security_group_ids("sg-0123456789abcdef0")
                .build(),
        )
        .enable_network_isolation(true)
        .enable_inter_container_traffic_encryption(true)
        .stopping_condition(
            aws_sdk_sagemaker::types::StoppingCondition::builder()
                .max_runtime_in_seconds(86400)
                .build(),
        )
        .send()
        .await
        .context("training job")?;
    let serve = role(&iam, &mut est, ACCOUNT, "fraud-serve-exec", SAGEMAKER_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{artifacts}/*"}}]}}"#
    ))).await?;
    hosted_model(
        &cfg,
        "fraud-scoring",
        &serve,
        &format!("s3://{artifacts}/training-output/fraud-train-2026-11/output/model.tar.gz"),
        &owned,
    )
    .await
}

/// Scenario 3, exposed GenAI API key: AWS quarantined a user's key after
/// finding it in public; before that the user could use all of Bedrock. A
/// secret holding an OpenAI key has no rotation.
pub async fn exposed_key(endpoint: &str) -> Result<()> {
    let cfg = emulator_config(endpoint, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let user = "vendor-chatbot-integration";
    iam.create_user()
        .user_name(user)
        .send()
        .await
        .context("user")?;
    for policy in ["AmazonBedrockFullAccess", "AWSCompromisedKeyQuarantineV2"] {
        iam.attach_user_policy()
            .user_name(user)
            .policy_arn(format!("arn:aws:iam::aws:policy/{policy}"))
            .send()
            .await
            .with_context(|| format!("attach {policy}"))?;
    }
    iam.create_access_key()
        .user_name(user)
        .send()
        .await
        .context("access key")?;
    aws_sdk_secretsmanager::Client::new(&cfg)
        .create_secret()
        .name("chatbot/openai-api-key")
        .description("OpenAI API key of the vendor chatbot")
        .secret_string("placeholder-not-a-real-key")
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("owner")
                .value("support-eng")
                .build(),
        )
        .send()
        .await
        .context("secret")?;
    Ok(())
}

/// Scenario 4, overprivileged agent: a support agent's tool reads the
/// customers table and can email anyone, with no confirmation and no
/// guardrail. The agent itself is served by [`bedrock_agent_responses`].
pub async fn overprivileged_agent(endpoint: &str) -> Result<()> {
    let cfg = emulator_config(endpoint, REGION).await;
    let iam = aws_sdk_iam::Client::new(&cfg);
    let mut est = Estate::default();
    role(&iam, &mut est, ACCOUNT, "support-agent-exec", BEDROCK_TRUST, Some(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"}]}"#,
    )).await?;
    let tool_role = role(&iam, &mut est, ACCOUNT, "support-tools-lambda", LAMBDA_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/customers"}},{{"Effect":"Allow","Action":["ses:SendEmail","sns:Publish"],"Resource":"*"}}]}}"#
    ))).await?;
    let lambda = aws_sdk_lambda::Client::new(&cfg);
    lambda
        .create_function()
        .function_name("customer-lookup-tool")
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(&tool_role)
        .handler("app.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(aws_smithy_types::Blob::new(EMPTY_ZIP.to_vec()))
                .build(),
        )
        .send()
        .await
        .context("lambda function")?;
    lambda
        .add_permission()
        .function_name("customer-lookup-tool")
        .statement_id("AllowSupportAgent")
        .action("lambda:InvokeFunction")
        .principal("bedrock.amazonaws.com")
        .source_arn(format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/SUPPORTAG1"
        ))
        .send()
        .await
        .context("lambda permission")?;
    Ok(())
}

/// AWS's Bedrock Agents answers (REST-JSON) for the support agent of
/// `account`: one action group whose Lambda is `customer-lookup-tool`, two
/// functions without confirmation, no guardrail. moto holds no agent with a
/// fixed id and cannot serve action groups (the scenarios pin these; plain
/// moto's agents are discovered in `tests/tests/bedrock_agents.rs`).
pub fn bedrock_agent_responses(account: &str) -> Vec<Fault> {
    let ok = |needles: &[&str], body: String| Fault {
        needles: needles.iter().map(|s| (*s).to_owned()).collect(),
        status: 200,
        content_type: "application/json".to_owned(),
        body,
        then: Vec::new(),
    };
    let ts = "2026-11-20T10:00:00Z";
    let mut out = action_group_responses(account, "SUPPORTAG1");
    out.extend([
        ok(
            &["GET /agents/SUPPORTAG1"],
            format!(
                r#"{{"agent":{{"agentId":"SUPPORTAG1","agentName":"customer-support-agent","agentArn":"arn:aws:bedrock:us-east-1:{account}:agent/SUPPORTAG1","agentVersion":"DRAFT","agentStatus":"PREPARED","foundationModel":"anthropic.claude-3-5-sonnet-20240620-v1:0","idleSessionTTLInSeconds":3600,"agentResourceRoleArn":"arn:aws:iam::{account}:role/support-agent-exec","createdAt":"{ts}","updatedAt":"{ts}"}}}}"#
            ),
        ),
        ok(
            &["POST /agents"],
            format!(
                r#"{{"agentSummaries":[{{"agentId":"SUPPORTAG1","agentName":"customer-support-agent","agentStatus":"PREPARED","updatedAt":"{ts}","latestAgentVersion":"1"}}]}}"#
            ),
        ),
        ok(
            &["GET /tags/arn%3Aaws%3Abedrock"],
            r#"{"tags":{"owner":"support-eng","purpose":"customer-support"}}"#.to_owned(),
        ),
    ]);
    out
}

/// What moto lacks for the agent `agent_id` of `account`, as AWS answers it
/// (REST-JSON): one action group whose Lambda is `customer-lookup-tool`, two
/// functions without confirmation, and the agent's (empty) knowledge-base
/// associations.
pub fn action_group_responses(account: &str, agent_id: &str) -> Vec<Fault> {
    let ok = |needle: String, body: String| Fault {
        needles: vec![needle],
        status: 200,
        content_type: "application/json".to_owned(),
        body,
        then: Vec::new(),
    };
    let ts = "2026-11-20T10:00:00Z";
    vec![
        ok(
            format!("GET /agents/{agent_id}/agentversions/DRAFT/actiongroups/LOOKUP0001"),
            format!(
                r#"{{"agentActionGroup":{{"agentId":"{agent_id}","agentVersion":"DRAFT","actionGroupId":"LOOKUP0001","actionGroupName":"customer-lookup","createdAt":"{ts}","updatedAt":"{ts}","actionGroupExecutor":{{"lambda":"arn:aws:lambda:us-east-1:{account}:function:customer-lookup-tool"}},"functionSchema":{{"functions":[{{"name":"get_customer","requireConfirmation":"DISABLED"}},{{"name":"email_customer"}}]}},"actionGroupState":"ENABLED"}}}}"#
            ),
        ),
        ok(
            format!("POST /agents/{agent_id}/agentversions/DRAFT/actiongroups"),
            format!(
                r#"{{"actionGroupSummaries":[{{"actionGroupId":"LOOKUP0001","actionGroupName":"customer-lookup","actionGroupState":"ENABLED","updatedAt":"{ts}"}}]}}"#
            ),
        ),
        ok(
            format!("POST /agents/{agent_id}/agentversions/DRAFT/knowledgebases"),
            r#"{"agentKnowledgeBaseSummaries":[]}"#.to_owned(),
        ),
    ]
}

/// One service of an identity's last-accessed report.
#[derive(Debug, Clone)]
pub struct ServiceReport {
    /// Its namespace (`bedrock`).
    pub namespace: String,
    /// The identity authenticated to it in the tracking period.
    pub used: bool,
    /// Its tracked actions (names without the prefix), and whether each was
    /// used; empty for a service IAM reports at the service level only.
    pub tracked: Vec<(String, bool)>,
}

/// IAM's action-level last-accessed report for the identity `arn`, as a
/// loopback responder (Query protocol XML; moto has no last-accessed API):
/// GenerateServiceLastAccessedDetails answers a job id, and
/// GetServiceLastAccessedDetails for that job a completed report of
/// `services`.
pub fn last_accessed_responses(arn: &str, services: &[ServiceReport]) -> Vec<Fault> {
    let job = format!(
        "{:032x}",
        arn.bytes()
            .fold(0xcbf2_9ce4_8422_2325_u128, |h, b| (h ^ u128::from(b))
                .wrapping_mul(0x0100_0000_01b3))
    );
    let encoded: String = arn
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let ts = "2026-11-30T10:00:00Z";
    let members: String = services
        .iter()
        .map(|s| {
            let tracked: String = s
                .tracked
                .iter()
                .map(|(name, used)| {
                    let when = if *used {
                        format!("<LastAccessedTime>{ts}</LastAccessedTime><LastAccessedEntity>{arn}</LastAccessedEntity><LastAccessedRegion>us-east-1</LastAccessedRegion>")
                    } else {
                        String::new()
                    };
                    format!("<member><ActionName>{name}</ActionName>{when}</member>")
                })
                .collect();
            let tracked = if s.tracked.is_empty() {
                String::new()
            } else {
                format!("<TrackedActionsLastAccessed>{tracked}</TrackedActionsLastAccessed>")
            };
            let auth = if s.used {
                format!("<LastAuthenticated>{ts}</LastAuthenticated><LastAuthenticatedEntity>{arn}</LastAuthenticatedEntity><LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>")
            } else {
                "<TotalAuthenticatedEntities>0</TotalAuthenticatedEntities>".to_owned()
            };
            format!(
                "<member><ServiceName>{ns}</ServiceName><ServiceNamespace>{ns}</ServiceNamespace>{auth}{tracked}</member>",
                ns = s.namespace
            )
        })
        .collect();
    let xml = |body: String| Fault {
        needles: Vec::new(),
        status: 200,
        content_type: "text/xml".to_owned(),
        body,
        then: Vec::new(),
    };
    vec![
        Fault {
            needles: vec![
                "Action=GenerateServiceLastAccessedDetails".to_owned(),
                format!("Arn={encoded}"),
            ],
            ..xml(format!(
                "<GenerateServiceLastAccessedDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GenerateServiceLastAccessedDetailsResult><JobId>{job}</JobId></GenerateServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>2d4c6b1e-0000-4000-8000-00000000aa01</RequestId></ResponseMetadata></GenerateServiceLastAccessedDetailsResponse>"
            ))
        },
        Fault {
            needles: vec![
                "Action=GetServiceLastAccessedDetails".to_owned(),
                format!("JobId={job}"),
            ],
            ..xml(format!(
                "<GetServiceLastAccessedDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetServiceLastAccessedDetailsResult><JobStatus>COMPLETED</JobStatus><JobType>ACTION_LEVEL</JobType><JobCreationDate>{ts}</JobCreationDate><JobCompletionDate>{ts}</JobCompletionDate><IsTruncated>false</IsTruncated><ServicesLastAccessed>{members}</ServicesLastAccessed></GetServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>2d4c6b1e-0000-4000-8000-00000000aa02</RequestId></ResponseMetadata></GetServiceLastAccessedDetailsResponse>"
            ))
        },
    ]
}

/// The emulator's account made the management account of an organization
/// with two OUs under its root, `ml` and `other`, and moved into `ml`:
/// the ids of the root, `ml` and `other`.
pub async fn account_in_ml_ou(endpoint: &str) -> Result<(String, String, String)> {
    let cfg = emulator_config(endpoint, REGION).await;
    let org = aws_sdk_organizations::Client::new(&cfg);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .context("organization")?;
    let root = org
        .list_roots()
        .send()
        .await
        .context("roots")?
        .roots()
        .first()
        .and_then(|r| r.id())
        .context("no root")?
        .to_owned();
    let mut ous = Vec::new();
    for name in ["ml", "other"] {
        let ou = org
            .create_organizational_unit()
            .parent_id(&root)
            .name(name)
            .send()
            .await
            .with_context(|| format!("OU {name}"))?;
        ous.push(
            ou.organizational_unit()
                .and_then(|o| o.id())
                .context("OU id")?
                .to_owned(),
        );
    }
    let (ml, other) = (ous[0].clone(), ous[1].clone());
    org.move_account()
        .account_id(ACCOUNT)
        .source_parent_id(&root)
        .destination_parent_id(&ml)
        .send()
        .await
        .context("move account")?;
    Ok((root, ml, other))
}
