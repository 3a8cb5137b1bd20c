//! The scan: resolve which accounts to read, enter each (AssumeRole where it is
//! not the caller's own), run every collector over the account's global scope
//! and each requested region with bounded concurrency, and gather assets, edges
//! and coverage. One account failing never stops the others.

use futures::StreamExt;
use thiserror::Error;
use tracing::{Instrument, info, warn};

use crate::aws::{
    AwsSettings, Clients, CollectError, RequestCounter, SdkResultExt, assume_role, base_config,
    caller_identity,
};
use crate::collect::{Batch, Ctx, ResourceSpec, SPECS, Scope};
use crate::model::{Coverage, GLOBAL_REGION, Inventory, NotAssessedReason};

/// Which accounts to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The caller's own account.
    Caller,
    /// These accounts (AssumeRole into each one that is not the caller's).
    Accounts(Vec<String>),
    /// Every ACTIVE account of the caller's organization.
    Organization,
}

/// Which collectors a scan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parts {
    /// Global collectors once (in the first region) and regional ones in every region.
    #[default]
    All,
    /// Only the global collectors (IAM, S3, Organizations).
    GlobalOnly,
    /// Only the regional collectors.
    RegionalOnly,
}

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// Regions to scan (validated).
    pub regions: Vec<String>,
    /// Accounts to scan.
    pub target: Target,
    /// The role assumed in every account other than the caller's.
    pub role_name: String,
    /// The ExternalId passed to AssumeRole.
    pub external_id: Option<String>,
    /// Accounts scanned at once.
    pub account_concurrency: usize,
    /// Collectors run at once inside one account.
    pub collector_concurrency: usize,
    /// Which collectors run.
    pub parts: Parts,
    /// The organization's management account, when known: it alone reads
    /// SCPs. With `Target::Organization` the caller is taken to be it.
    pub management_account: Option<String>,
    /// Assume the role in the caller's own account too, instead of using the
    /// caller's credentials there (the Lambda scanner does, so every account
    /// is read through the same read-only role).
    pub assume_role_in_own_account: bool,
    /// Identify the caller on short timeouts ([`AwsSettings::probe`]): an
    /// interactive run against an endpoint that accepts connections but never
    /// answers fails in seconds. The Lambda scanner keeps the long, retrying
    /// timeouts.
    pub fail_fast: bool,
    /// Collectors still running at this instant are stopped and recorded as
    /// `timeout` coverage (a Lambda task's budget, so that what was read is
    /// written before the function is killed); none by default.
    pub deadline: Option<tokio::time::Instant>,
}

impl Default for ScanRequest {
    fn default() -> Self {
        Self {
            regions: vec!["us-east-1".to_owned()],
            target: Target::Caller,
            role_name: "aispm-scanner".to_owned(),
            external_id: None,
            account_concurrency: 4,
            collector_concurrency: 8,
            parts: Parts::All,
            management_account: None,
            assume_role_in_own_account: false,
            fail_fast: false,
            deadline: None,
        }
    }
}

/// A scan that could not start.
#[derive(Debug, Error)]
pub enum ScanError {
    /// The caller's identity could not be read: no credentials, a bad endpoint,
    /// or an unreachable one.
    #[error(
        "could not identify the caller with sts:GetCallerIdentity; check credentials and the endpoint"
    )]
    Caller(#[source] CollectError),
    /// The organization's accounts could not be listed.
    #[error(
        "could not list the organization's accounts (run from the management account or a delegated administrator)"
    )]
    Organization(#[source] CollectError),
    /// The standard credential chain found nothing usable.
    #[error(
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run where a role is available"
    )]
    NoCredentials(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// An account id that is not twelve digits.
    #[error("malformed account id `{0}`: expected 12 digits")]
    AccountId(String),
    /// No regions were given.
    #[error("no regions to scan")]
    NoRegions,
}

/// Parses a comma-separated account id list.
pub fn parse_account_ids(list: &str) -> Result<Vec<String>, ScanError> {
    let mut out: Vec<String> = Vec::new();
    for raw in list.split(',') {
        let id = raw.trim();
        if id.is_empty() {
            continue;
        }
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScanError::AccountId(id.to_owned()));
        }
        if !out.iter().any(|x| x == id) {
            out.push(id.to_owned());
        }
    }
    if out.is_empty() {
        return Err(ScanError::AccountId(list.to_owned()));
    }
    Ok(out)
}

/// The partition a region belongs to.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The ACTIVE accounts of the caller's organization.
pub async fn organization_accounts(
    sdk: &aws_types::SdkConfig,
    counter: &RequestCounter,
) -> Result<Vec<String>, CollectError> {
    let org = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(sdk)
            .interceptor(counter.clone())
            .build(),
    );
    let pages = org
        .list_accounts()
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .op("organizations:ListAccounts")?;
    Ok(pages
        .iter()
        .flat_map(|p| p.accounts())
        .filter(|a| {
            // `State` replaces the deprecated `Status`; honour whichever is sent.
            let state = a
                .state()
                .map(|s| s.as_str())
                .or(a.status().map(|s| s.as_str()));
            state == Some("ACTIVE")
        })
        .filter_map(|a| a.id().map(str::to_owned))
        .collect())
}

async fn check_credentials(sdk: &aws_types::SdkConfig) -> Result<(), ScanError> {
    use aws_credential_types::provider::ProvideCredentials;
    let provider = sdk
        .credentials_provider()
        .ok_or_else(|| ScanError::NoCredentials("no credentials provider configured".into()))?;
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| ScanError::NoCredentials(Box::new(e)))
}

/// Runs the scan. Fails only when it cannot start (no caller identity, no
/// account list); everything after that is reported as coverage.
pub async fn scan(
    settings: &AwsSettings,
    req: &ScanRequest,
    counter: &RequestCounter,
) -> Result<Inventory, ScanError> {
    let home = req.regions.first().ok_or(ScanError::NoRegions)?;
    let base = base_config(settings, home).await;
    check_credentials(&base).await?;
    let first = if req.fail_fast {
        base_config(&settings.probe(), home).await
    } else {
        base.clone()
    };
    let (caller, caller_arn) = caller_identity(&first, counter)
        .await
        .map_err(ScanError::Caller)?;
    info!(account_id = %caller, arn = %caller_arn, "caller identified");
    let accounts = match &req.target {
        Target::Caller => vec![caller.clone()],
        Target::Accounts(list) => list.clone(),
        Target::Organization => organization_accounts(&base, counter)
            .await
            .map_err(ScanError::Organization)?,
    };
    let org_mode = req.target == Target::Organization;
    let results: Vec<Inventory> = futures::stream::iter(accounts)
        .map(|account| {
            let base = &base;
            let caller = &caller;
            async move {
                let is_management = match &req.management_account {
                    Some(m) => account == *m,
                    None => org_mode && account == *caller,
                };
                scan_account(
                    base,
                    req,
                    counter,
                    &account,
                    account == *caller && !req.assume_role_in_own_account,
                    is_management,
                )
                .await
            }
        })
        .buffer_unordered(req.account_concurrency.max(1))
        .collect()
        .await;
    let mut inv = Inventory::default();
    for r in results {
        inv.extend(r);
    }
    inv.normalise();
    Ok(inv)
}

async fn scan_account(
    base: &aws_types::SdkConfig,
    req: &ScanRequest,
    counter: &RequestCounter,
    account: &str,
    is_caller: bool,
    is_management: bool,
) -> Inventory {
    let sdk = if is_caller {
        base.clone()
    } else {
        let role_arn = format!(
            "arn:{}:iam::{account}:role/{}",
            partition_of(&req.regions[0]),
            req.role_name
        );
        match assume_role(base, counter, &role_arn, req.external_id.as_deref()).await {
            Ok(sdk) => sdk,
            Err(e) => {
                warn!(account_id = %account, role_arn = %role_arn, error = %e, "cannot enter account");
                let mut inv = Inventory::default();
                inv.coverage.push(Coverage::not_assessed(
                    account,
                    GLOBAL_REGION,
                    "account",
                    NotAssessedReason::AssumeRoleFailed,
                    format!("cannot assume `{role_arn}`: {e}"),
                ));
                return inv;
            }
        }
    };
    let mut jobs: Vec<(&'static ResourceSpec, Ctx)> = Vec::new();
    let home = &req.regions[0];
    for &spec in SPECS {
        let regions: Vec<&String> = match (spec.scope, req.parts) {
            (Scope::Global, Parts::RegionalOnly) | (Scope::Regional, Parts::GlobalOnly) => vec![],
            (Scope::Global, _) => vec![home],
            (Scope::Regional, _) => req.regions.iter().collect(),
        };
        for region in regions {
            jobs.push((
                spec,
                Ctx {
                    account_id: account.to_owned(),
                    region: region.clone(),
                    partition: partition_of(region).to_owned(),
                    clients: Clients::new(&sdk, region, counter),
                    sdk: sdk.clone(),
                    counter: counter.clone(),
                    is_management,
                },
            ));
        }
    }
    let mut outcomes: Vec<(usize, Inventory, Coverage)> = run_jobs(&jobs, 0..jobs.len(), req).await;
    // A collector that ran out of attempts (throttled, timed out, a failing
    // service) gets one more run now that the rest of the account is done,
    // before its gap is reported.
    let again: Vec<usize> = outcomes
        .iter()
        .filter(|(_, part, cov)| {
            cov.is_transient() || part.coverage.iter().any(Coverage::is_transient)
        })
        .map(|(i, _, _)| *i)
        .collect();
    let out_of_time = req
        .deadline
        .is_some_and(|d| tokio::time::Instant::now() >= d);
    if !again.is_empty() && !out_of_time {
        info!(account_id = %account, collectors = again.len(), "running collectors that ran out of retries once more");
        let retried = run_jobs(&jobs, again.iter().copied(), req).await;
        for r in retried {
            if let Some(slot) = outcomes.iter_mut().find(|(i, _, _)| *i == r.0) {
                *slot = r;
            }
        }
    }
    let mut inv = Inventory::default();
    for (_, part, cov) in outcomes {
        inv.extend(part);
        inv.coverage.push(cov);
    }
    inv
}

/// Runs the jobs at `which` with the request's collector concurrency.
async fn run_jobs(
    jobs: &[(&'static ResourceSpec, Ctx)],
    which: impl Iterator<Item = usize>,
    req: &ScanRequest,
) -> Vec<(usize, Inventory, Coverage)> {
    futures::stream::iter(which.filter_map(|i| jobs.get(i).map(|j| (i, j))))
        .map(|(i, (spec, ctx))| {
            let span = tracing::info_span!("collect", account_id = %ctx.account_id, region = %ctx.region, collector = spec.id);
            async move {
                let (part, cov) = run_collector(spec, ctx, req.deadline).await;
                (i, part, cov)
            }
            .instrument(span)
        })
        .buffer_unordered(req.collector_concurrency.max(1))
        .collect()
        .await
}

async fn run_collector(
    spec: &'static ResourceSpec,
    ctx: &Ctx,
    deadline: Option<tokio::time::Instant>,
) -> (Inventory, Coverage) {
    let cov_region = match spec.scope {
        Scope::Global => GLOBAL_REGION,
        Scope::Regional => ctx.region.as_str(),
    };
    let result: Result<Batch, CollectError> = match deadline {
        None => (spec.list)(ctx).await,
        Some(d) => match tokio::time::timeout_at(d, (spec.list)(ctx)).await {
            Ok(r) => r,
            Err(_) => {
                warn!("collector stopped: the task's time budget ran out");
                return (
                    Inventory::default(),
                    Coverage::not_assessed(
                        &ctx.account_id,
                        cov_region,
                        spec.id,
                        NotAssessedReason::Timeout,
                        "the task's time budget ran out before this collector finished".to_owned(),
                    ),
                );
            }
        },
    };
    match result {
        Ok(b) => {
            let mut inv = Inventory {
                assets: b.assets,
                edges: b.edges,
                coverage: b.coverage,
                ..Inventory::default()
            };
            inv.mark_provenance(spec.id);
            (
                inv,
                Coverage::assessed(&ctx.account_id, cov_region, spec.id),
            )
        }
        Err(e) => {
            warn!(error = %e, "collector not assessed");
            (
                Inventory::default(),
                Coverage::not_assessed(
                    &ctx.account_id,
                    cov_region,
                    spec.id,
                    e.reason,
                    e.to_string(),
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_must_be_twelve_digits() {
        assert_eq!(
            parse_account_ids("111111111111, 222222222222,111111111111").unwrap(),
            vec!["111111111111", "222222222222"]
        );
        assert!(matches!(
            parse_account_ids("11111111111"),
            Err(ScanError::AccountId(id)) if id == "11111111111"
        ));
        assert!(matches!(
            parse_account_ids("11111111111a"),
            Err(ScanError::AccountId(_))
        ));
        assert!(parse_account_ids(" , ").is_err());
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_of("us-east-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }
}
