//! Test support for aispm: the emulator harness and the demo-estate seeder.

pub mod emulator;
pub mod proxy;
pub mod runtime_api;
pub mod scenarios;
pub mod seed;
pub mod sinks;

/// Runs the `aispm` binary at `bin` (an integration test's
/// `env!("CARGO_BIN_EXE_aispm-e2e")`) as `aispm COMMAND --endpoint-url URL
/// --regions REGION --format json` with the emulator's test credentials and
/// no profile, and returns its JSON output; panics with its stderr when it
/// fails (a failed run is a failed test).
#[allow(clippy::panic, reason = "test support: a failed run is a failed test")]
pub fn aispm_json(bin: &str, command: &str, url: &str, region: &str) -> serde_json::Value {
    let out = std::process::Command::new(bin)
        .args([
            command,
            "--endpoint-url",
            url,
            "--regions",
            region,
            "--format",
            "json",
        ])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|e| panic!("{bin}: {e}"));
    if !out.status.success() {
        panic!("{}", String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{command} output: {e}"))
}

/// The resources a rule has open findings on in `aispm ... --format json`
/// output, sorted.
#[allow(
    clippy::unwrap_used,
    reason = "test support: a malformed output is a failed test"
)]
pub fn open_on(findings: &serde_json::Value, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule && f["status"] == "open")
        .filter_map(|f| f["resource_arn"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Whether the output says `rule` was not assessed because `collector`
/// could not read.
pub fn not_assessed_by(findings: &serde_json::Value, rule: &str, collector: &str) -> bool {
    findings.as_array().is_some_and(|a| {
        a.iter().any(|f| {
            f["rule_id"] == rule && f["status"] == "not_assessed" && f["collector"] == collector
        })
    })
}
