//! `aispm metrics`: posture metrics from the findings store.

use std::io::Write;

use aispm_shared::rules::RuleConfig;
use aispm_shared::store::{FindingFilter, FindingReads, Snapshots, Sweeps};
use anyhow::{Context, bail};
use clap::Args;

use super::store::StoreArgs;
use crate::Format;

/// `aispm metrics`.
#[derive(Debug, Args)]
pub(crate) struct MetricsArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `aispm metrics`: posture metrics over every account the store knows (the
/// latest sweep's accounts and every account with findings).
pub(crate) async fn metrics(args: MetricsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    use aispm_shared::model::Inventory;
    use aispm_shared::store::Part;
    let (_, _, store) = args.store.open_existing().await?;
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
    // Escalated: the findings with a ticket in some sink.
    let ticketed: std::collections::BTreeSet<String> = aispm_shared::tickets::sync::links(&store)
        .await
        .context("reading the ticket links")?
        .into_iter()
        .map(|l| l.finding_id)
        .collect();
    let m =
        aispm_shared::metrics::compute(&inv, &states, &history, &ticketed, &RuleConfig::default());
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
    let h = &m.high_risk;
    writeln!(
        out,
        "high-risk findings    {}: {} remediated, {} accepted, {} escalated (ticketed), {} unhandled",
        h.total, h.remediated, h.accepted, h.escalated, h.unhandled
    )?;
    if m.time_to_remediate.is_empty() {
        writeln!(out, "time to remediate     nothing remediated yet")?;
    }
    for (family, r) in &m.time_to_remediate {
        writeln!(
            out,
            "time to remediate     {family}: {} remediated ({} by aispm), mean {:.2} h, median {:.2} h",
            r.remediated, r.by_aispm, r.mean_hours, r.median_hours
        )?;
    }
    Ok(())
}
