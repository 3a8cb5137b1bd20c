#!/usr/bin/env bash
# Lints the CloudFormation/SAM templates with cfn-lint and checkov, both pinned
# in infra/requirements.txt and installed into infra/.venv on first use.
# Deliberate checkov skips are documented inline in the templates (Metadata).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/checkov ] || ! cmp -s requirements.txt .venv/requirements.txt; then
  echo "==> installing cfn-lint and checkov into infra/.venv"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/requirements.txt
fi
echo "==> cfn-lint"
.venv/bin/cfn-lint template.yaml member-account.json
echo "==> checkov"
.venv/bin/checkov --directory . --framework cloudformation --skip-download --quiet --compact
