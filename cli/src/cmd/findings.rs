//! `aispm findings`: list, show, suppress and accept stored findings.

use std::io::Write;
use std::time::SystemTime;

use aispm_shared::aws::{RequestCounter, caller_identity};
use aispm_shared::model::FindingStatus;
use aispm_shared::pipeline::timestamp;
use aispm_shared::reconcile::{lifecycle, view};
use aispm_shared::scan::parse_account_ids;
use aispm_shared::store::{
    Disposition, FindingFilter, FindingReads, FindingState, Sweeps, apply_with_retry,
};
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};

use super::store::StoreArgs;
use crate::Format;

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

pub(crate) fn print_states(states: &[FindingState], out: &mut dyn Write) -> anyhow::Result<()> {
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
            crate::resource_label(&s.resource_arn, s.access_key_id.as_deref())
        )?;
    }
    writeln!(out, "\n{} findings", states.len())?;
    Ok(())
}

/// The accounts whose stored gaps `findings list` shows: the one asked for,
/// else those of the latest sweep and of the listed findings.
async fn gap_accounts<S: Sweeps>(
    store: &S,
    account: Option<&str>,
    states: &[FindingState],
) -> anyhow::Result<Vec<String>> {
    if let Some(a) = account {
        return Ok(vec![a.to_owned()]);
    }
    let mut accounts: std::collections::BTreeSet<String> =
        states.iter().map(|s| s.account_id.clone()).collect();
    if let Some(sweep) = store.latest_sweep().await? {
        accounts.extend(sweep.accounts);
    }
    Ok(accounts.into_iter().collect())
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
            let (_, _, store) = store.open_existing().await?;
            let states = store
                .list(&FindingFilter {
                    status: status.status(),
                    account_id: account.clone(),
                    rule_id: rule.clone(),
                })
                .await?;
            // What the last scan of each scope could not judge belongs with
            // what is open now (not with resolved or dispositioned lists).
            let gaps = if matches!(status, StatusArg::Open | StatusArg::All) {
                let accounts = gap_accounts(&store, account.as_deref(), &states).await?;
                view::stored_gaps(&store, &accounts, rule.as_deref()).await?
            } else {
                Vec::new()
            };
            match format {
                Format::Json => {
                    // `id`, as `aispm scan` names it, next to the store's
                    // `finding_id` (kept for readers of earlier output).
                    let with_id = states
                        .iter()
                        .map(|st| {
                            let mut v = serde_json::to_value(st)?;
                            if let Some(o) = v.as_object_mut() {
                                o.insert("id".to_owned(), st.finding_id.clone().into());
                            }
                            Ok(v)
                        })
                        .collect::<Result<Vec<_>, serde_json::Error>>()?;
                    super::scan::write_array(&with_id, &gaps, out)?
                }
                Format::Table => {
                    print_states(&states, out)?;
                    super::scan::print_gaps(&gaps, out)?;
                }
            }
        }
        FindingsCommand::Show { store, id, format } => {
            let (_, _, store) = store.open_existing().await?;
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
                        crate::resource_label(&state.resource_arn, state.access_key_id.as_deref()),
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
    let (_, sdk, store) = args.store.open_existing().await?;
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
