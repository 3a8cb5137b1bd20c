//! `aispm remediation`: the audit of remediation actions in the findings
//! store (list, show one with every change it went through) and rollback.

use std::io::Write;

use aispm_shared::model::Timestamp;
use aispm_shared::remediate::RemediationPolicy;
use aispm_shared::remediate::audit;
use aispm_shared::remediate::run::{Run, approve, deny, rollback};
use aispm_shared::remediate::{Record, Status};
use clap::{Args, Subcommand};

use super::store::{ExternalIdArgs, StoreArgs};
use crate::Format;

/// `aispm remediation`.
#[derive(Debug, Subcommand)]
pub(crate) enum RemediationCommand {
    /// List recorded remediation actions, most recently changed first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one action: its record and every change it went through (who,
    /// when, status, the state before and after).
    Show {
        #[command(flatten)]
        store: StoreArgs,
        /// The action id (`rem-...`).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Roll one applied action back: put the state recorded before back
    /// (a resource already as it was is left alone), record it and rescan
    /// the resource, so its finding reopens where the rules still see it.
    Rollback(ChangeArgs),
    /// Approve an action awaiting approval: it is applied at once, then
    /// verified by a rescan. An expired request, or one whose finding is no
    /// longer open, is refused.
    Approve {
        #[command(flatten)]
        change: ChangeArgs,
        /// A note kept with the approval.
        #[arg(long)]
        note: Option<String>,
    },
    /// Deny an action awaiting approval, with a reason: it is not applied,
    /// and later runs do not ask again for this occurrence of the finding.
    Deny {
        #[command(flatten)]
        store: StoreArgs,
        /// The action id (`rem-...`).
        id: String,
        /// Why (kept in the audit and the finding's history).
        #[arg(long)]
        reason: String,
        /// Who denies it (default: the caller's ARN).
        #[arg(long)]
        by: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// What a command that changes a resource needs.
#[derive(Debug, Args)]
pub(crate) struct ChangeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The action id (`rem-...`).
    id: String,
    /// Who decides (default: the caller's ARN), for the audit.
    #[arg(long)]
    by: Option<String>,
    /// The role assumed in other accounts to make the change.
    #[arg(long, default_value = "aispm-remediator")]
    role_name: String,
    /// The role the rescan enters other accounts with.
    #[arg(long, default_value = "aispm-scanner")]
    scanner_role_name: String,
    #[command(flatten)]
    external_id: ExternalIdArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Which change a [`ChangeArgs`] command makes.
#[derive(Clone, Copy)]
enum Change<'a> {
    Rollback,
    Approve(Option<&'a str>),
}

async fn change(c: ChangeArgs, what: Change<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let external_id = c.external_id.value()?;
    let (settings, sdk, s) = c.store.open_existing().await?;
    let (target, verifier, caller) = super::remediate::changer(
        &c.store,
        settings,
        sdk,
        &c.role_name,
        &c.scanner_role_name,
        external_id,
    )
    .await?;
    let command = match what {
        Change::Rollback => "aispm remediation rollback",
        Change::Approve(_) => "aispm remediation approve",
    };
    let by =
        c.by.clone()
            .unwrap_or_else(|| caller.replace("aispm remediate", command));
    let policy = RemediationPolicy::default();
    let run = Run {
        policy: &policy,
        only: None,
        target: &target,
        verifier: Some(&verifier),
        by: &by,
        clock: Timestamp::now,
    };
    let r = match what {
        Change::Rollback => rollback(&s, &run, &c.id).await?,
        Change::Approve(note) => approve(&s, &run, &c.id, note).await?,
    };
    show(&r, c.format, out)?;
    let ok = match what {
        Change::Rollback => r.status == Status::RolledBack,
        Change::Approve(_) => matches!(r.status, Status::Applied | Status::Verified),
    };
    if !ok {
        anyhow::bail!("{command} {}: {}", r.action_id, r.status.as_str());
    }
    Ok(())
}

fn show(r: &Record, format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, r)?;
            writeln!(out)?;
        }
        Format::Table => writeln!(
            out,
            "{} {}: {}{}",
            r.action_id,
            r.action,
            r.status.as_str(),
            r.reason
                .as_deref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        )?,
    }
    Ok(())
}

pub(crate) async fn remediation(c: RemediationCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match c {
        RemediationCommand::List { store, format } => {
            let (_, _, s) = store.open_existing().await?;
            let all = audit::list(&s).await?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &all)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    writeln!(
                        out,
                        "{:<20} {:<33} {:<17} {:<24} {:<32} RESOURCE",
                        "ACTION ID", "ACTION", "STATUS", "UPDATED", "FINDING"
                    )?;
                    for s in &all {
                        let r = &s.record;
                        writeln!(
                            out,
                            "{:<20} {:<33} {:<17} {:<24} {:<32} {}",
                            r.action_id,
                            r.action.name(),
                            r.status.as_str(),
                            s.updated_at,
                            r.finding_id,
                            r.resource_arn
                        )?;
                    }
                    writeln!(out, "\n{} recorded actions", all.len())?;
                }
            }
        }
        RemediationCommand::Show { store, id, format } => {
            let (_, _, s) = store.open_existing().await?;
            let Some(stored) = audit::load(&s, &id).await? else {
                anyhow::bail!("no remediation with id `{id}` (see `aispm remediation list`)");
            };
            let log = audit::log(&s, &id).await?;
            match format {
                Format::Json => {
                    let mut v = serde_json::to_value(&stored)?;
                    v["log"] = serde_json::to_value(&log)?;
                    serde_json::to_writer_pretty(&mut *out, &v)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    let r = &stored.record;
                    writeln!(out, "{} {} ({})", r.action_id, r.action, r.status.as_str())?;
                    writeln!(out, "finding:  {} ({})", r.finding_id, r.rule_id)?;
                    writeln!(
                        out,
                        "resource: {} in {} {}",
                        r.resource_arn, r.account_id, r.region
                    )?;
                    writeln!(out, "mode:     {}", r.mode.as_str())?;
                    if let Some(why) = &r.reason {
                        writeln!(out, "reason:   {why}")?;
                    }
                    for c in &r.calls {
                        writeln!(out, "call:     {} {}", c.api, c.params)?;
                    }
                    writeln!(out, "\nhistory:")?;
                    for e in &log {
                        writeln!(
                            out,
                            "  {} {:<17} by {}{}",
                            e.at,
                            e.status.as_str(),
                            e.by,
                            e.reason
                                .as_deref()
                                .map(|w| format!(": {w}"))
                                .unwrap_or_default()
                        )?;
                        if let Some(b) = &e.before {
                            writeln!(out, "      before {b}")?;
                        }
                        if let Some(a) = &e.after {
                            writeln!(out, "      after  {a}")?;
                        }
                    }
                }
            }
        }
        RemediationCommand::Rollback(c) => change(c, Change::Rollback, out).await?,
        RemediationCommand::Approve { change: c, note } => {
            change(c, Change::Approve(note.as_deref()), out).await?;
        }
        RemediationCommand::Deny {
            store,
            id,
            reason,
            by,
            format,
        } => {
            if reason.trim().is_empty() {
                anyhow::bail!("invalid --reason: empty");
            }
            let (_, sdk, s) = store.open_existing().await?;
            let by = match by {
                Some(b) => b,
                None => {
                    let (_, arn) = aispm_shared::aws::caller_identity(
                        &sdk,
                        &aispm_shared::aws::RequestCounter::default(),
                    )
                    .await?;
                    format!("aispm remediation deny ({arn})")
                }
            };
            let r = deny(&s, &id, &reason, &by, Timestamp::now()).await?;
            show(&r, format, out)?;
        }
    }
    Ok(())
}
