//! `aispm rules`: the catalog.

use std::io::Write;

use aispm_shared::rules;
use clap::Subcommand;

use crate::Format;

#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Every rule: id, severity and title (or JSON with all metadata).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The catalog as Markdown (what docs/rules.md holds).
    Docs,
    /// One rule's metadata: rationale, inputs, remediation, framework mappings.
    Show {
        /// The rule id (see `aispm rules list`).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Runs a `rules` subcommand.
pub(crate) fn run(cmd: RulesCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        RulesCommand::List { format } => print_rules(format, out),
        RulesCommand::Show { id, format } => show_rule(&id, format, out),
        RulesCommand::Docs => {
            out.write_all(rules::docs::markdown().as_bytes())?;
            Ok(())
        }
    }
}

fn show_rule(id: &str, format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(rule) = rules::rule(id) else {
        anyhow::bail!("no rule `{id}`; `aispm rules list` prints every rule id");
    };
    let m = &rule.meta;
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, m)?;
        writeln!(out)?;
        return Ok(());
    }
    let list = |xs: &[&str]| {
        if xs.is_empty() {
            "-".to_owned()
        } else {
            xs.join(", ")
        }
    };
    let types: Vec<&str> = m.resource_types.iter().map(|t| t.as_str()).collect();
    let nist: Vec<String> = m.nist_ai_rmf.iter().map(|n| format!("{n:?}")).collect();
    writeln!(out, "{} [{}] {}", m.id, m.severity.as_str(), m.title)?;
    writeln!(out, "why          {}", m.rationale)?;
    writeln!(
        out,
        "reads        {} (collectors: {})",
        types.join(", "),
        m.collectors.join(", ")
    )?;
    writeln!(out, "remediation  {}", m.remediation)?;
    writeln!(out, "action       {}", m.remediation_action.unwrap_or("-"))?;
    writeln!(out, "OWASP LLM    {}", list(m.owasp_llm))?;
    writeln!(out, "OWASP ASI    {}", list(m.owasp_agentic))?;
    writeln!(out, "MITRE ATLAS  {}", list(m.mitre_atlas))?;
    writeln!(out, "NIST AI RMF  {}", nist.join(", "))?;
    writeln!(out, "Security Hub {}", list(m.aws_security_hub))?;
    Ok(())
}

fn print_rules(format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    let metas: Vec<_> = rules::RULES.iter().map(|r| r.meta).collect();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &metas)?;
            writeln!(out)?;
        }
        Format::Table => {
            for m in metas {
                writeln!(out, "{:<44} {:<9} {}", m.id, m.severity.as_str(), m.title)?;
            }
        }
    }
    Ok(())
}
