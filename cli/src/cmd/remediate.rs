//! `aispm remediate --local`: plans the remediation actions for the open
//! findings in the store under a remediation policy, and prints each one
//! with its mode, status, the calls it makes and, when skipped, why.
//!
//! This version plans and dry-runs: an action the policy puts in `approval`
//! or `auto` mode is recorded as skipped with the reason that it cannot be
//! applied yet. Nothing in any account is changed.

use std::io::Write;
use std::path::PathBuf;

use aispm_shared::remediate::{Record, RemediationPolicy, Status, plan_stored};
use anyhow::Context;
use clap::Args;

use super::store::StoreArgs;
use crate::Format;

#[derive(Debug, Args)]
pub(crate) struct RemediateArgs {
    /// Plan in this process from the findings store (the emulator's, or your
    /// account's). Required: in AWS the findings table's stream starts the
    /// deployed remediate function.
    #[arg(long, required = true)]
    local: bool,
    #[command(flatten)]
    store: StoreArgs,
    /// The remediation policy (JSON; see docs/remediation.md). Without one,
    /// every action is a dry run.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Only this finding (any status; one that is not open is skipped).
    #[arg(long)]
    finding: Option<String>,
    /// The role assumed in member accounts to make changes (used once
    /// applying lands; the scanner role is never used for changes).
    #[arg(long, default_value = "aispm-remediator")]
    role_name: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) async fn remediate(args: RemediateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    debug_assert!(args.local);
    if args.role_name.trim().is_empty() {
        anyhow::bail!("invalid --role-name: empty");
    }
    let policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the remediation policy {}", path.display())
            })?;
            RemediationPolicy::parse(&text)
                .with_context(|| format!("invalid remediation policy {}", path.display()))?
        }
        None => RemediationPolicy::default(),
    };
    let (_, _, store) = args.store.open_existing().await?;
    let records = plan_stored(&store, &policy, args.finding.as_deref()).await?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &records)?;
            writeln!(out)?;
        }
        Format::Table => print(&records, out)?,
    }
    Ok(())
}

fn print(records: &[Record], out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:<20} {:<33} {:<17} {:<8} {:<32} RESOURCE / WHY",
        "ACTION ID", "ACTION", "STATUS", "MODE", "FINDING"
    )?;
    for r in records {
        let detail = match &r.reason {
            Some(why) => format!("{}: {why}", r.resource_arn),
            None => format!(
                "{}: {}",
                r.resource_arn,
                r.calls
                    .iter()
                    .map(|c| c.api.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        writeln!(
            out,
            "{:<20} {:<33} {:<17} {:<8} {:<32} {detail}",
            r.action_id,
            r.action.name(),
            r.status.as_str(),
            r.mode.as_str(),
            r.finding_id,
        )?;
    }
    let count =
        |s: aispm_shared::remediate::Status| records.iter().filter(|r| r.status == s).count();
    writeln!(
        out,
        "\n{} actions: {} dry run, {} awaiting approval, {} planned, {} skipped; nothing was changed",
        records.len(),
        count(Status::DryRun),
        count(Status::AwaitingApproval),
        count(Status::Planned),
        count(Status::Skipped)
    )?;
    Ok(())
}
