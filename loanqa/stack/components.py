"""The components `loanqa up` manages, and how each one starts: refapp, Toxiproxy, Appium.

Swapping an embedded default for the real thing is a URL: TOXIPROXY_URL points at a running
Toxiproxy, and a `toxiproxy-server` on PATH is preferred over the embedded one.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from loanqa import atomic, tools
from loanqa.config.project import StackConfig
from loanqa.masking import appium_log_filters
from loanqa.stack.process import ProcessSpec


@dataclass(frozen=True)
class RefappOptions:
    database_url: str | None = None
    settings_file: Path | None = None


def refapp_spec(cfg: StackConfig, state_dir: Path, opts: RefappOptions | None = None) -> ProcessSpec:
    opts = opts or RefappOptions()
    db = opts.database_url or f"sqlite:///{state_dir / 'refapp.sqlite3'}"
    argv = [sys.executable, "-m", "loanqa_refapp", "--host", cfg.host, "--port", str(cfg.refapp_port),
            "--database-url", db]
    if opts.settings_file is not None:
        argv += ["--settings", str(opts.settings_file)]
    return ProcessSpec("refapp", argv, cfg.refapp_port, f"http://{cfg.host}:{cfg.refapp_port}/healthz")


def toxiproxy_spec(cfg: StackConfig) -> ProcessSpec:
    real = tools.toxiproxy_server()
    if real is not None:
        argv = [str(real), "-host", cfg.host, "-port", str(cfg.toxiproxy_port)]
    else:
        argv = [sys.executable, "-m", "loanqa_netprofiles.server", "--host", cfg.host, "--port",
                str(cfg.toxiproxy_port)]
    return ProcessSpec("toxiproxy", argv, cfg.toxiproxy_port, f"http://{cfg.host}:{cfg.toxiproxy_port}/version")


def appium_spec(cfg: StackConfig, state_dir: Path | None = None) -> ProcessSpec:
    """With a state dir, Appium's log is masked too (`--log-filters`): it logs every proxied WebDriver body,
    so what tests type (phone, name, ID number) would otherwise reach the log file verbatim."""
    argv = [str(tools.appium()), "--address", cfg.host, "--port", str(cfg.appium_port),
            "--log-no-colors", "--log-timestamp", "--local-timezone"]
    if state_dir is not None:
        # A file: Appium splits an inline value of this array option at commas before parsing it as JSON.
        rules = atomic.write_text(state_dir / "appium-log-filters.json", json.dumps(appium_log_filters()))
        argv += ["--log-filters", str(rules)]
    env = {"APPIUM_HOME": str(tools.appium_home())}
    return ProcessSpec("appium", argv, cfg.appium_port, f"http://{cfg.host}:{cfg.appium_port}/status", env=env)


def external_toxiproxy_url() -> str | None:
    """TOXIPROXY_URL names a Toxiproxy the user runs; loanqa then starts none of its own."""
    url = os.environ.get("TOXIPROXY_URL")
    return url.rstrip("/") if url else None
