//! `aispm remediation`: the audit of remediation actions in the findings
//! store (list, show one with every change it went through) and rollback.

use std::io::Write;

use aispm_shared::model::Timestamp;
use aispm_shared::remediate::RemediationPolicy;
use aispm_shared::remediate::audit;
use aispm_shared::remediate::run::{Run, rollback};
use clap::Subcommand;

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
    Rollback {
        #[command(flatten)]
        store: StoreArgs,
        /// The action id (`rem-...`).
        id: String,
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
    },
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
        RemediationCommand::Rollback {
            store,
            id,
            role_name,
            scanner_role_name,
            external_id,
            format,
        } => {
            let external_id = external_id.value()?;
            let (settings, sdk, s) = store.open_existing().await?;
            let (target, verifier, by) = super::remediate::changer(
                &store,
                settings,
                sdk,
                &role_name,
                &scanner_role_name,
                external_id,
            )
            .await?;
            let policy = RemediationPolicy::default();
            let r = rollback(
                &s,
                &Run {
                    policy: &policy,
                    only: None,
                    target: &target,
                    verifier: Some(&verifier),
                    by: &by.replace("aispm remediate", "aispm remediation rollback"),
                    clock: Timestamp::now,
                },
                &id,
            )
            .await?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &r)?;
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
            if r.status != aispm_shared::remediate::Status::RolledBack {
                anyhow::bail!("the rollback of {} failed", r.action_id);
            }
        }
    }
    Ok(())
}
