#!/usr/bin/env bash
# The aispm demo on a fresh machine: creates the emulator's virtualenv, builds,
# starts moto on a free local port, seeds a small AWS Organization (management
# account plus two member accounts, two regions) holding an AI estate, scans the
# whole organization with the real `aispm` binary, prints prioritized findings
# and the coverage summary, and stops the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0
echo "==> building aispm and the demo seeder"
cargo build --locked --quiet -p aispm-cli -p aispm-tests --bins
echo "==> starting the emulator"
read -r port pid < <(bash tests/emulator/moto.sh start --watch $$)
trap 'bash tests/emulator/moto.sh stop "$pid"' EXIT
url="http://127.0.0.1:$port"
echo "    moto on $url (pid $pid)"
echo "==> seeding the demo organization"
./target/debug/aispm-seed --endpoint-url "$url" > target/demo-estate.json
python3 - <<'PY'
import json
e = json.load(open("target/demo-estate.json"))
print(f"    management {e['management']}, ml-platform {e['ml_platform']}, data-science {e['data_science']}: {len(e['assets'])} assets")
PY
echo "==> aispm scan --organization --regions us-east-1,eu-west-1"
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
  ./target/debug/aispm scan --endpoint-url "$url" --regions us-east-1,eu-west-1 --organization --stats
