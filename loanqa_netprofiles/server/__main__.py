"""`python -m loanqa_netprofiles.server --host 127.0.0.1 --port 8474` (flags as toxiproxy-server's, with -- too)."""

from __future__ import annotations

import argparse
import sys

import uvloop

from loanqa_netprofiles.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loanqa_netprofiles.server")
    parser.add_argument("--host", "-host", default="127.0.0.1")
    parser.add_argument("--port", "-port", type=int, default=8474)
    args = parser.parse_args(argv)
    try:
        uvloop.run(serve(args.host, args.port))  # libuv's loop: per-hop cost near Go's (tail latency)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
