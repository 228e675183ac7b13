#!/bin/sh
# Entry point of the loanqa image. Servers listen on 0.0.0.0 here (the container's own network), unlike
# `loanqa up`, which binds loopback on a workstation:
#   refapp [ARGS]     the reference lender on :8700 (SQLite under /work unless --database-url)
#   toxiproxy [ARGS]  the embedded Toxiproxy-API-compatible server on :8474
#   anything else     a loanqa command: `load --master …`, `load --worker --master-host …`, `gate …`, `doctor`
set -eu
case "${1:-}" in
  refapp) shift; exec python3 -m loanqa_refapp --host 0.0.0.0 --port 8700 --database-url sqlite:////work/refapp.sqlite3 "$@" ;;
  toxiproxy) shift; exec python3 -m loanqa_netprofiles.server --host 0.0.0.0 --port 8474 "$@" ;;
  *) exec loanqa "$@" ;;
esac
