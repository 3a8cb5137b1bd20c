#!/usr/bin/env bash
# Fuzzes IAM policy parsing and evaluation (shared/iam/fuzz, target `policy`)
# for a bounded time: AISPM_FUZZ_SECONDS, default 60, from a fixed seed so CI
# is repeatable (AISPM_FUZZ_SEED=0 lets libFuzzer pick one). Installs cargo-fuzz
# (pinned below) into target/tools on first use. Runs on the stable
# toolchain without a sanitizer (`--sanitizer none`): Rust's own checks
# (bounds, overflow with debug assertions) are what it trips. The seed corpus
# is shared/iam/fuzz/seeds (the documented cases plus every crash found so far);
# a crash leaves its input in shared/iam/fuzz/artifacts/policy/ and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.13.1
tools="$PWD/target/tools"
if ! "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -q "$version"; then
  echo "==> installing cargo-fuzz $version into $tools"
  cargo install --locked --quiet --root "$tools" cargo-fuzz --version "$version"
fi
export PATH="$tools/bin:$PATH"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cd shared/iam
cargo fuzz build --sanitizer none policy
target="${AISPM_FUZZ_TARGET:-policy}"
set +e
# grep hides libFuzzer's progress lines; the fuzzer's own status decides.
cargo fuzz run --sanitizer none "$target" "$corpus" fuzz/seeds -- \
  -max_total_time="${AISPM_FUZZ_SECONDS:-60}" -seed="${AISPM_FUZZ_SEED:-20261124}" \
  -print_final_stats=1 2>&1 |
  grep -E '^(Done|stat::number_of_executed_units|INFO: seed corpus)|panicked|ERROR|SUMMARY|crash|error'
status=${PIPESTATUS[0]}
set -e
exit "$status"
