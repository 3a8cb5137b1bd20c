//! `aispm remediate --local`: plans the remediation actions for the open
//! findings in the store under a remediation policy, and prints each one
//! with its mode, status, the calls it makes and, when skipped, why.
//!
//! In `auto` mode the actions this version can apply (`deactivate_access_key`,
//! `s3_block_public_access`) are applied, each with the state before and
//! after, then verified by a rescan of the resource through the scanner role;
//! the others, and `approval` mode, are recorded as skipped with the reason.
//! Dry runs change nothing. Every record that is not skipped is kept in the
//! store's audit (`aispm remediation list|show|rollback`).

use std::io::Write;
use std::path::PathBuf;

use aispm_shared::aws::{RequestCounter, caller_identity};
use aispm_shared::model::Timestamp;
use aispm_shared::remediate::apply::Target;
use aispm_shared::remediate::role::role_policy;
use aispm_shared::remediate::run::{Run, run};
use aispm_shared::remediate::verify::Verifier;
use aispm_shared::remediate::{Record, RemediationPolicy, Status};
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
    /// The role the rescan that verifies a change enters other accounts
    /// with (with the same ExternalId).
    #[arg(long, default_value = "aispm-scanner")]
    scanner_role_name: String,
    #[command(flatten)]
    external_id: super::store::ExternalIdArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) async fn remediate(args: RemediateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    debug_assert!(args.local || args.print_role_policy);
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
    let (settings, sdk, store) = args.store.open_existing().await?;
    let (target, verifier, by) = changer(
        &args.store,
        settings,
        sdk,
        &args.role_name,
        &args.scanner_role_name,
        external_id,
    )
    .await?;
    let only = args.finding.clone().map(|id| vec![id]);
    let records = run(
        &store,
        &Run {
            policy: &policy,
            only: only.as_deref(),
            target: &target,
            verifier: Some(&verifier),
            by: &by,
            clock: Timestamp::now,
        },
    )
    .await?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &records)?;
            writeln!(out)?;
        }
        Format::Table => print(&records, out)?,
    }
    Ok(())
}

/// Where changes are made (the remediator role in other accounts, the
/// caller's credentials in its own), how they are verified (the scanner
/// role), and who makes them, for the audit.
pub(crate) async fn changer(
    store: &StoreArgs,
    settings: aispm_shared::aws::AwsSettings,
    sdk: aws_types::SdkConfig,
    role_name: &str,
    scanner_role_name: &str,
    external_id: Option<String>,
) -> anyhow::Result<(Target, Verifier, String)> {
    if role_name.trim().is_empty() || scanner_role_name.trim().is_empty() {
        anyhow::bail!("invalid role name: empty");
    }
    let counter = RequestCounter::default();
    let (caller_account, caller_arn) = caller_identity(&sdk, &counter)
        .await
        .context("cannot tell which account the credentials belong to")?;
    let mut cfg = aispm_shared::pipeline::PipelineConfig {
        table: store.table.clone(),
        queue_url: None,
        regions: Vec::new(),
        role_name: scanner_role_name.to_owned(),
        external_id_ref: None,
        external_ids: Default::default(),
        accounts: None,
        rules: Default::default(),
        suppressions: Default::default(),
        collector_concurrency: 8,
        assume_role_in_own_account: true,
    };
    if let Some(x) = &external_id {
        cfg.external_ids.insert("cli".to_owned(), x.clone());
        cfg.external_id_ref = Some("cli".to_owned());
    }
    let target = Target {
        base: sdk,
        caller_account,
        role_name: role_name.to_owned(),
        external_id,
        counter,
    };
    Ok((
        target,
        Verifier { settings, cfg },
        format!("aispm remediate ({caller_arn})"),
    ))
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
        "\n{} actions: {} verified, {} applied, {} failed, {} dry run, {} awaiting approval, {} planned, {} skipped",
        records.len(),
        count(Status::Verified),
        count(Status::Applied),
        count(Status::Failed),
        count(Status::DryRun),
        count(Status::AwaitingApproval),
        count(Status::Planned),
        count(Status::Skipped)
    )?;
    if count(Status::Verified) + count(Status::Applied) + count(Status::Failed) == 0 {
        writeln!(out, "nothing was changed")?;
    }
    Ok(())
}
