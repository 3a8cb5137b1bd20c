//! `aispm iam ...`: the IAM policy engine on the command line.

use std::io::{BufRead, Write};

use aispm_shared::iam::simulate::Simulation;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::json;

const SIMULATE_HELP: &str = "\
Input (one JSON document, or one per line with --batch):
  {\"request\": {\"principal\": \"arn:aws:iam::111111111111:role/app\",
               \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::bucket/key\",
               \"resource_account\": \"222222222222\",
               \"context\": {\"aws:SourceIp\": \"10.0.0.1\", \"aws:TagKeys\": [\"a\", \"b\"]}},
   \"identity_policies\": [POLICY, ...], \"resource_policy\": POLICY or null,
   \"permission_boundary\": POLICY or null,
   \"scps\": [[POLICY, ...], ...], \"rcps\": [[POLICY, ...], ...]}
  scps / rcps: one list per level from the organization root down to the account
  ([] = none in play). resource_account defaults to the ARN's account, else the
  principal's. Optional: \"session_policies\": [POLICY, ...], \"management_account\".
  With --batch, a line that opens with its \"request\" and repeats an earlier
  line's policies is answered without reading them again (the fastest form).

Output: {\"decision\": \"Allowed\"|\"ExplicitlyDenied\"|\"ImplicitlyDenied\",
         \"statements\": [{\"policy\": \"identity_policies[0]\", \"statement\": 0,
                         \"sid\": \"...\", \"effect\": \"Allow\"}, ...]}
  statements: for Allowed every Allow that was needed, for ExplicitlyDenied every
  matching Deny, empty for ImplicitlyDenied (--explain adds a \"reason\").

Exit codes:
  0  every request was evaluated (whatever the decision)
  1  a request or a policy is malformed (the message says what and where; with
     --batch the line gets {\"line\": N, \"error\": ...} and the others are
     still evaluated)
  2  usage error";

/// `aispm iam` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum IamCommand {
    /// Evaluate a request against its policies with AWS's evaluation logic.
    #[command(after_help = SIMULATE_HELP)]
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The request JSON file, or `-` for standard input.
    input: String,
    /// Read JSON Lines (one request per line) and write one decision per line.
    #[arg(long)]
    batch: bool,
    /// Add the reason for the decision to the output.
    #[arg(long)]
    explain: bool,
}

pub(crate) fn run(
    cmd: IamCommand,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match cmd {
        IamCommand::Simulate(args) => simulate(&args, stdin, out),
    }
}

fn decide(text: &str, explain: bool) -> Result<serde_json::Value, aispm_shared::iam::RequestError> {
    let d = Simulation::parse(text)?.decide();
    let mut v = json!({"decision": d.decision, "statements": d.statements});
    if explain {
        v["reason"] = json!(d.reason);
    }
    Ok(v)
}

fn simulate(
    args: &SimulateArgs,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut file_reader;
    let reader: &mut dyn BufRead = if args.input == "-" {
        stdin
    } else {
        let f = std::fs::File::open(&args.input)
            .with_context(|| format!("cannot read `{}`", args.input))?;
        file_reader = std::io::BufReader::new(f);
        &mut file_reader
    };
    if !args.batch {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read `{}`", args.input))?;
        if text.trim().is_empty() {
            bail!(
                "the request is empty: expected one JSON document (see `aispm iam simulate --help`)"
            );
        }
        let v = decide(&text, args.explain).context("invalid simulation request")?;
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    let report = aispm_shared::iam::batch::run(
        reader,
        &mut writer,
        aispm_shared::iam::batch::BatchOptions {
            explain: args.explain,
            ..Default::default()
        },
    )
    .with_context(|| format!("cannot read `{}` or write the answers", args.input))?;
    writer.flush()?;
    drop(writer);
    let failed = report.failed;
    if !failed.is_empty() {
        let lines: Vec<String> = failed.iter().map(ToString::to_string).collect();
        bail!(
            "{} malformed request(s), on line(s) {}; their output lines hold the errors",
            failed.len(),
            lines.join(", ")
        );
    }
    Ok(())
}
