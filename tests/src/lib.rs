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
