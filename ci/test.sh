#!/usr/bin/env bash
# The test command: set up what is missing (idempotent), then lint, type-check and run every test.
# Appium, Chromium and Toxiproxy tests are never skipped for a missing tool: setup installs them,
# and a tool that is still missing fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash ci/setup.sh
export APPIUM_HOME="$ROOT/.tools/appium-home"
# The real Toxiproxy 2.12.0 beside the clone: the differential tests then compare the embedded server
# with it live (without it they compare with its recorded answers in tests/data/toxiproxy-2.12.0/). Only
# those tests use it: every other test runs the embedded server, as `loanqa up` does for users.
if [ -z "${LOANQA_TOXIPROXY_REFERENCE:-}" ] && [ -x "$ROOT/../shared/tools/toxiproxy-2.12.0/toxiproxy-server" ]; then
  export LOANQA_TOXIPROXY_REFERENCE="$ROOT/../shared/tools/toxiproxy-2.12.0"
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the layer contracts in pyproject.toml
.venv/bin/pytest -n 2 --dist loadgroup "$@"
