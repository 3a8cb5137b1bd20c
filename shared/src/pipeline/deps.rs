//! What each Lambda function's `main` builds once per container: its
//! settings, the SDK configuration of its home region, and the findings
//! store. The three functions share this instead of repeating it.

use aws_types::SdkConfig;

use super::{PipelineConfig, PipelineError};
use crate::aws::{AwsSettings, base_config};
use crate::store::DynamoStore;

/// A function's dependencies.
#[derive(Debug, Clone)]
pub struct Deps {
    /// The pipeline's settings.
    pub cfg: PipelineConfig,
    /// Endpoint and credential settings.
    pub settings: AwsSettings,
    /// The SDK configuration of the home region (the first configured one).
    pub sdk: SdkConfig,
    /// The findings store.
    pub store: DynamoStore,
}

impl Deps {
    /// Reads the configuration through `get` (the process environment in a
    /// Lambda) and builds the store; names any setting that is missing or
    /// wrong.
    pub async fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, PipelineError> {
        let cfg = PipelineConfig::from_env(&get)?;
        let settings = AwsSettings::from_env();
        let home = cfg.regions.first().cloned().unwrap_or_default();
        let sdk = base_config(&settings, &home).await;
        let store = DynamoStore::new(&sdk, cfg.table.clone());
        Ok(Self {
            cfg,
            settings,
            sdk,
            store,
        })
    }
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
