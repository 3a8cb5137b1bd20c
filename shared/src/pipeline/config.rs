//! The sweep's and the scanner's settings, read from the function's
//! environment (through a getter, so tests hand them in).

use std::collections::BTreeMap;

use super::PipelineError;
use crate::reconcile::Settings;
use crate::reconcile::suppressions::Suppressions;
use crate::rules::RuleConfig;
use crate::scan;

/// Settings of the sweep and the scanner, read from the function's environment.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// DynamoDB table (`AISPM_TABLE`).
    pub table: String,
    /// Scan queue URL (`AISPM_QUEUE_URL`; the sweep needs it).
    pub queue_url: Option<String>,
    /// Regions to sweep (`AISPM_REGIONS`, comma-separated).
    pub regions: Vec<String>,
    /// Role assumed in member accounts (`AISPM_ROLE_NAME`, default `aispm-scanner`).
    pub role_name: String,
    /// Which configured ExternalId tasks use (`AISPM_EXTERNAL_ID_REF`).
    pub external_id_ref: Option<String>,
    /// ExternalIds the scanner knows, by reference name. From the environment:
    /// `AISPM_EXTERNAL_ID` is known as `AISPM_EXTERNAL_ID`.
    pub external_ids: BTreeMap<String, String>,
    /// Accounts to sweep instead of the organization (`AISPM_ACCOUNTS`).
    pub accounts: Option<Vec<String>>,
    /// Tag keys the rules read.
    pub rules: RuleConfig,
    /// Suppressions from the configuration (`AISPM_SUPPRESSIONS`: the JSON
    /// of a suppressions file).
    pub suppressions: Suppressions,
    /// Collectors run at once per task.
    pub collector_concurrency: usize,
    /// Enter the function's own account through the scanner role too
    /// (`AISPM_ASSUME_ROLE_IN_OWN_ACCOUNT`, default true), so the function's
    /// role never needs read access itself.
    pub assume_role_in_own_account: bool,
}

impl PipelineConfig {
    /// Reads the configuration through `get` (the process environment in a
    /// Lambda), naming any setting that is missing or wrong.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, PipelineError> {
        let table = get("AISPM_TABLE")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PipelineError::Config("AISPM_TABLE is not set".to_owned()))?;
        let regions = get("AISPM_REGIONS")
            .or_else(|| get("AWS_REGION"))
            .ok_or_else(|| PipelineError::Config("AISPM_REGIONS is not set".to_owned()))?;
        let regions = crate::aws::parse_regions(&regions)
            .map_err(|e| PipelineError::Config(format!("AISPM_REGIONS: {e}")))?;
        let accounts = get("AISPM_ACCOUNTS")
            .filter(|a| !a.trim().is_empty())
            .map(|a| scan::parse_account_ids(&a))
            .transpose()
            .map_err(|e| PipelineError::Config(format!("AISPM_ACCOUNTS: {e}")))?;
        let mut external_ids = BTreeMap::new();
        if let Some(x) = get("AISPM_EXTERNAL_ID").filter(|x| !x.is_empty()) {
            external_ids.insert("AISPM_EXTERNAL_ID".to_owned(), x);
        }
        Ok(Self {
            table,
            queue_url: get("AISPM_QUEUE_URL").filter(|q| !q.is_empty()),
            regions,
            role_name: get("AISPM_ROLE_NAME")
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "aispm-scanner".to_owned()),
            external_id_ref: get("AISPM_EXTERNAL_ID_REF").filter(|r| !r.is_empty()),
            external_ids,
            accounts,
            rules: RuleConfig::default(),
            suppressions: match get("AISPM_SUPPRESSIONS").filter(|s| !s.trim().is_empty()) {
                Some(text) => Suppressions::parse(&text)
                    .map_err(|e| PipelineError::Config(format!("AISPM_SUPPRESSIONS: {e}")))?,
                None => Suppressions::default(),
            },
            collector_concurrency: 8,
            assume_role_in_own_account: !matches!(
                get("AISPM_ASSUME_ROLE_IN_OWN_ACCOUNT").as_deref(),
                Some("false" | "0" | "no")
            ),
        })
    }

    /// What the reconciler applies besides the rules' findings.
    pub fn reconcile_settings(&self) -> Settings<'_> {
        Settings {
            rules: &self.rules,
            suppressions: &self.suppressions,
        }
    }

    pub(crate) fn external_id(
        &self,
        reference: Option<&str>,
    ) -> Result<Option<String>, PipelineError> {
        match reference {
            None => Ok(None),
            Some(r) => self.external_ids.get(r).cloned().map(Some).ok_or_else(|| {
                PipelineError::Config(format!(
                    "the task names ExternalId `{r}`, which this scanner does not have"
                ))
            }),
        }
    }
}
