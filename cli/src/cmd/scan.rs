//! `aispm scan` and `aispm inventory`: discover, evaluate, print.

use std::io::Write;
use std::time::Instant;

use aispm_shared::aws::{AwsSettings, RequestCounter, parse_regions};
use aispm_shared::model::{CoverageStatus, Finding, Inventory, NotAssessed, Timestamp};
use aispm_shared::reconcile::suppressions::Suppressions;
use aispm_shared::rules::{self, RuleConfig};
use aispm_shared::scan::{ScanRequest, Target, parse_account_ids, scan};
use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::{Format, truncate};

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Send every AWS request to this endpoint (an emulator). Also read from
    /// AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
    /// Comma-separated regions to scan, e.g. us-east-1,eu-west-1.
    #[arg(long, required = true)]
    regions: String,
    /// Comma-separated 12-digit account ids to scan (AssumeRole into each one
    /// that is not the caller's own).
    #[arg(long, conflicts_with = "organization")]
    accounts: Option<String>,
    /// Scan every ACTIVE account of the caller's organization.
    #[arg(long)]
    organization: bool,
    /// Role assumed in member accounts.
    #[arg(long, default_value = "aispm-scanner")]
    role_name: String,
    #[command(flatten)]
    external_id: crate::cmd::store::ExternalIdArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print run statistics as JSON on stderr: wall time, HTTP requests by
    /// service and operation, assets, findings, coverage.
    #[arg(long)]
    stats: bool,
    /// Accounts scanned at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    account_concurrency: u16,
    /// Tag keys that name an asset's owner (comma-separated).
    #[arg(long, default_value = "owner,team")]
    owner_tags: String,
    /// A suppressions file (JSON: rule, resource pattern, reason, owner,
    /// expiry; see docs/suppressions.md). Matching findings are reported with
    /// status `suppressed` until the entry expires.
    #[arg(long, value_name = "FILE")]
    suppressions: Option<std::path::PathBuf>,
}

/// Reads and validates a suppressions file.
pub(crate) fn read_suppressions(path: Option<&std::path::Path>) -> anyhow::Result<Suppressions> {
    let Some(path) = path else {
        return Ok(Suppressions::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --suppressions {}", path.display()))?;
    Suppressions::parse(&text).with_context(|| format!("invalid --suppressions {}", path.display()))
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ScanArgs {
    pub(crate) fn request(&self) -> anyhow::Result<ScanRequest> {
        let regions = parse_regions(&self.regions).context("invalid --regions")?;
        let target = match (&self.accounts, self.organization) {
            (Some(list), _) => {
                Target::Accounts(parse_account_ids(list).context("invalid --accounts")?)
            }
            (None, true) => Target::Organization,
            (None, false) => Target::Caller,
        };
        if self.role_name.trim().is_empty() {
            anyhow::bail!("invalid --role-name: empty");
        }
        Ok(ScanRequest {
            regions,
            target,
            role_name: self.role_name.clone(),
            external_id: self.external_id.value()?,
            account_concurrency: usize::from(self.account_concurrency),
            fail_fast: true,
            deadline: None,
            ..ScanRequest::default()
        })
    }

    pub(crate) fn settings(&self) -> anyhow::Result<AwsSettings> {
        if let Some(url) = &self.endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            anyhow::bail!("invalid --endpoint-url `{url}`: expected http:// or https://");
        }
        Ok(AwsSettings {
            endpoint_url: self.endpoint_url.clone(),
            ..AwsSettings::default()
        })
    }

    pub(crate) fn rule_config(&self) -> RuleConfig {
        RuleConfig {
            owner_tag_keys: split(&self.owner_tags),
            ..RuleConfig::default()
        }
    }
}

/// `aispm scan`.
pub(crate) async fn run(
    args: ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let suppressions = read_suppressions(args.suppressions.as_deref())?;
    let (inv, mut findings, rule_cov, stats) = run_scan(&args).await?;
    suppressions.apply(
        &mut findings,
        &aispm_shared::pipeline::timestamp(std::time::SystemTime::now()),
    );
    let gaps = aispm_shared::rules::gaps::records(&rule_cov);
    match args.format {
        Format::Json => write_array(&findings, &gaps, out)?,
        Format::Table => {
            print_table(&findings, &inv.coverage, out)?;
            print_gaps(&gaps, out)?;
        }
    }
    if args.stats {
        writeln!(err, "{}", serde_json::to_string(&stats)?)?;
    }
    Ok(())
}

/// `aispm inventory`.
pub(crate) async fn inventory(
    args: ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let (mut inv, _findings, _rule_cov, stats) = run_scan(&args).await?;
    // The IAM-derived edges complete the graph: what AI identities can
    // read, write and invoke, and who outside can reach data stores.
    let access = aispm_shared::access::Access::from_inventory(&inv);
    inv.edges
        .extend(aispm_shared::graph::iam_edges(&inv, &access));
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &inv)?;
            writeln!(out)?;
        }
        Format::Table => print_inventory(&inv, out)?,
    }
    if args.stats {
        writeln!(err, "{}", serde_json::to_string(&stats)?)?;
    }
    Ok(())
}

type ScanOutput = (
    Inventory,
    Vec<Finding>,
    Vec<aispm_shared::model::Coverage>,
    serde_json::Value,
);

async fn run_scan(args: &ScanArgs) -> anyhow::Result<ScanOutput> {
    let req = args.request()?;
    let settings = args.settings()?;
    let counter = RequestCounter::new();
    let started = Instant::now();
    let inv = scan(&settings, &req, &counter).await?;
    let (findings, rule_cov) = rules::evaluate(&inv, &args.rule_config(), Timestamp::now());
    let wall = started.elapsed();
    let requests = counter.snapshot();
    let assessed = inv
        .coverage
        .iter()
        .filter(|c| c.status == CoverageStatus::Assessed)
        .count();
    let not_assessed = inv.coverage.len() - assessed;
    let per_asset = if inv.assets.is_empty() {
        0.0
    } else {
        requests.total as f64 / inv.assets.len() as f64
    };
    let stats = json!({
        "wall_time_ms": wall.as_millis(),
        "http_requests": requests.total,
        "http_requests_per_asset": (per_asset * 100.0).round() / 100.0,
        "requests_by_service": requests.by_service,
        "accounts": inv.coverage.iter().map(|c| c.account_id.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
        "assets": inv.assets.len(),
        "edges": inv.edges.len(),
        "findings": findings.len(),
        "coverage": {"assessed": assessed, "not_assessed": not_assessed, "rules_not_assessed": aispm_shared::rules::gaps::records(&rule_cov).len()},
    });
    Ok((inv, findings, rule_cov, stats))
}

/// The findings array: every finding, then one `not_assessed` element per
/// rule and scope that could not be judged (`status` tells them apart).
pub(crate) fn write_array<T: serde::Serialize>(
    findings: &[T],
    gaps: &[NotAssessed],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut items = Vec::with_capacity(findings.len() + gaps.len());
    for f in findings {
        items.push(serde_json::to_value(f)?);
    }
    for g in gaps {
        items.push(serde_json::to_value(g)?);
    }
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)?;
    Ok(())
}

/// The `not_assessed` elements as table rows, after the findings.
pub(crate) fn print_gaps(gaps: &[NotAssessed], out: &mut dyn Write) -> anyhow::Result<()> {
    if gaps.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{} rule x scope not assessed (never counted as passes):",
        gaps.len()
    )?;
    writeln!(
        out,
        "  {:<12} {:<9} {:<44} {:<32} REASON",
        "ACCOUNT", "REGION", "RULE", "COLLECTOR"
    )?;
    for g in gaps {
        writeln!(
            out,
            "  {:<12} {:<9} {:<44} {:<32} {}",
            g.account_id,
            truncate(&g.region, 9),
            truncate(&g.rule_id, 44),
            truncate(&g.collector, 32),
            g.reason.as_str()
        )?;
    }
    Ok(())
}

fn print_table(
    findings: &[Finding],
    coverage: &[aispm_shared::model::Coverage],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:>4}  {:<13} {:<12} {:<9} {:<44} RESOURCE",
        "RISK", "SEVERITY", "ACCOUNT", "REGION", "RULE"
    )?;
    for f in findings {
        writeln!(
            out,
            "{:>4}  {:<13} {:<12} {:<9} {:<44} {}",
            f.risk_score,
            f.severity.as_str(),
            f.account_id,
            truncate(&f.region, 9),
            truncate(&f.rule_id, 44),
            crate::resource_label(&f.resource_arn, f.access_key_id.as_deref())
        )?;
    }
    writeln!(out, "\n{} findings", findings.len())?;
    let collectors: Vec<_> = coverage
        .iter()
        .filter(|c| !c.collector.starts_with("rule:"))
        .collect();
    let not: Vec<_> = collectors.iter().filter(|c| !c.is_assessed()).collect();
    writeln!(
        out,
        "coverage: {} of {} collector runs assessed, {} not assessed (never counted as passes)",
        collectors.len() - not.len(),
        collectors.len(),
        not.len()
    )?;
    // One line per collector and reason, naming where and one example.
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<&aispm_shared::model::Coverage>> =
        Default::default();
    for c in &not {
        groups
            .entry((
                c.collector.as_str(),
                c.reason.map(|r| r.as_str()).unwrap_or("error"),
            ))
            .or_default()
            .push(c);
    }
    for ((collector, reason), list) in groups {
        let places: std::collections::BTreeSet<String> = list
            .iter()
            .map(|c| format!("{}/{}", c.account_id, c.region))
            .collect();
        let example = list
            .first()
            .and_then(|c| c.detail.as_deref())
            .unwrap_or_default();
        writeln!(
            out,
            "  not assessed  {collector:<36} {reason:<16} in {} place(s): {}",
            places.len(),
            truncate(&places.into_iter().collect::<Vec<_>>().join(", "), 80)
        )?;
        writeln!(out, "      e.g. {}", truncate(example, 140))?;
    }
    Ok(())
}

fn print_inventory(inv: &Inventory, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut counts: std::collections::BTreeMap<(&str, &str, &str), usize> = Default::default();
    for a in &inv.assets {
        *counts
            .entry((
                a.account_id.as_str(),
                a.region.as_str(),
                a.asset_type.as_str(),
            ))
            .or_default() += 1;
    }
    writeln!(
        out,
        "{:<12} {:<10} {:<34} COUNT",
        "ACCOUNT", "REGION", "TYPE"
    )?;
    for ((acct, region, t), n) in counts {
        writeln!(out, "{acct:<12} {region:<10} {t:<34} {n}")?;
    }
    writeln!(
        out,
        "\n{} assets, {} edges, {} coverage records",
        inv.assets.len(),
        inv.edges.len(),
        inv.coverage.len()
    )?;
    Ok(())
}
