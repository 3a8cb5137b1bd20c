//! What each Lambda function's `main` builds once per container: its
//! settings, the SDK configuration of its home region, and the findings
//! store. The three functions share this instead of repeating it.

use aws_types::SdkConfig;

use super::{PipelineConfig, PipelineError};
use crate::aws::{AwsSettings, SdkResultExt, base_config};
use crate::store::DynamoStore;

/// A function's dependencies.
#[derive(Debug, Clone)]
pub struct Deps {
    /// The pipeline's settings.
    pub cfg: PipelineConfig,
    /// Endpoint and credential settings.
    pub settings: AwsSettings,
    /// The SDK configuration of the function's own region (`AWS_REGION`,
    /// which Lambda sets; else the first swept region): the store and the
    /// queue live there, whatever regions are swept.
    pub sdk: SdkConfig,
    /// The findings store.
    pub store: DynamoStore,
}

impl Deps {
    /// Reads the configuration through `get` (the process environment in a
    /// Lambda) and builds the store; names any setting that is missing or
    /// wrong.
    pub async fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, PipelineError> {
        let mut cfg = PipelineConfig::from_env(&get)?;
        let settings = AwsSettings::from_env();
        let sdk = base_config(&settings, &home_region(&get, &cfg)).await;
        if let Some(name) = get(EXTERNAL_ID_PARAMETER).filter(|n| !n.is_empty()) {
            if cfg.external_ids.contains_key(EXTERNAL_ID) {
                return Err(PipelineError::Config(format!(
                    "both {EXTERNAL_ID} and {EXTERNAL_ID_PARAMETER} are set; set one"
                )));
            }
            let id = external_id_parameter(&sdk, &name).await?;
            cfg.external_ids.insert(EXTERNAL_ID.to_owned(), id);
        }
        let store = DynamoStore::new(&sdk, cfg.table.clone());
        Ok(Self {
            cfg,
            settings,
            sdk,
            store,
        })
    }
}

/// The ExternalId as a plain setting (the name tasks refer to it by).
const EXTERNAL_ID: &str = "AISPM_EXTERNAL_ID";
/// The name of an SSM parameter (a SecureString) holding the ExternalId
/// instead, read once per container.
const EXTERNAL_ID_PARAMETER: &str = "AISPM_EXTERNAL_ID_PARAMETER";

/// Reads the ExternalId from SSM parameter `name` (decrypted); a missing,
/// unreadable or empty parameter is a configuration error naming it.
async fn external_id_parameter(sdk: &SdkConfig, name: &str) -> Result<String, PipelineError> {
    let out = aws_sdk_ssm::Client::new(sdk)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .op("ssm:GetParameter")
        .map_err(|e| {
            PipelineError::Config(format!(
                "{EXTERNAL_ID_PARAMETER} `{name}`: {}",
                crate::aws::source_chain(&e)
            ))
        })?;
    out.parameter()
        .and_then(|p| p.value())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            PipelineError::Config(format!(
                "{EXTERNAL_ID_PARAMETER} `{name}`: the parameter is empty"
            ))
        })
}

/// The region of the function's own resources (table, queue).
fn home_region(get: impl Fn(&str) -> Option<String>, cfg: &PipelineConfig) -> String {
    get("AWS_REGION")
        .filter(|r| !r.is_empty())
        .or_else(|| cfg.regions.first().cloned())
        .unwrap_or_default()
}

/// JSON logs on stdout, filtered by `AISPM_LOG` (default `info`): what
/// CloudWatch Logs Insights reads.
pub fn init_json_logs() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AISPM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_lives_in_the_functions_own_region() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        const BASE: &[(&str, &str)] = &[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "eu-west-1,us-east-1"),
        ];
        let cfg = PipelineConfig::from_env(env(BASE)).unwrap();
        let with_own: &'static [(&str, &str)] = &[
            ("AISPM_TABLE", "t"),
            ("AISPM_REGIONS", "eu-west-1,us-east-1"),
            ("AWS_REGION", "us-west-2"),
        ];
        assert_eq!(home_region(env(with_own), &cfg), "us-west-2");
        assert_eq!(home_region(env(BASE), &cfg), "eu-west-1");
    }
}
