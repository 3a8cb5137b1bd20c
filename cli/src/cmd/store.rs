//! Where the findings store is, and the scanner settings the commands that
//! write to it share (`sweep`, `event`).

use aispm_shared::aws::{AwsSettings, base_config, parse_regions};
use aispm_shared::pipeline::PipelineConfig;
use aispm_shared::rules::RuleConfig;
use aispm_shared::store::{DynamoStore, table_exists};
use anyhow::{Context, bail};
use clap::Args;

/// Where the store is.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Send every AWS request to this endpoint (an emulator). Also read from
    /// AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub(crate) endpoint_url: Option<String>,
    /// The DynamoDB table of the findings store.
    #[arg(long, env = "AISPM_TABLE", default_value = "aispm-findings")]
    pub(crate) table: String,
    /// Region of the table.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    pub(crate) store_region: String,
}

impl StoreArgs {
    fn settings(&self) -> anyhow::Result<AwsSettings> {
        if let Some(url) = &self.endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("invalid --endpoint-url `{url}`: expected http:// or https://");
        }
        if self.table.trim().is_empty() {
            bail!("invalid --table: empty");
        }
        Ok(AwsSettings {
            endpoint_url: self.endpoint_url.clone(),
            ..AwsSettings::default()
        })
    }

    /// The store's client (no network call yet).
    pub(crate) async fn open(
        &self,
    ) -> anyhow::Result<(AwsSettings, aws_types::SdkConfig, DynamoStore)> {
        let settings = self.settings()?;
        parse_regions(&self.store_region).context("invalid --store-region")?;
        let sdk = base_config(&settings, &self.store_region).await;
        let store = DynamoStore::new(&sdk, self.table.clone());
        Ok((settings, sdk, store))
    }

    /// [`Self::open`], then [`Self::require_table`].
    pub(crate) async fn open_existing(
        &self,
    ) -> anyhow::Result<(AwsSettings, aws_types::SdkConfig, DynamoStore)> {
        let opened = self.open().await?;
        self.require_table(&opened.0).await?;
        Ok(opened)
    }

    /// One quick call that shows the endpoint answers (one that accepts
    /// connections and never replies fails in seconds, not after the
    /// operation timeout) and that the table exists.
    pub(crate) async fn require_table(&self, settings: &AwsSettings) -> anyhow::Result<()> {
        let probe = base_config(&settings.probe(), &self.store_region).await;
        let exists = table_exists(&probe, &self.table).await.with_context(|| {
            format!(
                "cannot reach the findings store (table `{}` in {})",
                self.table, self.store_region
            )
        })?;
        if !exists {
            bail!(
                "the findings store `{}` does not exist in {} (a sweep creates it: `aispm sweep --local`; in AWS the SAM stack does)",
                self.table,
                self.store_region
            );
        }
        Ok(())
    }
}

/// How the pipeline enters accounts and what it suppresses.
#[derive(Debug, Args)]
pub(crate) struct ScannerArgs {
    /// Role assumed in member accounts.
    #[arg(long, default_value = "aispm-scanner")]
    pub(crate) role_name: String,
    #[command(flatten)]
    pub(crate) external_id: ExternalIdArgs,
    /// A suppressions file (see `aispm scan --help`): matching findings are
    /// stored as suppressed with the entry's reason, owner and expiry, and
    /// reopen when it expires. In Lambda: `AISPM_SUPPRESSIONS`.
    #[arg(long, value_name = "FILE")]
    pub(crate) suppressions: Option<std::path::PathBuf>,
}

impl ScannerArgs {
    /// The pipeline's settings for `table` and `regions` (the one place the
    /// CLI writes a [`PipelineConfig`] out): no queue, the organization's
    /// accounts, the caller's own account entered through the role.
    pub(crate) fn config(
        &self,
        table: &str,
        regions: Vec<String>,
    ) -> anyhow::Result<PipelineConfig> {
        if self.role_name.trim().is_empty() {
            bail!("invalid --role-name: empty");
        }
        let mut cfg = PipelineConfig {
            table: table.to_owned(),
            queue_url: None,
            regions,
            role_name: self.role_name.clone(),
            external_id_ref: None,
            external_ids: Default::default(),
            accounts: None,
            rules: RuleConfig::default(),
            suppressions: crate::cmd::scan::read_suppressions(self.suppressions.as_deref())?,
            collector_concurrency: 8,
            assume_role_in_own_account: true,
        };
        if let Some(x) = &self.external_id.value()? {
            cfg.external_ids.insert("cli".to_owned(), x.clone());
            cfg.external_id_ref = Some("cli".to_owned());
        }
        Ok(cfg)
    }
}

/// Where the ExternalId passed to AssumeRole comes from: the flag, the
/// `AISPM_EXTERNAL_ID` environment variable, or a file (kept out of shell
/// history and process listings).
#[derive(Debug, Args)]
pub(crate) struct ExternalIdArgs {
    /// ExternalId passed to AssumeRole. Also read from AISPM_EXTERNAL_ID.
    #[arg(long, env = "AISPM_EXTERNAL_ID", hide_env_values = true)]
    external_id: Option<String>,
    /// Read the ExternalId from the first line of FILE instead.
    #[arg(long, value_name = "FILE", conflicts_with = "external_id")]
    external_id_file: Option<std::path::PathBuf>,
}

impl ExternalIdArgs {
    /// The ExternalId, if one is given; an unreadable or empty file is an
    /// error naming it.
    pub(crate) fn value(&self) -> anyhow::Result<Option<String>> {
        if let Some(path) = &self.external_id_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --external-id-file {}", path.display()))?;
            let id = text.lines().next().unwrap_or_default().trim();
            if id.is_empty() {
                bail!("--external-id-file {}: empty first line", path.display());
            }
            return Ok(Some(id.to_owned()));
        }
        Ok(self.external_id.clone().filter(|x| !x.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        x: ExternalIdArgs,
    }

    fn value(args: &[&str]) -> anyhow::Result<Option<String>> {
        let mut argv = vec!["aispm"];
        argv.extend(args);
        Cli::try_parse_from(argv)?.x.value()
    }

    #[test]
    fn the_external_id_comes_from_the_flag_or_the_first_line_of_a_file() {
        let dir = std::env::temp_dir().join(format!("aispm-xid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("xid");
        std::fs::write(&file, "  s3cr3t-external-id \nignored\n").unwrap();
        let path = file.to_str().unwrap();
        assert_eq!(
            value(&["--external-id", "abc12345"]).unwrap().as_deref(),
            Some("abc12345")
        );
        assert_eq!(
            value(&["--external-id-file", path]).unwrap().as_deref(),
            Some("s3cr3t-external-id")
        );
        std::fs::write(&file, "\n").unwrap();
        let err = value(&["--external-id-file", path])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("empty first line") && err.contains(path),
            "{err}"
        );
        let missing = dir.join("missing");
        let err = value(&["--external-id-file", missing.to_str().unwrap()]).unwrap_err();
        assert!(format!("{err:#}").contains("cannot read --external-id-file"));
        assert!(value(&["--external-id", "a", "--external-id-file", path]).is_err());
    }
}
