"""A free loopback port for a server this machine starts (refapp, Appium, a proxy, a test's own server)."""

from __future__ import annotations

import functools
import random
import socket
from pathlib import Path

_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
_SPAN = 12_000  # ports tried below the ephemeral range
_TRIES = 50
_draw = random.SystemRandom()


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` now; the caller binds it soon (another process could take it first).

    Drawn below the kernel's ephemeral range where the kernel says what that is: ports in it are also what every
    outgoing connection gets, so a load run's thousands of connections could take a port handed out here before
    its server binds it (a flake seen in CI as a `loanqa run` that never started)."""
    span = _below_ephemeral()
    for port in (_draw.randint(*span) for _ in range(_TRIES)) if span else ():
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind((host, 0))
        chosen: int = s.getsockname()[1]
        return chosen


@functools.cache  # the kernel's setting, read once per process
def _below_ephemeral() -> tuple[int, int] | None:
    try:
        low = int(_EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return (max(1024, low - _SPAN), low - 1) if low > 1024 + 1000 else None
