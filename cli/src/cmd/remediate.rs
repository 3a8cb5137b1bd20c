//! `aispm remediate --local`: plans the remediation actions for the open
//! findings in the store under a remediation policy, and prints each one
//! with its mode, status, the calls it makes and, when skipped, why.
//!
//! In `auto` mode the actions this version can apply (`deactivate_access_key`,
//! `s3_block_public_access`) are applied, each with the state before and
//! after; the others, and `approval` mode, are recorded as skipped with the
//! reason. Dry runs change nothing.

use std::io::Write;
use std::path::PathBuf;

use aispm_shared::aws::{RequestCounter, caller_identity};
use aispm_shared::remediate::apply::{Target, apply_planned};
use aispm_shared::remediate::role::role_policy;
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
    #[arg(long, required_unless_present = "print_role_policy")]
    local: bool,
    /// Print the remediator role's IAM policy for the remediation policy
    /// (exactly the calls of the actions it does not turn off, PassRole only
    /// to Bedrock, explicit denies of secret values and object contents)
    /// and exit; reads no store.
    #[arg(long)]
    print_role_policy: bool,
    #[command(flatten)]
    store: StoreArgs,
    /// The remediation policy (JSON; see docs/remediation.md). Without one,
    /// every action is a dry run.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Only this finding (any status; one that is not open is skipped).
    #[arg(long)]
    finding: Option<String>,
    /// The role assumed in other accounts to make changes (the caller's own
    /// account is changed with the caller's credentials; the scanner role is
    /// never used for changes).
    #[arg(long, default_value = "aispm-remediator")]
    role_name: String,
    #[command(flatten)]
    external_id: super::store::ExternalIdArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) async fn remediate(args: RemediateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    debug_assert!(args.local || args.print_role_policy);
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
    if args.print_role_policy {
        serde_json::to_writer_pretty(&mut *out, &role_policy(&policy))?;
        writeln!(out)?;
        return Ok(());
    }
    let external_id = args.external_id.value()?;
    let (_, sdk, store) = args.store.open_existing().await?;
    let mut records = plan_stored(&store, &policy, args.finding.as_deref()).await?;
    if records.iter().any(|r| r.status == Status::Planned) {
        let counter = RequestCounter::default();
        let (caller_account, _) = caller_identity(&sdk, &counter)
            .await
            .context("cannot tell which account the credentials belong to")?;
        let target = Target {
            base: sdk,
            caller_account,
            role_name: args.role_name.clone(),
            external_id,
            counter,
        };
        apply_planned(&target, &mut records).await;
    }
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
        "\n{} actions: {} applied, {} failed, {} dry run, {} awaiting approval, {} planned, {} skipped",
        records.len(),
        count(Status::Applied),
        count(Status::Failed),
        count(Status::DryRun),
        count(Status::AwaitingApproval),
        count(Status::Planned),
        count(Status::Skipped)
    )?;
    if count(Status::Applied) + count(Status::Failed) == 0 {
        writeln!(out, "nothing was changed")?;
    }
    Ok(())
}
