//! `aispm tickets`: bring tickets in step with the findings store from this
//! machine, redeliver the dead-letter queue, list ticket links.

use std::io::Write;
use std::path::{Path, PathBuf};

use aispm_shared::model::Timestamp;
use aispm_shared::tickets::config::TicketConfig;
use aispm_shared::tickets::http::Retry;
use aispm_shared::tickets::run::Runner;
use aispm_shared::tickets::sync::{Delivery, links};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::store::StoreArgs;
use crate::Format;

/// `aispm tickets`.
#[derive(Debug, Subcommand)]
pub(crate) enum TicketsCommand {
    /// Deliver what the store's current state owes each route (docs/tickets.md):
    /// a sweep then a sync opens tickets, a sync after a fix closes them, a
    /// repeated sync sends nothing. Deployed, the ticket function does this
    /// from the findings table's stream.
    Sync {
        /// Run here (required: deployed, the ticket function syncs).
        #[arg(long, required = true)]
        local: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Redeliver the events in the dead-letter queue (each finding's
    /// current event, which is the parked one unless the finding moved on).
    Replay {
        #[command(flatten)]
        common: Common,
    },
    /// List the ticket links: each finding's ticket in each sink, its last
    /// event, and any event parked in the dead-letter queue.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// What sync and replay share.
#[derive(Debug, Args)]
pub(crate) struct Common {
    /// The routing configuration (JSON, docs/tickets.md).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// The dead-letter queue's URL: events that fail every attempt wait
    /// there for `aispm tickets replay` (without one they stay owed and the
    /// next sync tries again).
    #[arg(long, env = "AISPM_TICKET_DLQ_URL")]
    dead_letter_queue_url: Option<String>,
    /// Attempts per delivery.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    attempts: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn read_config(path: &Path) -> anyhow::Result<TicketConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the ticket configuration {}", path.display()))?;
    TicketConfig::parse(&text).with_context(|| format!("in {}", path.display()))
}

pub(crate) async fn tickets(cmd: TicketsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        TicketsCommand::Sync { local, common } => {
            if !local {
                bail!("tickets sync runs with --local (deployed, the ticket function syncs)");
            }
            let (mut runner, store, format) = open(&common).await?;
            let report = runner.sync(&store, Timestamp::now()).await?;
            print(&report.deliveries, format, out)?;
            if format == Format::Table {
                writeln!(
                    out,
                    "{} findings; {} delivered, {} parked, {} failed, {} busy",
                    report.findings,
                    report.count("delivered"),
                    report.count("parked"),
                    report.count("failed"),
                    report.count("busy")
                )?;
            }
        }
        TicketsCommand::Replay { common } => {
            if common.dead_letter_queue_url.is_none() {
                bail!("tickets replay needs --dead-letter-queue-url (or AISPM_TICKET_DLQ_URL)");
            }
            let (mut runner, store, format) = open(&common).await?;
            let (deliveries, unreadable) = runner.replay(&store, Timestamp::now()).await?;
            print(&deliveries, format, out)?;
            for u in &unreadable {
                writeln!(out, "not an aispm dead letter, left in the queue: {u}")?;
            }
        }
        TicketsCommand::List { store, format } => {
            let (_, _, s) = store.open_existing().await?;
            let links = links(&s).await?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &links)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    writeln!(
                        out,
                        "{:<34} {:<12} {:<10} {:<8} {:<14} TICKET",
                        "FINDING", "SINK", "TYPE", "OPEN", "LAST EVENT"
                    )?;
                    for l in &links {
                        writeln!(
                            out,
                            "{:<34} {:<12} {:<10} {:<8} {:<14} {}{}",
                            l.finding_id,
                            crate::truncate(&l.sink, 12),
                            l.sink_type,
                            if l.open { "yes" } else { "no" },
                            l.delivered.as_ref().map_or("-", |d| d.event.as_str()),
                            l.external_id.as_deref().unwrap_or("-"),
                            l.parked
                                .as_ref()
                                .map_or(String::new(), |k| format!(" (parked: {k})")),
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

async fn open(
    common: &Common,
) -> anyhow::Result<(Runner, aispm_shared::store::DynamoStore, Format)> {
    let config = read_config(&common.config)?;
    let (_, sdk, store) = common.store.open_existing().await?;
    let retry = Retry {
        attempts: common.attempts,
        ..Retry::default()
    };
    let runner = Runner::new(&sdk, config, common.dead_letter_queue_url.clone(), retry).await?;
    Ok((runner, store, common.format))
}

fn print(deliveries: &[Delivery], format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, deliveries)?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "{:<34} {:<12} {:<14} {:<10} TICKET / ERROR",
                "FINDING", "SINK", "EVENT", "OUTCOME"
            )?;
            for d in deliveries {
                writeln!(
                    out,
                    "{:<34} {:<12} {:<14} {:<10} {}",
                    d.finding_id,
                    crate::truncate(&d.sink, 12),
                    d.event,
                    d.outcome,
                    d.error
                        .as_deref()
                        .or(d.external_id.as_deref())
                        .unwrap_or("-")
                )?;
            }
        }
    }
    Ok(())
}
