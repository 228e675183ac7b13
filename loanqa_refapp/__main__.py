"""`python -m loanqa_refapp --host H --port P --database-url sqlite:///FILE [--settings FILE.yaml]`."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from loanqa.errors import LoanQAError
from loanqa_refapp.app import create_app
from loanqa_refapp.pii import configure_logging
from loanqa_refapp.settings import load_settings


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loanqa_refapp", description="Reference mobile-loan service + H5 app.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8600)
    p.add_argument("--database-url", default="sqlite:///.loanqa/refapp.sqlite3")
    p.add_argument("--settings", help="settings YAML (see refapp/CONTRACT.md)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    configure_logging()
    try:
        app = create_app(load_settings(args.settings), args.database_url)
    except LoanQAError as err:
        print(f"refapp: error: {err}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=5, backlog=2048)
    return 0


if __name__ == "__main__":
    sys.exit(main())
