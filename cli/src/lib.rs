//! The `aispm` command, as a library so tests drive it in process. `main.rs`
//! only parses the process arguments, calls [`run`] and exits with its code.

mod cmd;

use std::ffi::OsString;
use std::io::Write;

use aispm_shared::aws::source_chain;
use clap::{Parser, Subcommand, ValueEnum};

const EXIT_HELP: &str = "\
Exit codes:
  0  the scan ran (findings, if any, are in the output; accounts or collectors
     that could not be assessed are listed as coverage, never as passes)
  1  the scan could not run: bad input, no credentials, unreachable endpoint,
     organization not readable
  2  usage error (unknown flag, missing value)";

/// AI Security Posture Management for AWS.
#[derive(Debug, Parser)]
#[command(name = "aispm", version, about, after_help = EXIT_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Discover AI assets, run the rules and print prioritized findings.
    #[command(after_help = EXIT_HELP)]
    Scan(cmd::scan::ScanArgs),
    /// Discover AI assets and print the organization's graph: assets, edges
    /// (from the APIs, and from the IAM engine: what AI identities can read,
    /// write and invoke, who outside can reach each data store) and coverage.
    #[command(after_help = EXIT_HELP)]
    Inventory(cmd::scan::ScanArgs),
    /// Run a sweep through the pipeline's handlers and keep findings in DynamoDB.
    #[command(after_help = EXIT_HELP)]
    Sweep(cmd::sweep::SweepArgs),
    /// Read and manage stored findings.
    #[command(subcommand)]
    Findings(cmd::findings::FindingsCommand),
    /// Rescan what one CloudTrail or AWS Health event changed, as the
    /// on-event function does, and update the findings store.
    Event(cmd::event::EventArgs),
    /// Posture metrics from the findings store: ownership, mapping, coverage
    /// and rule gaps, findings by status, time to remediate.
    Metrics(cmd::metrics::MetricsArgs),
    /// Plan remediation for the open findings under a remediation policy
    /// (dry run by default): each action with its mode, status and calls, or
    /// why it is skipped; in auto mode, apply what this version can apply,
    /// with the state before and after, and verify it by a rescan. Every
    /// record is kept in the store's audit.
    Remediate(cmd::remediate::RemediateArgs),
    /// The remediation audit: list recorded actions, show one with every
    /// change it went through, or roll one back.
    #[command(subcommand)]
    Remediation(cmd::remediation::RemediationCommand),
    /// Tickets: deliver what the findings store owes each route's sink
    /// (generic webhook, Slack, Jira, PagerDuty, ServiceNow), redeliver the
    /// dead-letter queue, list ticket links.
    #[command(subcommand)]
    Tickets(cmd::tickets::TicketsCommand),
    /// The IAM policy engine: simulate requests against policies.
    #[command(subcommand)]
    Iam(cmd::iam::IamCommand),
    /// The rules catalog: list every rule, or show one.
    #[command(subcommand)]
    Rules(cmd::rules::RulesCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
}

/// Parses `args` (program name first) and runs the command, writing results to
/// `out` and diagnostics to `err`. Returns the process exit code. Commands
/// that read `-` read the process's standard input.
pub async fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let stdin = std::io::stdin();
    run_with_input(args, &mut stdin.lock(), out, err).await
}

/// [`run`] with standard input given.
pub async fn run_with_input(
    args: Vec<OsString>,
    stdin: &mut dyn std::io::BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let sink: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(sink, "{}", e.render());
            return code;
        }
    };
    match execute(cli, stdin, out, err).await {
        Ok(()) => 0,
        Err(e) => {
            let mut msg = format!("error: {e}");
            if let Some(cause) = e.chain().nth(1) {
                let text = source_chain(cause);
                if !msg.contains(&text) {
                    msg.push_str(&format!("\n  caused by: {text}"));
                }
            }
            let _ = writeln!(err, "{msg}");
            1
        }
    }
}

async fn execute(
    cli: Cli,
    stdin: &mut dyn std::io::BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    match cli.command {
        Command::Iam(c) => cmd::iam::run(c, stdin, out),
        Command::Rules(c) => cmd::rules::run(c, out),
        Command::Sweep(args) => Box::pin(cmd::sweep::sweep(args, out)).await,
        Command::Findings(c) => Box::pin(cmd::findings::findings(c, out)).await,
        Command::Metrics(args) => Box::pin(cmd::metrics::metrics(args, out)).await,
        Command::Remediate(args) => Box::pin(cmd::remediate::remediate(args, out)).await,
        Command::Remediation(c) => Box::pin(cmd::remediation::remediation(c, out)).await,
        Command::Event(args) => Box::pin(cmd::event::event(args, out)).await,
        Command::Tickets(c) => Box::pin(cmd::tickets::tickets(c, out)).await,
        Command::Scan(args) => Box::pin(cmd::scan::run(args, out, err)).await,
        Command::Inventory(args) => Box::pin(cmd::scan::inventory(args, out, err)).await,
    }
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let head: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

/// A finding's resource for tables: its ARN, and an access key's id after
/// its user's ARN.
pub(crate) fn resource_label(arn: &str, access_key_id: Option<&str>) -> String {
    match access_key_id {
        Some(id) => format!("{arn} (access key {id})"),
        None => arn.to_owned(),
    }
}
