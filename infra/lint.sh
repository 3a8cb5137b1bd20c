#!/usr/bin/env bash
# Lints the CloudFormation/SAM templates with cfn-lint and checkov, both pinned
# in infra/requirements.txt and installed into infra/.venv on first use.
# Deliberate checkov skips are documented inline in the templates (Metadata).
# Then the member template is deployed as a two-region StackSet would deploy it
# (stackset_check.py, on moto in-process, with the emulator's virtualenv).
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
.venv/bin/cfn-lint --regions us-east-1 eu-west-1 -- template.yaml member-account.json
echo "==> checkov"
.venv/bin/checkov --directory . --framework cloudformation --skip-download --quiet --compact
echo "==> member template: two-region StackSet deploy check"
bash ../tests/emulator/moto.sh ensure
../tests/emulator/.venv/bin/python stackset_check.py
