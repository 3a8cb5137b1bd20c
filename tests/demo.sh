#!/usr/bin/env bash
# The aispm demo on a fresh machine: creates the emulator's virtualenv, builds,
# starts moto on a free local port, seeds a small AWS Organization (management
# account plus two member accounts, two regions) holding an AI estate, runs a
# sweep through the real function code (`aispm sweep --local`: the sweep
# handler queues one SQS task per account × region, the scan-account handler
# consumes them and keeps findings in DynamoDB), reads the prioritized findings
# back from DynamoDB, and stops the emulator.
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
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
echo "==> aispm sweep --local --regions us-east-1,eu-west-1 (sweep -> SQS -> scan-account -> DynamoDB)"
./target/debug/aispm sweep --local --endpoint-url "$url" --regions us-east-1,eu-west-1 > /dev/null
echo "==> aispm findings list (read back from DynamoDB, riskiest first)"
./target/debug/aispm findings list --endpoint-url "$url"
top=$(./target/debug/aispm findings list --endpoint-url "$url" --format json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["finding_id"])')
echo "==> aispm findings show $top"
./target/debug/aispm findings show --endpoint-url "$url" "$top"
