"""A free loopback port for a server this machine starts (refapp, Appium, a proxy, a test's own server)."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS just handed out on `host`; the caller binds it soon (another process could take it first)."""
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port
