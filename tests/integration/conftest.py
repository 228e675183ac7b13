"""Real components on loopback, started once per session (per xdist worker) and always torn down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from loanqa.config.project import StackConfig
from loanqa.ports import free_port
from loanqa.stack.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A private stack: own state dir, own free ports; components start on first use."""
    cfg = StackConfig(refapp_port=free_port(), toxiproxy_port=free_port(), appium_port=free_port(),
                      ready_timeout_s=90)
    st = Stack(cfg, tmp_path_factory.mktemp("loanqa-state"))
    yield st
    st.down()


@pytest.fixture(scope="session")
def refapp_url(stack: Stack) -> str:
    """Base URL of a real refapp (uvicorn, SQLite) with default settings."""
    (ep,) = stack.up(["refapp"])
    return ep.url


@pytest.fixture(scope="session")
def toxiproxy_url(stack: Stack) -> str:
    """TOXIPROXY_URL if set (a real toxiproxy-server), else the embedded server started here."""
    external = os.environ.get("TOXIPROXY_URL")
    if external:
        return external.rstrip("/")
    (ep,) = stack.up(["toxiproxy"])
    return ep.url


@pytest.fixture(scope="session")
def appium_url(stack: Stack) -> str:
    """A real Appium 3 server with the chromium driver (installed by ci/setup.sh; missing = error)."""
    (ep,) = stack.up(["appium"])
    return ep.url


@pytest.fixture(scope="session")
def state_dir(stack: Stack) -> Path:
    return stack.state_dir
