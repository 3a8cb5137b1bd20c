//! `aispm-seed --endpoint-url URL`: builds the demo organization in the emulator
//! and prints what it built as JSON.

use anyhow::Context;
use clap::Parser;

/// Seed the demo AI estate into an AWS emulator.
#[derive(Parser)]
struct Args {
    /// The emulator endpoint, e.g. http://127.0.0.1:5000.
    #[arg(long)]
    endpoint_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let estate = aispm_tests::seed::seed(&args.endpoint_url)
        .await
        .context("seeding the demo estate")?;
    println!("{}", serde_json::to_string_pretty(&estate)?);
    Ok(())
}
