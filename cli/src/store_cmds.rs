//! `aispm sweep --local` and `aispm findings ...`: the commands over the
//! findings store the Lambda functions write.

use std::io::Write;
use std::time::{Duration, SystemTime};

use aispm_shared::aws::{AwsSettings, RequestCounter, base_config, caller_identity, parse_regions};
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::local::{QueueSettings, drain, ensure_queues};
use aispm_shared::pipeline::{self, PipelineConfig, timestamp};
use aispm_shared::rules::RuleConfig;
use aispm_shared::scan::parse_account_ids;
use aispm_shared::store::{
    Disposition, DynamoStore, FindingFilter, FindingState, Store, apply_with_retry, ensure_table,
    lifecycle,
};
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};

use crate::Format;

/// Where the store is.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Send every AWS request to this endpoint (an emulator). Also read from
    /// AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
    /// The DynamoDB table of the findings store.
    #[arg(long, env = "AISPM_TABLE", default_value = "aispm-findings")]
    table: String,
    /// Region of the table.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    store_region: String,
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

    async fn open(&self) -> anyhow::Result<(AwsSettings, aws_types::SdkConfig, DynamoStore)> {
        let settings = self.settings()?;
        parse_regions(&self.store_region).context("invalid --store-region")?;
        let sdk = base_config(&settings, &self.store_region).await;
        let store = DynamoStore::new(&sdk, self.table.clone());
        Ok((settings, sdk, store))
    }
}

/// `aispm sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// Run the sweep and scanner handlers in this process against SQS and
    /// DynamoDB (the emulator's, or your account's), exactly as Lambda would:
    /// creates the table and queues when missing. Required: in AWS the
    /// schedule starts the deployed sweep function.
    #[arg(long, required = true)]
    local: bool,
    #[command(flatten)]
    store: StoreArgs,
    /// Comma-separated regions to sweep.
    #[arg(long, required = true)]
    regions: String,
    /// Comma-separated account ids to sweep instead of the whole organization.
    #[arg(long)]
    accounts: Option<String>,
    /// Role assumed in member accounts.
    #[arg(long, default_value = "aispm-scanner")]
    role_name: String,
    /// ExternalId passed to AssumeRole.
    #[arg(long)]
    external_id: Option<String>,
    /// The scan queue (its dead-letter queue is `<queue>-dlq`).
    #[arg(long, default_value = "aispm-scan")]
    queue: String,
    /// Records per scanner invocation (the event source's batch size).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..=10))]
    batch_size: i32,
    /// Give up when the queue has not drained after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// A suppressions file (see `aispm scan --help`): matching findings are
    /// stored as suppressed with the entry's reason, owner and expiry, and
    /// reopen when it expires. In Lambda: `AISPM_SUPPRESSIONS`.
    #[arg(long, value_name = "FILE")]
    suppressions: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `aispm event`.
#[derive(Debug, Args)]
pub(crate) struct EventArgs {
    /// The EventBridge event as the on-event function receives it (a
    /// CloudTrail API call or an AWS Health event): a JSON file, or `-` for
    /// stdin. Samples: `events/cloudtrail/`, `events/health/`.
    file: std::path::PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// Role assumed in the event's account.
    #[arg(long, default_value = "aispm-scanner")]
    role_name: String,
    /// ExternalId passed to AssumeRole.
    #[arg(long)]
    external_id: Option<String>,
    /// A suppressions file (see `aispm scan --help`).
    #[arg(long, value_name = "FILE")]
    suppressions: Option<std::path::PathBuf>,
}

/// `aispm metrics`.
#[derive(Debug, Args)]
pub(crate) struct MetricsArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `aispm findings`.
#[derive(Debug, Subcommand)]
pub(crate) enum FindingsCommand {
    /// List stored findings, riskiest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only findings with this status.
        #[arg(long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        /// Only this account.
        #[arg(long)]
        account: Option<String>,
        /// Only this rule.
        #[arg(long)]
        rule: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one finding: state, evidence, remediation, frameworks and history.
    Show {
        #[command(flatten)]
        store: StoreArgs,
        /// The finding id.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Suppress a finding until a date, with a reason.
    Suppress(DisposeArgs),
    /// Accept a finding as a risk until a date, with a reason and an owner.
    Accept(DisposeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DisposeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The finding id.
    id: String,
    /// Why (required).
    #[arg(long, required = true)]
    reason: String,
    /// Until when: YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time (required).
    #[arg(long, required = true)]
    expires: String,
    /// Who owns the decision (required for accept; defaults to the caller for suppress).
    #[arg(long)]
    owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusArg {
    Open,
    Resolved,
    Suppressed,
    RiskAccepted,
    All,
}

impl StatusArg {
    fn status(self) -> Option<FindingStatus> {
        match self {
            Self::Open => Some(FindingStatus::Open),
            Self::Resolved => Some(FindingStatus::Resolved),
            Self::Suppressed => Some(FindingStatus::Suppressed),
            Self::RiskAccepted => Some(FindingStatus::RiskAccepted),
            Self::All => None,
        }
    }
}

pub(crate) async fn sweep(args: SweepArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    debug_assert!(args.local);
    let regions = parse_regions(&args.regions).context("invalid --regions")?;
    let accounts = args
        .accounts
        .as_deref()
        .map(parse_account_ids)
        .transpose()
        .context("invalid --accounts")?;
    if args.role_name.trim().is_empty() {
        bail!("invalid --role-name: empty");
    }
    let (settings, sdk, store) = args.store.open().await?;
    let counter = RequestCounter::new();
    caller_identity(&sdk, &counter)
        .await
        .context("could not identify the caller with sts:GetCallerIdentity; check credentials and the endpoint")?;
    ensure_table(&sdk, &args.store.table)
        .await
        .with_context(|| format!("could not create or find table `{}`", args.store.table))?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queues = ensure_queues(&sqs, &args.queue, QueueSettings::default())
        .await
        .with_context(|| format!("could not create or find queue `{}`", args.queue))?;
    let mut cfg = PipelineConfig {
        table: args.store.table.clone(),
        queue_url: Some(queues.queue_url.clone()),
        regions,
        role_name: args.role_name.clone(),
        external_id_ref: None,
        external_ids: Default::default(),
        accounts,
        rules: RuleConfig::default(),
        suppressions: crate::read_suppressions(args.suppressions.as_deref())?,
        collector_concurrency: 8,
        assume_role_in_own_account: false,
    };
    if let Some(x) = &args.external_id {
        cfg.external_ids.insert("cli".to_owned(), x.clone());
        cfg.external_id_ref = Some("cli".to_owned());
    }
    let sweep = pipeline::run_sweep(&settings, &cfg, &store, &sqs, SystemTime::now()).await?;
    let report = drain(
        &settings,
        &cfg,
        &store,
        &sqs,
        &queues,
        args.batch_size,
        Duration::from_secs(args.timeout_secs),
    )
    .await?;
    let record = store.sweep(&sweep.sweep_id).await?.unwrap_or(sweep);
    let tasks = store.tasks(&record.sweep_id).await?;
    let findings = store
        .list(&FindingFilter {
            status: Some(FindingStatus::Open),
            ..FindingFilter::default()
        })
        .await?;
    match args.format {
        Format::Json => {
            let v = serde_json::json!({
                "sweep": record,
                "failed_messages": report.failed,
                "not_assessed": tasks.iter().flat_map(|t| t.not_assessed.iter()).collect::<Vec<_>>(),
                "findings": findings,
            });
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "sweep {}: {} of {} tasks done, {} accounts, {} message failures (retried; dead-lettered after {} receives)",
                record.sweep_id,
                record.done_tasks,
                record.expected_tasks,
                record.accounts.len(),
                report.failed,
                QueueSettings::default().max_receive_count
            )?;
            let not: Vec<_> = tasks.iter().flat_map(|t| t.not_assessed.iter()).collect();
            writeln!(
                out,
                "{} collector runs not assessed (never counted as passes)",
                not.len()
            )?;
            for c in not.iter().filter(|c| c.collector == "account") {
                writeln!(
                    out,
                    "  account {} not assessed: {}",
                    c.account_id,
                    c.detail.as_deref().unwrap_or_default()
                )?;
            }
            writeln!(out)?;
            print_states(&findings, out)?;
        }
    }
    Ok(())
}

fn print_states(states: &[FindingState], out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:>4}  {:<9} {:<13} {:<12} {:<9} {:<32} {:<40} RESOURCE",
        "RISK", "SEVERITY", "STATUS", "ACCOUNT", "REGION", "ID", "RULE"
    )?;
    for s in states {
        writeln!(
            out,
            "{:>4}  {:<9} {:<13} {:<12} {:<9} {:<32} {:<40} {}",
            s.risk_score,
            s.severity.as_str(),
            s.status.as_str(),
            s.account_id,
            crate::truncate(&s.region, 9),
            s.finding_id,
            crate::truncate(&s.rule_id, 40),
            s.resource_arn
        )?;
    }
    writeln!(out, "\n{} findings", states.len())?;
    Ok(())
}

/// Parses an expiry: a date means the end of that day (UTC).
fn parse_expiry(raw: &str, now: &str) -> anyhow::Result<String> {
    use aws_smithy_types::date_time::{DateTime, Format};
    let text = if raw.len() == 10 {
        format!("{raw}T23:59:59Z")
    } else {
        raw.to_owned()
    };
    let t = DateTime::from_str(&text, Format::DateTime).with_context(|| {
        format!("invalid --expires `{raw}`: expected YYYY-MM-DD or an RFC 3339 time")
    })?;
    let st = SystemTime::try_from(t)
        .map_err(|_| anyhow::anyhow!("invalid --expires `{raw}`: out of range"))?;
    let at = timestamp(st);
    if at.as_str() <= now {
        bail!("invalid --expires `{raw}`: it is in the past");
    }
    Ok(at)
}

pub(crate) async fn findings(cmd: FindingsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        FindingsCommand::List {
            store,
            status,
            account,
            rule,
            format,
        } => {
            if let Some(a) = &account {
                parse_account_ids(a).context("invalid --account")?;
            }
            let (_, _, store) = store.open().await?;
            let states = store
                .list(&FindingFilter {
                    status: status.status(),
                    account_id: account,
                    rule_id: rule,
                })
                .await?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &states)?;
                    writeln!(out)?;
                }
                Format::Table => print_states(&states, out)?,
            }
        }
        FindingsCommand::Show { store, id, format } => {
            let (_, _, store) = store.open().await?;
            let state = store
                .finding(&id)
                .await?
                .with_context(|| format!("no finding with id `{id}`"))?;
            let detail = store.detail(&state.account_id, &id).await?;
            let history = store.history(&state.account_id, &id).await?;
            let v = serde_json::json!({"finding": state, "detail": detail, "history": history});
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &v)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    writeln!(
                        out,
                        "{} [{}] {} ({})",
                        state.finding_id,
                        state.status.as_str(),
                        state.title,
                        state.rule_id
                    )?;
                    writeln!(
                        out,
                        "resource   {} ({}, {}/{})",
                        state.resource_arn,
                        state.resource_type.as_str(),
                        state.account_id,
                        state.region
                    )?;
                    writeln!(
                        out,
                        "severity   {}  risk {}  occurrence {}",
                        state.severity.as_str(),
                        state.risk_score,
                        state.occurrence
                    )?;
                    writeln!(
                        out,
                        "seen       first {}  last {}",
                        state.first_seen, state.last_seen
                    )?;
                    if let Some(d) = &state.disposition {
                        writeln!(
                            out,
                            "{}  {} (owner {}, until {})",
                            d.status.as_str(),
                            d.reason,
                            d.owner,
                            d.expires_at
                        )?;
                    }
                    if let Some(d) = &detail {
                        for e in &d.evidence {
                            writeln!(out, "evidence   {} {} = {}", e.source, e.field, e.value)?;
                        }
                        writeln!(out, "remediation {}", d.remediation.text)?;
                        for r in &d.related {
                            writeln!(out, "related    {r}")?;
                        }
                    }
                    for h in &history {
                        writeln!(
                            out,
                            "history    {} {} (risk {}){}",
                            h.at,
                            h.kind.as_str(),
                            h.risk_score,
                            h.note
                                .as_deref()
                                .map(|n| format!(": {n}"))
                                .unwrap_or_default()
                        )?;
                    }
                }
            }
        }
        FindingsCommand::Suppress(a) => dispose(a, FindingStatus::Suppressed, out).await?,
        FindingsCommand::Accept(a) => dispose(a, FindingStatus::RiskAccepted, out).await?,
    }
    Ok(())
}

async fn dispose(
    args: DisposeArgs,
    status: FindingStatus,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if args.reason.trim().is_empty() {
        bail!("invalid --reason: empty");
    }
    let now = timestamp(SystemTime::now());
    let expires_at = parse_expiry(&args.expires, &now)?;
    if status == FindingStatus::RiskAccepted
        && args.owner.as_deref().is_none_or(|o| o.trim().is_empty())
    {
        bail!("accepting a risk needs --owner (who owns the decision)");
    }
    let (_, sdk, store) = args.store.open().await?;
    let (_, caller) = caller_identity(&sdk, &RequestCounter::new())
        .await
        .context("could not identify the caller with sts:GetCallerIdentity")?;
    let state = store
        .finding(&args.id)
        .await?
        .with_context(|| format!("no finding with id `{}`", args.id))?;
    let d = Disposition {
        status,
        reason: args.reason.clone(),
        owner: args.owner.clone().unwrap_or_else(|| caller.clone()),
        expires_at,
        set_at: now,
    };
    let first = lifecycle::dispose(&state, d.clone(), &caller);
    let applied = apply_with_retry(&store, first, |current| {
        current.map(|s| lifecycle::dispose(s, d.clone(), &caller))
    })
    .await?
    .with_context(|| format!("finding `{}` disappeared", args.id))?;
    writeln!(
        out,
        "{} {} until {} ({})",
        applied.state.finding_id,
        status.as_str(),
        d.expires_at,
        d.reason
    )?;
    Ok(())
}

/// `aispm metrics`: posture metrics over every account the store knows (the
/// latest sweep's accounts and every account with findings).
pub(crate) async fn metrics(args: MetricsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    use aispm_shared::model::Inventory;
    use aispm_shared::store::Part;
    let (_, _, store) = args.store.open().await?;
    let mut accounts = std::collections::BTreeSet::new();
    if let Some(sweep) = store
        .latest_sweep()
        .await
        .context("reading the latest sweep")?
    {
        for t in store
            .tasks(&sweep.sweep_id)
            .await
            .context("reading the sweep's tasks")?
        {
            accounts.insert(t.account_id);
        }
    }
    for f in store
        .list(&FindingFilter::default())
        .await
        .context("listing findings")?
    {
        accounts.insert(f.account_id);
    }
    if accounts.is_empty() {
        bail!(
            "the store `{}` holds no sweep and no findings: run a sweep first",
            args.store.table
        );
    }
    let mut inv = Inventory::default();
    let mut states = Vec::new();
    let mut history = Vec::new();
    for account in &accounts {
        let snap = store
            .account(account)
            .await
            .with_context(|| format!("reading account {account}"))?;
        for it in snap.items {
            match it.part {
                Part::Asset(a) => inv.assets.push(a),
                Part::Edge(e) => inv.edges.push(e),
                Part::Coverage(c) => inv.coverage.push(c),
            }
        }
        for f in snap.findings {
            let events = store
                .history(account, &f.finding_id)
                .await
                .with_context(|| format!("reading the history of {}", f.finding_id))?;
            history.push((f.rule_id.clone(), events));
            states.push(f);
        }
    }
    inv.normalise();
    let m = aispm_shared::metrics::compute(&inv, &states, &history, &RuleConfig::default());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &m)?;
            writeln!(out)?;
        }
        Format::Table => print_metrics(&m, accounts.len(), out)?,
    }
    Ok(())
}

fn print_metrics(
    m: &aispm_shared::metrics::Metrics,
    accounts: usize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use aispm_shared::metrics::Share;
    let share = |s: &Share| format!("{}/{} ({:.1}%)", s.count, s.total, s.percent);
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        if m.is_empty() {
            "none".to_owned()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let g = &m.governance;
    let p = &m.mapping;
    let c = &m.coverage;
    writeln!(out, "accounts              {accounts}")?;
    writeln!(out, "AI assets             {}", m.ai_assets)?;
    writeln!(out, "  with owner          {}", share(&g.with_owner))?;
    writeln!(out, "  with purpose        {}", share(&g.with_purpose))?;
    writeln!(out, "  shadow AI           {}", g.shadow_ai)?;
    writeln!(out, "models -> data        {}", share(&p.models_to_data))?;
    writeln!(
        out,
        "models -> identities  {}",
        share(&p.models_to_identities)
    )?;
    writeln!(
        out,
        "models -> endpoints   {}",
        share(&p.models_to_endpoints)
    )?;
    writeln!(
        out,
        "agents -> identities  {}",
        share(&p.agents_to_identities)
    )?;
    writeln!(out, "agents -> tools       {}", share(&p.agents_to_tools))?;
    writeln!(out, "agents -> data        {}", share(&p.agents_to_data))?;
    writeln!(
        out,
        "coverage              {} assessed, {} not assessed ({})",
        c.assessed,
        c.not_assessed,
        counts(&c.not_assessed_by_reason)
    )?;
    writeln!(
        out,
        "rule gaps             {} ({})",
        c.rule_gaps.values().sum::<usize>(),
        counts(&c.rule_gaps)
    )?;
    writeln!(
        out,
        "findings              {}",
        counts(&m.findings_by_status)
    )?;
    writeln!(out, "open by severity      {}", counts(&m.open_by_severity))?;
    if m.time_to_remediate.is_empty() {
        writeln!(out, "time to remediate     nothing remediated yet")?;
    }
    for (family, r) in &m.time_to_remediate {
        writeln!(
            out,
            "time to remediate     {family}: {} remediated, mean {:.2} h, median {:.2} h",
            r.remediated, r.mean_hours, r.median_hours
        )?;
    }
    Ok(())
}

/// `aispm event`: runs the on-event handler on one event, against the store.
pub(crate) async fn event(args: EventArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("reading stdin")?;
        s
    } else {
        std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let raw: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", args.file.display()))?;
    let (settings, _sdk, store) = args.store.open().await?;
    let mut cfg = PipelineConfig {
        table: args.store.table.clone(),
        queue_url: None,
        regions: vec![args.store.store_region.clone()],
        role_name: args.role_name.clone(),
        external_id_ref: None,
        external_ids: Default::default(),
        accounts: None,
        rules: RuleConfig::default(),
        suppressions: crate::read_suppressions(args.suppressions.as_deref())?,
        collector_concurrency: 8,
        assume_role_in_own_account: true,
    };
    if let Some(x) = &args.external_id {
        cfg.external_ids.insert("cli".to_owned(), x.clone());
        cfg.external_id_ref = Some("cli".to_owned());
    }
    let outcome = aispm_shared::events::handle(&settings, &cfg, &store, &raw).await?;
    serde_json::to_writer_pretty(&mut *out, &outcome)?;
    writeln!(out)?;
    Ok(())
}
