use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_types::SdkConfig;
use aws_types::region::Region;

use super::{CollectError, RequestCounter, SdkResultExt};

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// Send every request here instead of AWS's endpoints (an emulator). When
    /// unset, `AWS_ENDPOINT_URL` is honoured by the SDK itself.
    pub endpoint_url: Option<String>,
    /// Connection timeout; an unreachable endpoint fails this fast.
    pub connect_timeout: Duration,
    /// Limit for one HTTP attempt.
    pub attempt_timeout: Duration,
    /// Limit for one operation, retries included.
    pub operation_timeout: Duration,
    /// Attempts per operation (standard retry mode, see [`super::retry`]).
    pub max_attempts: u32,
    /// Credentials to use instead of the standard chain (tests, embedding).
    pub credentials: Option<SharedCredentialsProvider>,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(20),
            operation_timeout: Duration::from_secs(60),
            max_attempts: super::retry::MAX_ATTEMPTS,
            credentials: None,
        }
    }
}

impl AwsSettings {
    /// Defaults, with the endpoint override taken from `AWS_ENDPOINT_URL` (so
    /// S3 also switches to path-style addressing against an emulator).
    pub fn from_env() -> Self {
        Self {
            endpoint_url: std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            ..Self::default()
        }
    }

    /// The same settings for a first call that only checks the endpoint and
    /// the credentials answer: an endpoint that accepts connections but never
    /// replies fails in seconds, not after the full operation timeout. Fast
    /// answers (throttling, 5xx) are still retried: 4 attempts of 3 s, 10 s
    /// in all.
    pub fn probe(&self) -> Self {
        Self {
            attempt_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(10),
            max_attempts: 4,
            ..self.clone()
        }
    }
}

/// SDK configuration from the standard credential chain, in `region`, with
/// standard retries ([`super::retry`]), timeouts and the endpoint override.
pub async fn base_config(settings: &AwsSettings, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .retry_config(super::retry::config(settings.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(settings.connect_timeout)
                .operation_attempt_timeout(settings.attempt_timeout)
                .operation_timeout(settings.operation_timeout)
                .build(),
        );
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(c) = &settings.credentials {
        loader = loader.credentials_provider(c.clone());
    }
    loader.load().await
}

/// The account id and ARN of the caller.
pub async fn caller_identity(
    sdk: &SdkConfig,
    counter: &RequestCounter,
) -> Result<(String, String), CollectError> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(sdk)
            .interceptor(counter.clone())
            .build(),
    );
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .op("sts:GetCallerIdentity")?;
    Ok((
        out.account().unwrap_or_default().to_owned(),
        out.arn().unwrap_or_default().to_owned(),
    ))
}

/// Assumes `role_arn` and returns a configuration that uses its credentials.
pub async fn assume_role(
    sdk: &SdkConfig,
    counter: &RequestCounter,
    role_arn: &str,
    external_id: Option<&str>,
) -> Result<SdkConfig, CollectError> {
    const OP: &str = "sts:AssumeRole";
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(sdk)
            .interceptor(counter.clone())
            .build(),
    );
    let out = sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("aispm-scan")
        .set_external_id(external_id.map(str::to_owned))
        .send()
        .await
        .op(OP)?;
    let c = out.credentials().ok_or_else(|| {
        CollectError::other(
            OP,
            crate::model::NotAssessedReason::AssumeRoleFailed,
            "the response carried no credentials",
        )
    })?;
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        std::time::SystemTime::try_from(*c.expiration()).ok(),
        "aispm-assume-role",
    );
    Ok(sdk
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build())
}

/// One client per service for one account and region, all counting requests.
#[derive(Debug, Clone)]
pub struct Clients {
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// S3 Control, for the account-level Block Public Access.
    pub s3control: aws_sdk_s3control::Client,
    /// EC2, for the VPC endpoints of the AI services.
    pub ec2: aws_sdk_ec2::Client,
    /// SageMaker.
    pub sagemaker: aws_sdk_sagemaker::Client,
    /// Bedrock control plane.
    pub bedrock: aws_sdk_bedrock::Client,
    /// Bedrock agents and knowledge bases.
    pub bedrock_agent: aws_sdk_bedrockagent::Client,
    /// Bedrock AgentCore control plane.
    pub agentcore: aws_sdk_bedrockagentcorecontrol::Client,
    /// Secrets Manager (metadata calls only).
    pub secrets: aws_sdk_secretsmanager::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// OpenSearch Serverless.
    pub aoss: aws_sdk_opensearchserverless::Client,
    /// S3 Vectors.
    pub s3vectors: aws_sdk_s3vectors::Client,
    /// Organizations.
    pub organizations: aws_sdk_organizations::Client,
}

/// An S3 client for `region` (buckets must be addressed in their own region).
/// With an endpoint override it uses path-style addressing, which emulators need.
pub fn s3_client(sdk: &SdkConfig, region: &str, counter: &RequestCounter) -> aws_sdk_s3::Client {
    let sdk = sdk
        .to_builder()
        .region(Region::new(region.to_owned()))
        .build();
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .interceptor(counter.clone())
            .retry_classifier(super::retry::NeverRetry)
            .build(),
    )
}

macro_rules! client {
    ($krate:ident, $sdk:expr, $counter:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($sdk)
                .interceptor($counter.clone())
                .retry_classifier(super::retry::NeverRetry)
                .build(),
        )
    };
}

/// The S3 Control client. AWS addresses S3 Control at
/// `{account}.s3-control.{region}.amazonaws.com`, and its endpoint rules put
/// the account in front of an overridden endpoint's host too, which names no
/// host an emulator on `127.0.0.1` answers; with an override the endpoint is
/// the given URL, as for every other service (the account travels in the
/// `x-amz-account-id` header either way).
fn s3control_client(sdk: &SdkConfig, counter: &RequestCounter) -> aws_sdk_s3control::Client {
    let mut b = aws_sdk_s3control::config::Builder::from(sdk)
        .interceptor(counter.clone())
        .retry_classifier(super::retry::NeverRetry);
    if let Some(url) = sdk.endpoint_url() {
        b = b.endpoint_resolver(FixedEndpoint(url.to_owned()));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

/// An endpoint resolver that answers one URL whatever the parameters.
#[derive(Debug, Clone)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

impl Clients {
    /// Clients for the configuration's credentials in `region`. With an endpoint
    /// override S3 uses path-style addressing, which emulators need.
    pub fn new(sdk: &SdkConfig, region: &str, counter: &RequestCounter) -> Self {
        let sdk = sdk
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        let s3 = s3_client(&sdk, region, counter);
        Self {
            iam: client!(aws_sdk_iam, &sdk, counter),
            s3,
            s3control: s3control_client(&sdk, counter),
            ec2: client!(aws_sdk_ec2, &sdk, counter),
            sagemaker: client!(aws_sdk_sagemaker, &sdk, counter),
            bedrock: client!(aws_sdk_bedrock, &sdk, counter),
            bedrock_agent: aws_sdk_bedrockagent::Client::from_conf(
                aws_sdk_bedrockagent::config::Builder::from(&sdk)
                    .http_client(super::modelled_uri::EpochTimestamps::new())
                    .interceptor(counter.clone())
                    .interceptor(super::modelled_uri::ModelledUri)
                    .retry_classifier(super::retry::NeverRetry)
                    .build(),
            ),
            agentcore: client!(aws_sdk_bedrockagentcorecontrol, &sdk, counter),
            secrets: client!(aws_sdk_secretsmanager, &sdk, counter),
            kms: client!(aws_sdk_kms, &sdk, counter),
            lambda: client!(aws_sdk_lambda, &sdk, counter),
            aoss: client!(aws_sdk_opensearchserverless, &sdk, counter),
            s3vectors: client!(aws_sdk_s3vectors, &sdk, counter),
            organizations: client!(aws_sdk_organizations, &sdk, counter),
        }
    }
}
