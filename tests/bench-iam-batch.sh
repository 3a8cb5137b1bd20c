#!/usr/bin/env bash
# `aispm iam simulate --batch` end to end: builds the release binary and the
# request generator (shared/iam/examples/batch_bench.rs), writes two files of
# ~2.2 KB requests (policies varying on every line; four policy sets repeating
# across lines), and times the binary answering each (process start, reading,
# answering, writing to /dev/null), best and median of RUNS, with its peak
# resident memory. Figures are printed, not asserted.
#
#   tests/bench-iam-batch.sh [VARIED_LINES] [REPEATED_LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
varied=${1:-100000}
repeated=${2:-300000}
runs=${3:-5}

cargo build --release -p aispm-cli
cargo build --release -p aispm-iam --example batch_bench
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
gen=target/release/examples/batch_bench
"$gen" "$varied" --write "$dir/varied.jsonl" >/dev/null
"$gen" "$repeated" --write "$dir/repeated.jsonl" --repeated >/dev/null

python3 - "$dir" "$runs" <<'EOF'
import os, resource, statistics, subprocess, sys, time

directory, runs = sys.argv[1], int(sys.argv[2])
print(f"cores: {os.cpu_count()}")
for name in ("varied", "repeated"):
    path = os.path.join(directory, f"{name}.jsonl")
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    size = os.path.getsize(path)
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            ["target/release/aispm", "iam", "simulate", "--batch", path],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        rates.append(lines / (time.perf_counter() - started))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"{name} policies: {lines} requests, {size / lines:.0f} bytes each: "
        f"best {max(rates):,.0f} requests/s, median {statistics.median(rates):,.0f}; "
        f"peak RSS of any run so far {peak / 1024:.0f} MiB"
    )
EOF
