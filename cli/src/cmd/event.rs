//! `aispm event`: the on-event handler on one event, against the store.

use std::io::Write;

use aispm_shared::aws::{RequestCounter, base_config, caller_identity};
use aispm_shared::events;
use anyhow::Context;
use clap::Args;

use super::store::{ScannerArgs, StoreArgs};

/// `aispm event`.
#[derive(Debug, Args)]
pub(crate) struct EventArgs {
    /// The EventBridge event as the on-event function receives it (a
    /// CloudTrail API call or an AWS Health event): a JSON file, or `-` for
    /// stdin. Samples: `events/cloudtrail/`, `events/health/`.
    file: std::path::PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    scanner: ScannerArgs,
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
    // A malformed or untracked event is answered before any network call; a
    // tracked one first checks, in seconds, that the endpoint answers.
    let tracked = events::tracked(&raw)?;
    let (settings, _sdk, store) = args.store.open().await?;
    // No regions configured: a local run handles an event of any region.
    let cfg = args.scanner.config(&args.store.table, Vec::new())?;
    if tracked {
        let probe = base_config(&settings.probe(), &args.store.store_region).await;
        caller_identity(&probe, &RequestCounter::new())
            .await
            .context("could not identify the caller with sts:GetCallerIdentity; check credentials and the endpoint")?;
        args.store.require_table(&settings).await?;
    }
    let outcome = events::handle(&settings, &cfg, &store, &raw).await?;
    serde_json::to_writer_pretty(&mut *out, &outcome)?;
    writeln!(out)?;
    Ok(())
}
