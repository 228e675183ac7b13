#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: apt packages, project-local npm tools, the venv.
# Every step checks before it installs, so a second run costs a few seconds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TOOLS="$ROOT/.tools"
VENV="$ROOT/.venv"
CHROMIUM_DRIVER_VERSION=3.1.1
export APPIUM_HOME="$TOOLS/appium-home"
say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "[setup] need root to run: $*" >&2; exit 1; fi
}

# LOANQA_APT_CACHE=DIR keeps downloaded .deb files there, so a CI cache can carry them between jobs
# (pip and npm use PIP_CACHE_DIR and npm_config_cache the same way).
apt_opts=()
if [ -n "${LOANQA_APT_CACHE:-}" ]; then
  mkdir -p "$LOANQA_APT_CACHE/partial"
  apt_opts=(-o "Dir::Cache::Archives=$LOANQA_APT_CACHE")
fi

apt_missing=()
command -v python3 >/dev/null || apt_missing+=(python3)
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_missing+=(python3-venv)
command -v java >/dev/null || apt_missing+=(default-jre-headless)  # Selenium Grid 4 (device grid)
# A CJK font, so the H5 pages (and their screenshots in reports) show readable Chinese.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || apt_missing+=(fonts-wqy-microhei)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "apt: installing ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${apt_opts[@]+"${apt_opts[@]}"} "${apt_missing[@]}" >/dev/null
fi
bash ci/check-node.sh  # Appium 3.8 needs Node ^20.19 / ^22.12 / >= 24 and npm >= 10; says how to get it
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "[setup] Python >= 3.11 is required, found " + sys.version.split()[0])'

mkdir -p "$TOOLS"
if ! cmp -s ci/tools/package.json "$TOOLS/package.json" || [ ! -x "$TOOLS/node_modules/.bin/appium" ] || [ ! -x "$TOOLS/node_modules/.bin/allure" ]; then
  say "npm: installing appium, allure and the Selenium Grid jar into .tools/"
  cp ci/tools/package.json "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error >/dev/null
fi
if ! "$TOOLS/node_modules/.bin/appium" driver list --installed --json 2>/dev/null | grep -q "\"version\": *\"$CHROMIUM_DRIVER_VERSION\""; then
  say "appium: installing chromium driver $CHROMIUM_DRIVER_VERSION into .tools/appium-home"
  "$TOOLS/node_modules/.bin/appium" driver uninstall chromium >/dev/null 2>&1 || true
  "$TOOLS/node_modules/.bin/appium" driver install "chromium@$CHROMIUM_DRIVER_VERSION" >/dev/null
fi

stamp="$VENV/.loanqa-stamp"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "python: installing the project into .venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
say "ready: $VENV/bin/loanqa, appium $("$TOOLS/node_modules/.bin/appium" --version), $(chromium --version 2>/dev/null | head -1)"
