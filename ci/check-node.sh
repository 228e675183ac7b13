#!/usr/bin/env bash
# Fails with the fix when Node.js or npm is too old for Appium 3.8 (engines: node "^20.19.0 || ^22.12.0 ||
# >=24.0.0", npm ">=10"). Debian 12's apt brings Node 18 and npm 9, so a pipeline image must bring its own.
set -euo pipefail
node_v=$(node --version 2>/dev/null || echo none)
npm_v=$(npm --version 2>/dev/null || echo none)
v=${node_v#v}
major=${v%%.*}
rest=${v#*.}
minor=${rest%%.*}
npm_major=${npm_v%%.*}
ok=0
if [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ && $npm_major =~ ^[0-9]+$ ]] && [ "$npm_major" -ge 10 ]; then
  if { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } \
     || [ "$major" -ge 24 ]; then
    ok=1
  fi
fi
if [ "$ok" -ne 1 ]; then
  echo "[setup] node $node_v, npm $npm_v: Appium 3.8 needs Node ^20.19, ^22.12 or >= 24 with npm >= 10." \
       "Fix: install Node 22 LTS (GitHub: actions/setup-node with node-version 22; GitLab/Docker: image" \
       "node:22-bookworm; Debian: NodeSource's apt repository, https://github.com/nodesource/distributions)," \
       "then run ci/setup.sh again." >&2
  exit 1
fi
