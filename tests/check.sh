#!/usr/bin/env bash
# Every check CI runs, in order: template lints (cfn-lint, checkov), formatting,
# Rust lints, a bounded fuzz run of the IAM engine, unit tests, and the
# integration tests against the project's own moto server (started and stopped
# by the tests; the virtualenv is created here on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-0}"
start=$(date +%s)
step() { echo "==> $* ($(( $(date +%s) - start ))s)"; }

step "emulator virtualenv"
bash tests/emulator/moto.sh ensure
step "infra: cfn-lint and checkov"
bash infra/lint.sh
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "fuzz: IAM policy parsing and evaluation (${AISPM_FUZZ_SECONDS:-60}s)"
bash tests/fuzz.sh
step "cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}')
step "done"
echo "aispm: ${passed} passed, ${failed} failed"
