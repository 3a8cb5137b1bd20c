#!/usr/bin/env bash
# Builds each Lambda function as `target/lambda/<function>/bootstrap` (and
# `bootstrap.zip`) for provided.al2023 on arm64, with cargo-lambda (pinned in
# infra/requirements-build.txt, installed with its bundled zig linker into
# infra/.venv-build on first use). Then: sam deploy --template-file infra/template.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
venv=infra/.venv-build
if [ ! -x "$venv/bin/cargo-lambda" ] || ! cmp -s infra/requirements-build.txt "$venv/requirements.txt"; then
  echo "==> installing cargo-lambda into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r infra/requirements-build.txt
  cp infra/requirements-build.txt "$venv/requirements.txt"
fi
rustup target add aarch64-unknown-linux-gnu >/dev/null
export PATH="$PWD/$venv/bin:$PATH"
echo "==> cargo lambda build --profile lambda-dist --arm64"
cargo lambda build --profile lambda-dist --arm64 --locked --output-format zip -p aispm-fn-sweep -p aispm-fn-scan-account -p aispm-fn-on-event -p aispm-fn-remediate -p aispm-fn-ticket
for f in sweep scan-account on-event remediate ticket; do
  python3 -m zipfile -e "target/lambda/$f/bootstrap.zip" "target/lambda/$f/"
  chmod +x "target/lambda/$f/bootstrap"
  ls -l "target/lambda/$f/"
done
