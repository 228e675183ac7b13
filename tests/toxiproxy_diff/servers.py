"""Start a real or embedded Toxiproxy API server on a free loopback port, and find the real one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from loanqa.ports import free_port

REPO = Path(__file__).resolve().parents[2]
REFERENCE_VARS = ("LOANQA_TOXIPROXY_REFERENCE", "LOANQA_TOXIPROXY_SERVER")
DEFAULT_REAL = REPO.parent / "shared" / "tools" / "toxiproxy-2.12.0"


def real_binary(name: str = "toxiproxy-server") -> Path | None:
    """LOANQA_TOXIPROXY_REFERENCE, else LOANQA_TOXIPROXY_SERVER (the binary or its folder); None when neither is set.

    The reference variable names a real server for the differential tests only, so the rest of the suite
    (every `loanqa up`, load and device run) keeps testing the embedded server users get by default.
    """
    var = next((v for v in REFERENCE_VARS if os.environ.get(v)), None)
    if var is None:
        return None
    explicit = os.environ[var]
    path = Path(explicit)
    folder = path if path.is_dir() else path.parent
    found = folder / name
    if not (found.is_file() and os.access(found, os.X_OK)):
        raise FileNotFoundError(f"{var}={explicit}: no executable {name} there")
    return found


def real_url() -> str | None:
    url = os.environ.get("TOXIPROXY_URL")
    return url.rstrip("/") if url else None


def wait_ready(url: str, proc: subprocess.Popen[bytes] | None, deadline_s: float = 20) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before answering {url}/version")
        try:
            if httpx.get(f"{url}/version", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)  # poll interval of the readiness check, bounded by the deadline
    raise TimeoutError(f"{url}/version did not answer within {deadline_s}s")


@contextmanager
def running(argv_for_port: list[str]) -> Iterator[str]:
    """Run `argv + [host/port flags]` until the block ends; yields its base URL."""
    port = free_port()
    argv = [*argv_for_port, "-host", "127.0.0.1", "-port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextmanager
def embedded() -> Iterator[str]:
    with running([sys.executable, "-m", "loanqa_netprofiles.server"]) as url:
        yield url


@contextmanager
def real() -> Iterator[str]:
    """The real server: TOXIPROXY_URL if set (must be otherwise unused), else the reference binary started here."""
    url = real_url()
    if url is not None:
        wait_ready(url, None, 5)
        yield url
        return
    binary = real_binary()
    if binary is None:
        raise RuntimeError(f"no real Toxiproxy: set {' or '.join(REFERENCE_VARS)} or TOXIPROXY_URL")
    with running([str(binary)]) as started:
        yield started


def have_real() -> bool:
    return real_url() is not None or real_binary() is not None
