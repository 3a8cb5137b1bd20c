//! The demo estate: an AWS Organization (management account plus two member
//! accounts, `ml-platform` in production and `data-science` in development) in
//! two regions, holding a realistic AI estate with good and bad configurations
//! and the four scenarios of BRIEF section 4 as far as the emulator allows.
//!
//! Built with the official SDK against the emulator; member accounts are
//! reached through `OrganizationAccountAccessRole`. [`Estate`] says what was
//! built so tests can compare it with what aispm discovers.

use anyhow::{Context, Result};
use aws_config::BehaviorVersion;
use aws_sdk_iam::config::Credentials;
use aws_types::SdkConfig;
use aws_types::region::Region;
use serde::Serialize;

/// The regions the estate uses.
pub const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
/// An account outside the organization that is granted write on training data.
pub const OUTSIDE_ACCOUNT: &str = "999988887777";

/// One seeded asset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Seeded {
    /// Account it lives in.
    pub account_id: String,
    /// Region, or `global`.
    pub region: String,
    /// aispm asset type name (snake_case).
    pub asset_type: &'static str,
    /// Resource name.
    pub name: String,
}

/// One expected edge: from a named asset, by kind, to a target containing `to`.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectedEdge {
    /// Account of the source asset.
    pub account_id: String,
    /// Name of the source asset.
    pub from_name: String,
    /// Edge kind (snake_case).
    pub kind: &'static str,
    /// A substring of the target ARN.
    pub to_contains: String,
}

/// What was seeded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Estate {
    /// The management account.
    pub management: String,
    /// `ml-platform` (production).
    pub ml_platform: String,
    /// `data-science` (development).
    pub data_science: String,
    /// Every seeded asset aispm should discover.
    pub assets: Vec<Seeded>,
    /// Edges aispm should derive.
    pub edges: Vec<ExpectedEdge>,
}

impl Estate {
    fn add(&mut self, account: &str, region: &str, asset_type: &'static str, name: &str) {
        self.assets.push(Seeded {
            account_id: account.to_owned(),
            region: region.to_owned(),
            asset_type,
            name: name.to_owned(),
        });
    }

    fn edge(&mut self, account: &str, from: &str, kind: &'static str, to: &str) {
        self.edges.push(ExpectedEdge {
            account_id: account.to_owned(),
            from_name: from.to_owned(),
            kind,
            to_contains: to.to_owned(),
        });
    }
}

/// SDK configuration for the emulator with fixed test credentials.
pub async fn emulator_config(endpoint: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "aispm-seed",
        ))
        .load()
        .await
}

/// `base` with the credentials of `role` in `account` (sts:AssumeRole).
pub async fn enter(base: &SdkConfig, account: &str, role: &str) -> Result<SdkConfig> {
    let sts = aws_sdk_sts::Client::new(base);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
        .role_session_name("aispm-seed")
        .send()
        .await
        .context("assume role")?;
    let c = out.credentials().context("no credentials")?;
    Ok(base
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
            Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_owned()),
                None,
                "aispm-seed",
            ),
        ))
        .build())
}

fn in_region(cfg: &SdkConfig, region: &str) -> SdkConfig {
    cfg.to_builder()
        .region(Region::new(region.to_owned()))
        .build()
}

pub(crate) fn s3(cfg: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(cfg)
            .force_path_style(true)
            .build(),
    )
}

pub(crate) const SAGEMAKER_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
pub(crate) const BEDROCK_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
pub(crate) const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// An empty but valid zip archive: the end-of-central-directory record alone.
pub(crate) const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

pub(crate) async fn role(
    iam: &aws_sdk_iam::Client,
    est: &mut Estate,
    account: &str,
    name: &str,
    trust: &str,
    inline: Option<&str>,
) -> Result<String> {
    let out = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .with_context(|| format!("create role {name}"))?;
    if let Some(doc) = inline {
        iam.put_role_policy()
            .role_name(name)
            .policy_name(format!("{name}-access"))
            .policy_document(doc)
            .send()
            .await
            .with_context(|| format!("put role policy {name}"))?;
    }
    est.add(account, "global", "iam_role", name);
    Ok(out.role().map(|r| r.arn().to_owned()).unwrap_or_default())
}

pub(crate) async fn bucket(
    cfg: &SdkConfig,
    est: &mut Estate,
    account: &str,
    region: &str,
    name: &str,
    tags: &[(&str, &str)],
) -> Result<()> {
    let client = s3(&in_region(cfg, region));
    let mut req = client.create_bucket().bucket(name);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send()
        .await
        .with_context(|| format!("create bucket {name}"))?;
    if !tags.is_empty() {
        let mut set = aws_sdk_s3::types::Tagging::builder();
        for (k, v) in tags {
            set = set.tag_set(
                aws_sdk_s3::types::Tag::builder()
                    .key(*k)
                    .value(*v)
                    .build()?,
            );
        }
        client
            .put_bucket_tagging()
            .bucket(name)
            .tagging(set.build()?)
            .send()
            .await
            .with_context(|| format!("tag bucket {name}"))?;
    }
    est.add(account, region, "s3_bucket", name);
    Ok(())
}

/// Configures a bucket the way AI data should be kept: versioning on, default
/// SSE-KMS with `key_arn`, and all four public access block settings.
pub(crate) async fn harden_bucket(cfg: &SdkConfig, name: &str, key_arn: &str) -> Result<()> {
    let client = s3(cfg);
    client
        .put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .with_context(|| format!("versioning on {name}"))?;
    client
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                                .kms_master_key_id(key_arn)
                                .build()?,
                        )
                        .build(),
                )
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("encryption on {name}"))?;
    client
        .put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .with_context(|| format!("public access block on {name}"))?;
    Ok(())
}

pub(crate) fn sm_tags(tags: &[(&str, &str)]) -> Vec<aws_sdk_sagemaker::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_sagemaker::types::Tag::builder()
                .key(*k)
                .value(*v)
                .build()
        })
        .collect()
}

/// Seeds the whole estate. Fails with the step that broke.
pub async fn seed(endpoint: &str) -> Result<Estate> {
    let mgmt_cfg = emulator_config(endpoint, "us-east-1").await;
    let mut est = Estate::default();
    let sts = aws_sdk_sts::Client::new(&mgmt_cfg);
    est.management = sts
        .get_caller_identity()
        .send()
        .await
        .context("get caller identity")?
        .account()
        .unwrap_or_default()
        .to_owned();
    let org = aws_sdk_organizations::Client::new(&mgmt_cfg);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .context("create organization")?;
    for (name, email) in [
        ("ml-platform", "ml-platform@example.com"),
        ("data-science", "data-science@example.com"),
    ] {
        let out = org
            .create_account()
            .account_name(name)
            .email(email)
            .send()
            .await
            .with_context(|| format!("create account {name}"))?;
        let id = out
            .create_account_status()
            .and_then(|s| s.account_id())
            .context("account id")?
            .to_owned();
        if name == "ml-platform" {
            est.ml_platform = id;
        } else {
            est.data_science = id;
        }
    }
    let m = est.management.clone();
    seed_management(&mgmt_cfg, &mut est, &m)
        .await
        .context("management account")?;
    let ml = est.ml_platform.clone();
    let ml_cfg = enter(&mgmt_cfg, &ml, "OrganizationAccountAccessRole").await?;
    seed_ml_platform(&ml_cfg, &mut est, &ml)
        .await
        .context("ml-platform account")?;
    let ds = est.data_science.clone();
    let ds_cfg = enter(&mgmt_cfg, &ds, "OrganizationAccountAccessRole").await?;
    seed_data_science(&ds_cfg, &mut est, &ds)
        .await
        .context("data-science account")?;
    est.assets.sort();
    Ok(est)
}

async fn scanner_role(
    iam: &aws_sdk_iam::Client,
    est: &mut Estate,
    account: &str,
    management: &str,
) -> Result<()> {
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management}:root"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"aispm-demo"}}}}}}]}}"#
    );
    role(iam, est, account, "aispm-scanner", &trust, Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["secretsmanager:GetSecretValue","s3:GetObject"],"Resource":"*"}]}"#)).await?;
    Ok(())
}

async fn seed_management(cfg: &SdkConfig, est: &mut Estate, acct: &str) -> Result<()> {
    let iam = aws_sdk_iam::Client::new(cfg);
    // Scenario 3: a long-lived key that can invoke Bedrock, and one already
    // quarantined after an exposure report.
    for (user, policy) in [
        (
            "genai-batch-runner",
            "arn:aws:iam::aws:policy/AmazonBedrockFullAccess",
        ),
        (
            "vendor-chatbot-integration",
            "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2",
        ),
    ] {
        iam.create_user()
            .user_name(user)
            .send()
            .await
            .with_context(|| format!("user {user}"))?;
        if user == "vendor-chatbot-integration" {
            // What the key could do before AWS quarantined it: its blast radius.
            iam.attach_user_policy()
                .user_name(user)
                .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
                .send()
                .await
                .context("attach bedrock policy")?;
        }
        iam.attach_user_policy()
            .user_name(user)
            .policy_arn(policy)
            .send()
            .await
            .context("attach user policy")?;
        let key = iam
            .create_access_key()
            .user_name(user)
            .send()
            .await
            .context("access key")?;
        est.add(acct, "global", "iam_user", user);
        if let Some(k) = key.access_key() {
            est.add(acct, "global", "iam_access_key", k.access_key_id());
            est.edge(acct, user, "has_access_key", k.access_key_id());
        }
        est.edge(
            acct,
            user,
            "has_policy",
            policy.rsplit('/').next().unwrap_or(policy),
        );
    }
    est.add(acct, "global", "iam_policy", "AmazonBedrockFullAccess");
    est.add(
        acct,
        "global",
        "iam_policy",
        "AWSCompromisedKeyQuarantineV2",
    );
    let logs = format!("genai-invocation-logs-{acct}");
    bucket(
        cfg,
        est,
        acct,
        "us-east-1",
        &logs,
        &[
            ("owner", "security"),
            ("purpose", "bedrock-invocation-logs"),
        ],
    )
    .await?;
    let logs_key = aws_sdk_kms::Client::new(cfg)
        .create_key()
        .description("Bedrock invocation logs")
        .send()
        .await
        .context("logs kms key")?
        .key_metadata()
        .and_then(|k| k.arn())
        .unwrap_or_default()
        .to_owned();
    aws_sdk_kms::Client::new(cfg)
        .enable_key_rotation()
        .key_id(&logs_key)
        .send()
        .await
        .context("logs kms key rotation")?;
    harden_bucket(cfg, &logs, &logs_key).await?;
    let bedrock = aws_sdk_bedrock::Client::new(cfg);
    bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(
            aws_sdk_bedrock::types::LoggingConfig::builder()
                .s3_config(
                    aws_sdk_bedrock::types::S3Config::builder()
                        .bucket_name(&logs)
                        .key_prefix("bedrock/")
                        .build()?,
                )
                .text_data_delivery_enabled(true)
                .build(),
        )
        .send()
        .await
        .context("invocation logging")?;
    for region in REGIONS {
        est.add(
            acct,
            region,
            "bedrock_invocation_logging",
            "model-invocation-logging",
        );
    }
    est.edge(acct, "model-invocation-logging", "logs_to", &logs);
    let sm = aws_sdk_secretsmanager::Client::new(cfg);
    sm.create_secret()
        .name("prod/openai-api-key")
        .description("OpenAI API key used by the support summariser")
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
    est.add(
        acct,
        "us-east-1",
        "secretsmanager_secret",
        "prod/openai-api-key",
    );
    Ok(())
}

async fn seed_ml_platform(cfg: &SdkConfig, est: &mut Estate, acct: &str) -> Result<()> {
    let r = "us-east-1";
    let iam = aws_sdk_iam::Client::new(cfg);
    let management = est.management.clone();
    scanner_role(&iam, est, acct, &management).await?;
    let training = format!("fraud-training-data-{acct}");
    let artifacts = format!("ml-model-artifacts-{acct}");
    let rag = format!("support-rag-docs-{acct}");
    // Scenario 1: the endpoint's role reads production data stores.
    let fraud_role = role(&iam, est, acct, "fraud-scoring-exec", SAGEMAKER_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:{acct}:table/*"}},{{"Effect":"Allow","Action":"rds-data:*","Resource":"*"}},{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{artifacts}/*"}}]}}"#
    ))).await?;
    let train_role = role(&iam, est, acct, "ml-training-exec", SAGEMAKER_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{training}","arn:aws:s3:::{training}/*"]}},{{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::{artifacts}/*"}}]}}"#
    ))).await?;
    let agent_role = role(&iam, est, acct, "support-agent-exec", BEDROCK_TRUST, Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#)).await?;
    // Scenario 4: the tool's role reads customer records and can send them out.
    let tool_role = role(&iam, est, acct, "support-tools-lambda", LAMBDA_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-east-1:{acct}:table/customers"}},{{"Effect":"Allow","Action":["ses:SendEmail","sns:Publish"],"Resource":"*"}}]}}"#
    ))).await?;
    let kb_role = role(&iam, est, acct, "support-kb-exec", BEDROCK_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{rag}","arn:aws:s3:::{rag}/*"]}},{{"Effect":"Allow","Action":"aoss:APIAccessAll","Resource":"*"}}]}}"#
    ))).await?;

    let kms = aws_sdk_kms::Client::new(cfg);
    let key = kms
        .create_key()
        .description("ml-platform training and artifact data")
        .send()
        .await
        .context("kms key")?;
    let key_id = key
        .key_metadata()
        .map(|k| k.key_id().to_owned())
        .unwrap_or_default();
    let key_arn = key
        .key_metadata()
        .and_then(|k| k.arn())
        .unwrap_or_default()
        .to_owned();
    kms.create_alias()
        .alias_name("alias/ml-platform-data")
        .target_key_id(&key_id)
        .send()
        .await
        .context("alias")?;
    kms.enable_key_rotation()
        .key_id(&key_id)
        .send()
        .await
        .context("rotation")?;
    est.add(acct, r, "kms_key", "alias/ml-platform-data");

    // Data: training bucket writable by an outside account (scenario 2) and
    // readable from the data-science account for feature experiments (its
    // roles hold all of S3 there), an artifact bucket done right, and a RAG
    // bucket readable by anyone.
    bucket(
        cfg,
        est,
        acct,
        r,
        &training,
        &[
            ("owner", "fraud-ml"),
            ("environment", "prod"),
            ("data-classification", "confidential"),
        ],
    )
    .await?;
    let client = s3(cfg);
    client
        .put_bucket_policy()
        .bucket(&training)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PartnerLabelDelivery","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}},"Action":["s3:PutObject","s3:PutObjectAcl"],"Resource":"arn:aws:s3:::{training}/labels/*"}},{{"Sid":"DataScienceFeatureReads","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ds}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{training}/features/*"}}]}}"#,
            ds = est.data_science
        ))
        .send()
        .await
        .context("training bucket policy")?;
    bucket(
        cfg,
        est,
        acct,
        r,
        &artifacts,
        &[("owner", "fraud-ml"), ("environment", "prod")],
    )
    .await?;
    harden_bucket(cfg, &artifacts, &key_arn).await?;
    bucket(
        cfg,
        est,
        acct,
        r,
        &rag,
        &[("owner", "support-eng"), ("purpose", "support-rag")],
    )
    .await?;
    client
        .put_bucket_policy()
        .bucket(&rag)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PublicHelpCenter","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{rag}/*"}}]}}"#
        ))
        .send()
        .await
        .context("rag bucket policy")?;

    // SageMaker.
    let sm = aws_sdk_sagemaker::Client::new(cfg);
    sm.create_notebook_instance()
        .notebook_instance_name("fraud-research")
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(&train_role)
        .direct_internet_access(aws_sdk_sagemaker::types::DirectInternetAccess::Enabled)
        .root_access(aws_sdk_sagemaker::types::RootAccess::Enabled)
        .set_tags(Some(sm_tags(&[
            ("owner", "fraud-ml"),
            ("purpose", "fraud-research"),
        ])))
        .send()
        .await
        .context("notebook fraud-research")?;
    sm.create_notebook_instance()
        .notebook_instance_name("churn-analysis")
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(&train_role)
        .subnet_id("subnet-0a1b2c3d4e5f60718")
        .security_group_ids("sg-0123456789abcdef0")
        .kms_key_id(&key_id)
        .direct_internet_access(aws_sdk_sagemaker::types::DirectInternetAccess::Disabled)
        .root_access(aws_sdk_sagemaker::types::RootAccess::Disabled)
        .set_tags(Some(sm_tags(&[
            ("owner", "growth-analytics"),
            ("purpose", "churn-prediction"),
            ("environment", "prod"),
        ])))
        .send()
        .await
        .context("notebook churn-analysis")?;
    est.add(acct, r, "sagemaker_notebook_instance", "fraud-research");
    est.add(acct, r, "sagemaker_notebook_instance", "churn-analysis");
    est.edge(
        acct,
        "fraud-research",
        "executes_as",
        "role/ml-training-exec",
    );
    est.edge(acct, "churn-analysis", "encrypted_by", &key_id);

    // Scenario 1: an unregistered, self-hosted LLM endpoint.
    sm.create_model()
        .model_name("fraud-scoring-llm")
        .execution_role_arn(&fraud_role)
        .primary_container(
            aws_sdk_sagemaker::types::ContainerDefinition::builder()
                .image("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3-tgi2.2-gpu-py310-cu121-ubuntu22.04")
                .model_data_url(format!("s3://{artifacts}/fraud-scoring-llm/model.tar.gz"))
                .build(),
        )
        .send()
        .await
        .context("model fraud-scoring-llm")?;
    sm.create_endpoint_config()
        .endpoint_config_name("fraud-scoring-config")
        .production_variants(
            aws_sdk_sagemaker::types::ProductionVariant::builder()
                .variant_name("primary")
                .model_name("fraud-scoring-llm")
                .initial_instance_count(1)
                .instance_type(
                    aws_sdk_sagemaker::types::ProductionVariantInstanceType::from(
                        "ml.g4dn.2xlarge",
                    ),
                )
                .build(),
        )
        .send()
        .await
        .context("endpoint config")?;
    sm.create_endpoint()
        .endpoint_name("fraud-scoring")
        .endpoint_config_name("fraud-scoring-config")
        .send()
        .await
        .context("endpoint")?;
    est.add(acct, r, "sagemaker_model", "fraud-scoring-llm");
    est.add(acct, r, "sagemaker_endpoint_config", "fraud-scoring-config");
    est.add(acct, r, "sagemaker_endpoint", "fraud-scoring");
    est.edge(
        acct,
        "fraud-scoring",
        "uses_endpoint_config",
        "endpoint-config/fraud-scoring-config",
    );
    est.edge(
        acct,
        "fraud-scoring-config",
        "serves_model",
        "model/fraud-scoring-llm",
    );
    est.edge(
        acct,
        "fraud-scoring-llm",
        "executes_as",
        "role/fraud-scoring-exec",
    );
    est.edge(acct, "fraud-scoring-llm", "artifact_in", &artifacts);

    // Scenario 2: training reads the bucket outsiders can write.
    sm.create_training_job()
        .training_job_name("fraud-scoring-train-2026-11")
        .role_arn(&train_role)
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
                                .s3_uri(format!("s3://{training}/labels/2026-11/"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .output_data_config(
            aws_sdk_sagemaker::types::OutputDataConfig::builder()
                .s3_output_path(format!("s3://{artifacts}/training-output/"))
                .build(),
        )
        .resource_config(
            aws_sdk_sagemaker::types::ResourceConfig::builder()
                .instance_type(aws_sdk_sagemaker::types::TrainingInstanceType::from(
                    "ml.g4dn.xlarge",
                ))
                .instance_count(1)
                .volume_size_in_gb(100)
                .build(),
        )
        .stopping_condition(
            aws_sdk_sagemaker::types::StoppingCondition::builder()
                .max_runtime_in_seconds(86400)
                .build(),
        )
        .send()
        .await
        .context("training job")?;
    est.add(
        acct,
        r,
        "sagemaker_training_job",
        "fraud-scoring-train-2026-11",
    );
    est.edge(acct, "fraud-scoring-train-2026-11", "reads_data", &training);
    est.edge(
        acct,
        "fraud-scoring-train-2026-11",
        "writes_data",
        &artifacts,
    );
    est.edge(
        acct,
        "fraud-scoring-train-2026-11",
        "executes_as",
        "role/ml-training-exec",
    );

    sm.create_processing_job()
        .processing_job_name("fraud-features-prep")
        .role_arn(&train_role)
        .app_specification(
            aws_sdk_sagemaker::types::AppSpecification::builder()
                .image_uri("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3")
                .build(),
        )
        .processing_resources(
            aws_sdk_sagemaker::types::ProcessingResources::builder()
                .cluster_config(
                    aws_sdk_sagemaker::types::ProcessingClusterConfig::builder()
                        .instance_count(1)
                        .instance_type(aws_sdk_sagemaker::types::ProcessingInstanceType::MlM5Xlarge)
                        .volume_size_in_gb(30)
                        .volume_kms_key_id(&key_arn)
                        .build(),
                )
                .build(),
        )
        .processing_inputs(
            aws_sdk_sagemaker::types::ProcessingInput::builder()
                .input_name("raw")
                .s3_input(
                    aws_sdk_sagemaker::types::ProcessingS3Input::builder()
                        .s3_uri(format!("s3://{training}/raw/"))
                        .local_path("/opt/ml/processing/input")
                        .s3_data_type(aws_sdk_sagemaker::types::ProcessingS3DataType::S3Prefix)
                        .s3_input_mode(aws_sdk_sagemaker::types::ProcessingS3InputMode::File)
                        .build(),
                )
                .build(),
        )
        .processing_output_config(
            aws_sdk_sagemaker::types::ProcessingOutputConfig::builder()
                .kms_key_id(&key_arn)
                .outputs(
                    aws_sdk_sagemaker::types::ProcessingOutput::builder()
                        .output_name("features")
                        .s3_output(
                            aws_sdk_sagemaker::types::ProcessingS3Output::builder()
                                .s3_uri(format!("s3://{training}/features/"))
                                .local_path("/opt/ml/processing/output")
                                .s3_upload_mode(aws_sdk_sagemaker::types::ProcessingS3UploadMode::EndOfJob)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .stopping_condition(aws_sdk_sagemaker::types::ProcessingStoppingCondition::builder().max_runtime_in_seconds(3600).build())
        .network_config(
            aws_sdk_sagemaker::types::NetworkConfig::builder()
                .enable_network_isolation(true)
                .enable_inter_container_traffic_encryption(true)
                .vpc_config(
                    aws_sdk_sagemaker::types::VpcConfig::builder()
                        .subnets("subnet-0a1b2c3d4e5f60718")
                        .security_group_ids("sg-0123456789abcdef0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .context("processing job")?;
    est.add(acct, r, "sagemaker_processing_job", "fraud-features-prep");
    est.edge(acct, "fraud-features-prep", "reads_data", &training);

    // Model Monitor on the fraud endpoint: the data-quality monitor's
    // containers may call out (its definition omits network isolation); the
    // model-quality monitor is configured as it should be.
    monitor_definitions(&sm, &fraud_role, &artifacts, &key_arn).await?;
    est.add(
        acct,
        r,
        "sagemaker_monitoring_job_definition",
        "fraud-data-quality",
    );
    est.add(
        acct,
        r,
        "sagemaker_monitoring_job_definition",
        "fraud-model-quality",
    );

    let definition = serde_json::json!({
        "Version": "2020-12-01",
        "Steps": [{
            "Name": "RetrainFraudModel",
            "Type": "Training",
            "Arguments": {
                "RoleArn": train_role,
                "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://{training}/labels/")}}}],
                "OutputDataConfig": {"S3OutputPath": format!("s3://{artifacts}/pipeline-output/")}
            }
        }]
    });
    sm.create_pipeline()
        .pipeline_name("fraud-retrain")
        .role_arn(&train_role)
        .pipeline_definition(definition.to_string())
        .client_request_token("fraud-retrain-2026-11-seed-token-0001")
        .set_tags(Some(sm_tags(&[
            ("owner", "fraud-ml"),
            ("purpose", "weekly-retraining"),
        ])))
        .send()
        .await
        .context("pipeline")?;
    est.add(acct, r, "sagemaker_pipeline", "fraud-retrain");
    est.edge(acct, "fraud-retrain", "reads_data", &training);

    sm.create_model_package_group()
        .model_package_group_name("fraud-scoring-models")
        .set_tags(Some(sm_tags(&[
            ("owner", "fraud-ml"),
            ("purpose", "fraud-model-registry"),
        ])))
        .send()
        .await
        .context("model package group")?;
    est.add(
        acct,
        r,
        "sagemaker_model_package_group",
        "fraud-scoring-models",
    );

    sm.create_feature_group()
        .feature_group_name("customer-transactions")
        .record_identifier_feature_name("customer_id")
        .event_time_feature_name("event_time")
        .feature_definitions(
            aws_sdk_sagemaker::types::FeatureDefinition::builder()
                .feature_name("customer_id")
                .feature_type(aws_sdk_sagemaker::types::FeatureType::String)
                .build(),
        )
        .feature_definitions(
            aws_sdk_sagemaker::types::FeatureDefinition::builder()
                .feature_name("event_time")
                .feature_type(aws_sdk_sagemaker::types::FeatureType::String)
                .build(),
        )
        .offline_store_config(
            aws_sdk_sagemaker::types::OfflineStoreConfig::builder()
                .s3_storage_config(
                    aws_sdk_sagemaker::types::S3StorageConfig::builder()
                        .s3_uri(format!("s3://{training}/feature-store/"))
                        .build(),
                )
                .build(),
        )
        .role_arn(&train_role)
        .send()
        .await
        .context("feature group")?;
    // ListFeatureGroups is missing from the emulator: aispm records the feature
    // store as not assessed, so the feature group is not expected in inventory.

    sm.create_domain()
        .domain_name("ml-platform-studio")
        .auth_mode(aws_sdk_sagemaker::types::AuthMode::Sso)
        .default_user_settings(
            aws_sdk_sagemaker::types::UserSettings::builder()
                .execution_role(&train_role)
                .build(),
        )
        .subnet_ids("subnet-0a1b2c3d4e5f60718")
        .vpc_id("vpc-0123456789abcdef0")
        .app_network_access_type(aws_sdk_sagemaker::types::AppNetworkAccessType::VpcOnly)
        .set_tags(Some(sm_tags(&[
            ("owner", "ml-platform"),
            ("purpose", "data-science-workbench"),
        ])))
        .send()
        .await
        .context("studio domain")?;
    est.add(acct, r, "sagemaker_domain", "ml-platform-studio");
    est.edge(
        acct,
        "ml-platform-studio",
        "executes_as",
        "role/ml-training-exec",
    );

    // Bedrock: a fine-tuned support model, an agent with a tool, a knowledge base.
    let bedrock = aws_sdk_bedrock::Client::new(cfg);
    bedrock
        .create_model_customization_job()
        .job_name("support-llm-ft-2026-11")
        .custom_model_name("support-llm-ft")
        .role_arn(&train_role)
        .base_model_identifier("anthropic.claude-3-haiku-20240307-v1:0")
        .training_data_config(
            aws_sdk_bedrock::types::TrainingDataConfig::builder()
                .s3_uri(format!("s3://{training}/support-transcripts/train.jsonl"))
                .build(),
        )
        .output_data_config(
            aws_sdk_bedrock::types::OutputDataConfig::builder()
                .s3_uri(format!("s3://{artifacts}/bedrock-ft/"))
                .build()?,
        )
        .hyper_parameters("epochCount", "2")
        .send()
        .await
        .context("customization job")?;
    // moto answers ListCustomModels and ListModelCustomizationJobs with
    // timestamps that are not ISO 8601, which the SDK rightly rejects: aispm
    // records both collectors as not assessed, so they are not expected here.

    let aoss = aws_sdk_opensearchserverless::Client::new(cfg);
    aoss.create_security_policy()
        .name("support-docs-encryption")
        .r#type(aws_sdk_opensearchserverless::types::SecurityPolicyType::Encryption)
        .policy(format!(
            r#"{{"Rules":[{{"ResourceType":"collection","Resource":["collection/support-docs-vectors"]}}],"AWSOwnedKey":false,"KmsARN":"{key_arn}"}}"#
        ))
        .send()
        .await
        .context("aoss encryption policy")?;
    let collection = aoss
        .create_collection()
        .name("support-docs-vectors")
        .r#type(aws_sdk_opensearchserverless::types::CollectionType::Vectorsearch)
        .send()
        .await
        .context("aoss collection")?;
    let collection_arn = collection
        .create_collection_detail()
        .and_then(|d| d.arn())
        .unwrap_or_default()
        .to_owned();
    // Created after the collection: the emulator reads the first policy it
    // finds as the collection's encryption policy.
    aoss.create_security_policy()
        .name("support-docs-network")
        .r#type(aws_sdk_opensearchserverless::types::SecurityPolicyType::Network)
        .policy(r#"[{"Rules":[{"ResourceType":"collection","Resource":["collection/support-docs-vectors"]}],"AllowFromPublic":true}]"#)
        .send()
        .await
        .context("aoss network policy")?;
    est.add(
        acct,
        r,
        "opensearch_serverless_collection",
        "support-docs-vectors",
    );

    // Scenario 4: the support agent and its knowledge bases, created in moto
    // through the SDK as a user's tooling would (aispm discovers them on plain
    // moto; moto lacks action groups, agent knowledge-base associations and
    // data sources, which aispm records as not assessed). The agent's tool is
    // a Lambda whose resource policy lets Bedrock invoke it on behalf of this
    // agent, which aispm turns into an agent -> tool edge.
    let agents = agents_client(cfg);
    let agent = agents
        .create_agent()
        .agent_name("customer-support-agent")
        .agent_resource_role_arn(&agent_role)
        .foundation_model("anthropic.claude-3-5-sonnet-20240620-v1:0")
        .idle_session_ttl_in_seconds(600)
        .tags("owner", "support-eng")
        .tags("purpose", "customer-support")
        .send()
        .await
        .context("bedrock agent")?;
    let agent_arn = agent
        .agent()
        .map(|a| a.agent_arn().to_owned())
        .context("agent arn")?;
    est.add(acct, r, "bedrock_agent", "customer-support-agent");
    est.edge(
        acct,
        "customer-support-agent",
        "executes_as",
        "role/support-agent-exec",
    );
    est.edge(
        acct,
        "customer-support-agent",
        "invokes_tool",
        "function:customer-lookup-tool",
    );
    knowledge_base(
        &agents,
        "support-docs",
        &kb_role,
        &collection_arn,
        &[("owner", "support-eng"), ("purpose", "support-rag")],
    )
    .await?;
    est.add(acct, r, "bedrock_knowledge_base", "support-docs");
    est.edge(acct, "support-docs", "executes_as", "role/support-kb-exec");
    est.edge(acct, "support-docs", "vector_store", "collection/");
    // RAG poisoning: a partner keeps the product FAQ in a bucket of this
    // account that a second knowledge base ingests (its role reads it), and
    // the partner's account may write it.
    let faq = format!("partner-faq-docs-{acct}");
    bucket(
        cfg,
        est,
        acct,
        r,
        &faq,
        &[("owner", "support-eng"), ("purpose", "partner-faq")],
    )
    .await?;
    harden_bucket(cfg, &faq, &key_arn).await?;
    s3(cfg)
        .put_bucket_policy()
        .bucket(&faq)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PartnerUploads","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{faq}/*"}}]}}"#
        ))
        .send()
        .await
        .context("partner faq bucket policy")?;
    let faq_role = role(&iam, est, acct, "partner-faq-kb-exec", BEDROCK_TRUST, Some(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{faq}","arn:aws:s3:::{faq}/*"]}},{{"Effect":"Allow","Action":"aoss:APIAccessAll","Resource":"*"}}]}}"#
    ))).await?;
    knowledge_base(
        &agents,
        "partner-faq",
        &faq_role,
        &collection_arn,
        &[("owner", "support-eng"), ("purpose", "partner-faq")],
    )
    .await?;
    est.add(acct, r, "bedrock_knowledge_base", "partner-faq");
    est.edge(
        acct,
        "partner-faq",
        "executes_as",
        "role/partner-faq-kb-exec",
    );

    let lambda = aws_sdk_lambda::Client::new(cfg);
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
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .variables("CUSTOMER_TABLE", "customers")
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
        .source_arn(&agent_arn)
        .send()
        .await
        .context("lambda permission")?;
    est.add(acct, r, "lambda_function", "customer-lookup-tool");
    est.edge(
        acct,
        "customer-lookup-tool",
        "executes_as",
        "role/support-tools-lambda",
    );

    let secrets = aws_sdk_secretsmanager::Client::new(cfg);
    for (name, desc) in [
        (
            "support-bot/anthropic-api-key",
            "Anthropic key for the support bot fallback",
        ),
        ("payments/db-password", "payments database password"),
    ] {
        secrets
            .create_secret()
            .name(name)
            .description(desc)
            .secret_string("placeholder")
            .send()
            .await
            .with_context(|| format!("secret {name}"))?;
        est.add(acct, r, "secretsmanager_secret", name);
    }
    Ok(())
}

async fn seed_data_science(cfg: &SdkConfig, est: &mut Estate, acct: &str) -> Result<()> {
    let r = "eu-west-1";
    let iam = aws_sdk_iam::Client::new(cfg);
    let management = est.management.clone();
    scanner_role(&iam, est, acct, &management).await?;
    let nb_role = role(&iam, est, acct, "ds-notebook-exec", SAGEMAKER_TRUST, Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)).await?;
    let eu = in_region(cfg, r);
    let eval = format!("ds-eval-datasets-{acct}");
    bucket(
        cfg,
        est,
        acct,
        r,
        &eval,
        &[("owner", "data-science"), ("environment", "dev")],
    )
    .await?;
    // A scratch bucket nothing is seen using and nobody tagged as AI data,
    // which anyone can write: the notebook's role (`*`) reaches it, so it is
    // poisonable data in waiting (AI scope from reachability).
    let scratch = format!("ds-scratch-{acct}");
    bucket(cfg, est, acct, r, &scratch, &[("owner", "data-science")]).await?;
    s3(cfg)
        .put_bucket_policy()
        .bucket(&scratch)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AnyoneCanDrop","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{scratch}/*"}}]}}"#
        ))
        .send()
        .await
        .context("scratch bucket policy")?;
    let sm = aws_sdk_sagemaker::Client::new(&eu);
    // Shadow AI: a prototyping notebook nobody registered, whose start-up
    // script logs in to the Hugging Face hub with a token written into it.
    let setup = "#!/bin/bash\nset -e\nsudo -u ec2-user -i <<'EOS'\npip install -q transformers datasets\nhuggingface-cli login --token hf_DemoOnlyNotARealTokenAbCdEfGhIjKlMn\nEOS\n";
    sm.create_notebook_instance_lifecycle_config()
        .notebook_instance_lifecycle_config_name("genai-proto-setup")
        .on_start(
            aws_sdk_sagemaker::types::NotebookInstanceLifecycleHook::builder()
                .content(aws_smithy_types::base64::encode(setup))
                .build(),
        )
        .send()
        .await
        .context("notebook lifecycle config")?;
    sm.create_notebook_instance()
        .notebook_instance_name("genai-prototyping")
        .lifecycle_config_name("genai-proto-setup")
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Large)
        .role_arn(&nb_role)
        .direct_internet_access(aws_sdk_sagemaker::types::DirectInternetAccess::Enabled)
        .send()
        .await
        .context("notebook genai-prototyping")?;
    est.add(acct, r, "sagemaker_notebook_instance", "genai-prototyping");
    est.edge(
        acct,
        "genai-prototyping",
        "executes_as",
        "role/ds-notebook-exec",
    );
    sm.create_model()
        .model_name("sentiment-eval")
        .execution_role_arn(&nb_role)
        .primary_container(
            aws_sdk_sagemaker::types::ContainerDefinition::builder()
                .image("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1-transformers4.37-cpu-py310-ubuntu22.04")
                .model_data_url(format!("s3://{eval}/models/sentiment/model.tar.gz"))
                .build(),
        )
        .set_tags(Some(sm_tags(&[("owner", "data-science"), ("purpose", "sentiment-evaluation"), ("environment", "dev")])))
        .send()
        .await
        .context("model sentiment-eval")?;
    est.add(acct, r, "sagemaker_model", "sentiment-eval");
    est.edge(acct, "sentiment-eval", "artifact_in", &eval);
    // Feature engineering for the evaluations runs as a role holding all of
    // S3 (one whole service, beside the notebook's administrator role), in a
    // processing job whose containers are not network-isolated.
    let fe_role = role(&iam, est, acct, "ds-feature-eng-exec", SAGEMAKER_TRUST, Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)).await?;
    sm.create_processing_job()
        .processing_job_name("eval-embeddings-prep")
        .role_arn(&fe_role)
        .app_specification(
            aws_sdk_sagemaker::types::AppSpecification::builder()
                .image_uri("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1-transformers4.37-cpu-py310-ubuntu22.04")
                .build(),
        )
        .processing_resources(
            aws_sdk_sagemaker::types::ProcessingResources::builder()
                .cluster_config(
                    aws_sdk_sagemaker::types::ProcessingClusterConfig::builder()
                        .instance_count(2)
                        .instance_type(aws_sdk_sagemaker::types::ProcessingInstanceType::MlM5Xlarge)
                        .volume_size_in_gb(30)
                        .build(),
                )
                .build(),
        )
        .processing_inputs(
            aws_sdk_sagemaker::types::ProcessingInput::builder()
                .input_name("eval")
                .s3_input(
                    aws_sdk_sagemaker::types::ProcessingS3Input::builder()
                        .s3_uri(format!("s3://{eval}/datasets/"))
                        .local_path("/opt/ml/processing/input")
                        .s3_data_type(aws_sdk_sagemaker::types::ProcessingS3DataType::S3Prefix)
                        .s3_input_mode(aws_sdk_sagemaker::types::ProcessingS3InputMode::File)
                        .build(),
                )
                .build(),
        )
        .stopping_condition(aws_sdk_sagemaker::types::ProcessingStoppingCondition::builder().max_runtime_in_seconds(3600).build())
        .network_config(
            aws_sdk_sagemaker::types::NetworkConfig::builder()
                .enable_network_isolation(false)
                .enable_inter_container_traffic_encryption(true)
                .build(),
        )
        .set_tags(Some(sm_tags(&[("owner", "data-science"), ("purpose", "sentiment-evaluation")])))
        .send()
        .await
        .context("processing job eval-embeddings-prep")?;
    est.add(acct, r, "sagemaker_processing_job", "eval-embeddings-prep");
    est.edge(acct, "eval-embeddings-prep", "reads_data", &eval);
    est.edge(
        acct,
        "eval-embeddings-prep",
        "executes_as",
        "role/ds-feature-eng-exec",
    );
    let secrets = aws_sdk_secretsmanager::Client::new(&eu);
    secrets
        .create_secret()
        .name("huggingface/hub-token")
        .description("Hugging Face hub token for model downloads")
        .secret_string("placeholder")
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("owner")
                .value("data-science")
                .build(),
        )
        .send()
        .await
        .context("secret")?;
    est.add(acct, r, "secretsmanager_secret", "huggingface/hub-token");
    Ok(())
}

/// The fraud endpoint's data-quality (isolation omitted) and model-quality
/// (isolated, encrypted, in a VPC) monitoring job definitions.
async fn monitor_definitions(
    sm: &aws_sdk_sagemaker::Client,
    role_arn: &str,
    artifacts: &str,
    key_arn: &str,
) -> Result<()> {
    use aws_sdk_sagemaker::types::{
        DataQualityAppSpecification, DataQualityJobInput, EndpointInput,
        ModelQualityAppSpecification, ModelQualityJobInput, MonitoringClusterConfig,
        MonitoringGroundTruthS3Input, MonitoringNetworkConfig, MonitoringOutput,
        MonitoringOutputConfig, MonitoringProblemType, MonitoringResources, MonitoringS3Output,
        ProcessingInstanceType, VpcConfig,
    };
    let image = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer";
    let endpoint = || {
        EndpointInput::builder()
            .endpoint_name("fraud-scoring")
            .local_path("/opt/ml/processing/input/endpoint")
            .build()
    };
    let resources = || -> Result<MonitoringResources> {
        Ok(MonitoringResources::builder()
            .cluster_config(
                MonitoringClusterConfig::builder()
                    .instance_count(1)
                    .instance_type(ProcessingInstanceType::MlM5Xlarge)
                    .volume_size_in_gb(20)
                    .volume_kms_key_id(key_arn)
                    .build(),
            )
            .build())
    };
    let output = |prefix: &str| -> Result<MonitoringOutputConfig> {
        Ok(MonitoringOutputConfig::builder()
            .monitoring_outputs(
                MonitoringOutput::builder()
                    .s3_output(
                        MonitoringS3Output::builder()
                            .s3_uri(format!("s3://{artifacts}/monitoring/{prefix}/"))
                            .local_path("/opt/ml/processing/output")
                            .build(),
                    )
                    .build(),
            )
            .kms_key_id(key_arn)
            .build())
    };
    sm.create_data_quality_job_definition()
        .job_definition_name("fraud-data-quality")
        .role_arn(role_arn)
        .data_quality_app_specification(
            DataQualityAppSpecification::builder()
                .image_uri(image)
                .build(),
        )
        .data_quality_job_input(
            DataQualityJobInput::builder()
                .endpoint_input(endpoint())
                .build(),
        )
        .data_quality_job_output_config(output("data-quality")?)
        .job_resources(resources()?)
        .network_config(
            MonitoringNetworkConfig::builder()
                .enable_inter_container_traffic_encryption(true)
                .build(),
        )
        .send()
        .await
        .context("data quality job definition")?;
    sm.create_model_quality_job_definition()
        .job_definition_name("fraud-model-quality")
        .role_arn(role_arn)
        .model_quality_app_specification(
            ModelQualityAppSpecification::builder()
                .image_uri(image)
                .problem_type(MonitoringProblemType::BinaryClassification)
                .build(),
        )
        .model_quality_job_input(
            ModelQualityJobInput::builder()
                .endpoint_input(endpoint())
                .ground_truth_s3_input(
                    MonitoringGroundTruthS3Input::builder()
                        .s3_uri(format!("s3://{artifacts}/ground-truth/"))
                        .build(),
                )
                .build(),
        )
        .model_quality_job_output_config(output("model-quality")?)
        .job_resources(resources()?)
        .network_config(
            MonitoringNetworkConfig::builder()
                .enable_inter_container_traffic_encryption(true)
                .enable_network_isolation(true)
                .vpc_config(
                    VpcConfig::builder()
                        .subnets("subnet-0a1b2c3d4e5f60718")
                        .security_group_ids("sg-0123456789abcdef0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .context("model quality job definition")?;
    Ok(())
}

/// A Bedrock Agents client that speaks to moto as AWS's API model does (the
/// modelled paths, moto's epoch timestamps read as date-times).
fn agents_client(cfg: &SdkConfig) -> aws_sdk_bedrockagent::Client {
    use aispm_shared::aws::modelled_uri::{EpochTimestamps, ModelledUri};
    aws_sdk_bedrockagent::Client::from_conf(
        aws_sdk_bedrockagent::config::Builder::from(cfg)
            .interceptor(ModelledUri)
            .http_client(EpochTimestamps::new())
            .build(),
    )
}

/// A vector knowledge base on the OpenSearch Serverless `collection`.
async fn knowledge_base(
    agents: &aws_sdk_bedrockagent::Client,
    name: &str,
    role_arn: &str,
    collection: &str,
    tags: &[(&str, &str)],
) -> Result<()> {
    use aws_sdk_bedrockagent::types::{
        KnowledgeBaseConfiguration, KnowledgeBaseStorageType, KnowledgeBaseType,
        OpenSearchServerlessConfiguration, OpenSearchServerlessFieldMapping, StorageConfiguration,
        VectorKnowledgeBaseConfiguration,
    };
    let mut req = agents
        .create_knowledge_base()
        .name(name)
        .role_arn(role_arn)
        .knowledge_base_configuration(
            KnowledgeBaseConfiguration::builder()
                .r#type(KnowledgeBaseType::Vector)
                .vector_knowledge_base_configuration(
                    VectorKnowledgeBaseConfiguration::builder()
                        .embedding_model_arn("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0")
                        .build()?,
                )
                .build()?,
        )
        .storage_configuration(
            StorageConfiguration::builder()
                .r#type(KnowledgeBaseStorageType::OpensearchServerless)
                .opensearch_serverless_configuration(
                    OpenSearchServerlessConfiguration::builder()
                        .collection_arn(collection)
                        .vector_index_name(name)
                        .field_mapping(
                            OpenSearchServerlessFieldMapping::builder()
                                .vector_field("embedding")
                                .text_field("text")
                                .metadata_field("metadata")
                                .build()?,
                        )
                        .build()?,
                )
                .build()?,
        );
    for (k, v) in tags {
        req = req.tags(*k, *v);
    }
    req.send()
        .await
        .with_context(|| format!("knowledge base {name}"))?;
    Ok(())
}

/// Fixes one seeded misconfiguration: removes the public-read bucket policy of
/// the `ml-platform` RAG bucket (the finding `s3_bucket_public_read` on it).
pub async fn fix_public_rag_bucket(endpoint: &str, est: &Estate) -> Result<String> {
    let base = emulator_config(endpoint, "us-east-1").await;
    let member = enter(&base, &est.ml_platform, "OrganizationAccountAccessRole").await?;
    let bucket = format!("support-rag-docs-{}", est.ml_platform);
    s3(&member)
        .delete_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .context("delete rag bucket policy")?;
    Ok(format!("arn:aws:s3:::{bucket}"))
}
