#!/usr/bin/env bash
# The main job: set up what is missing (idempotent), then the whole pipeline against the embedded refapp.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash ci/setup.sh
export APPIUM_HOME="$ROOT/.tools/appium-home"
exec .venv/bin/loanqa run "$@"
