"""Where a run's proxies listen inside Toxiproxy, and the address borrowers (workers) dial to reach them.

Alone on one machine both are 127.0.0.1. With workers on other hosts (Kubernetes), Toxiproxy binds an
address of its own pod (`--proxy-bind 0.0.0.0`) on ports a Service exposes (`--proxy-ports`), and
workers dial the Service's name (`--proxy-host toxiproxy`): the dial name is not an address Toxiproxy
could bind, so a name needs an explicit bind address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from loanqa.errors import MISSING, ConfigError

LOOPBACK = "127.0.0.1"
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")


@dataclass(frozen=True)
class ProxyPlacement:
    host: str = LOOPBACK
    bind: str = LOOPBACK
    first_port: int = 0  # 0: Toxiproxy picks free ports
    last_port: int = 0

    @property
    def port_count(self) -> int | None:
        return self.last_port - self.first_port + 1 if self.first_port else None

    def listen(self, index: int) -> str:
        """Toxiproxy's listen address for the run's `index`-th proxy."""
        return join_host_port(self.bind, self.first_port + index if self.first_port else 0)

    def dial(self, listen: str) -> str:
        """What borrowers dial for the proxy Toxiproxy reports listening on `listen`."""
        return join_host_port(self.host, int(listen.rsplit(":", 1)[1]))

    def check_room(self, proxies: int, mix: str) -> None:
        count = self.port_count
        if count is not None and count < proxies:
            raise ConfigError("--proxy-ports", "", f"{self.first_port}-{self.last_port}",
                              f"mix {mix} needs {proxies} proxies, the range has {count} ports")


def join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def placement(host: str = LOOPBACK, bind: str | None = None, ports: str | None = None) -> ProxyPlacement:
    """Validated flags; `bind` defaults to `host` when that is an IP address."""
    host = _host(host)
    if bind is None:
        if not _is_ip(host):
            raise ConfigError("--proxy-bind", "", MISSING,
                              f"required when --proxy-host is a name ({host!r}): the IP address proxies listen on "
                              "inside Toxiproxy, e.g. 0.0.0.0")
        bind = host
    elif not _is_ip(bind):
        raise ConfigError("--proxy-bind", "", bind, "must be an IP address of the Toxiproxy host, e.g. 0.0.0.0")
    first, last = _ports(ports) if ports else (0, 0)
    return ProxyPlacement(host, bind.strip("[]"), first, last)


def _host(host: str) -> str:
    bare = host.strip("[]") if host.startswith("[") else host
    if not (_is_ip(bare) or _HOSTNAME.fullmatch(bare)) or _unspecified(bare):
        raise ConfigError("--proxy-host", "", host,
                          "must be the name or IP address workers dial (no scheme, port or path; not 0.0.0.0)")
    return bare


def _unspecified(host: str) -> bool:
    return _is_ip(host) and ipaddress.ip_address(host).is_unspecified


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _ports(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?", text.strip())
    first, last = (int(m[1]), int(m[2] or m[1])) if m else (0, 0)
    if not m or not 1 <= first <= last <= 65535:
        raise ConfigError("--proxy-ports", "", text, "use PORT or FIRST-LAST within 1-65535, FIRST <= LAST")
    return first, last
