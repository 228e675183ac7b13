"""Listen addresses as Go's net package parses, resolves and prints them, with its error wording.

`resolve` is what toxiproxy does before changing a proxy (errors like `address nonsense: missing port
in address`); `bind` is net.Listen("tcp", ...) (errors prefixed `listen tcp: ` or, once resolved,
`listen tcp 127.0.0.1:8474: bind: address already in use`). A wildcard host listens dual-stack and
prints as `[::]:port`, as a Go listener does.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from loanqa_netprofiles.server.errors import ApiError

BACKLOG = 4096


class AddressError(Exception):
    pass


@dataclass(frozen=True)
class Resolved:
    host: str  # "" is the wildcard
    port: int

    @property
    def family(self) -> socket.AddressFamily:
        return socket.AF_INET6 if not self.host or ":" in self.host else socket.AF_INET

    def text(self) -> str:
        """As Go prints a TCPAddr: an empty host prints as nothing (`:8474`)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def split_host_port(hostport: str) -> tuple[str, str]:
    def bad(why: str) -> AddressError:
        return AddressError(f"address {hostport}: {why}")

    i = hostport.rfind(":")
    if i < 0:
        raise bad("missing port in address")
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise bad("missing ']' in address")
        if end + 1 == len(hostport):
            raise bad("missing port in address")
        if end + 1 != i:
            raise bad("too many colons in address" if hostport[end + 1] == ":" else "missing port in address")
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            raise bad("too many colons in address")
    if "[" in hostport[j:]:
        raise bad("unexpected '[' in address")
    if "]" in hostport[k:]:
        raise bad("unexpected ']' in address")
    return host, hostport[i + 1:]


def _port(service: str) -> int:
    if service == "":
        return 0
    digits = service[1:] if service[0] in "+-" else service
    if digits.isascii() and digits.isdigit():
        value = int(digits) * (-1 if service[0] == "-" else 1)
        if not 0 <= value <= 65535:
            raise AddressError(f"address {service}: invalid port")
        return value
    try:
        return socket.getservbyname(service, "tcp")
    except OSError:
        raise AddressError(f"lookup tcp/{service}: unknown port") from None


def _hosts_file(name: str) -> str | None:
    """Go's resolver reads /etc/hosts first; the first IPv4 address wins for a "tcp" listener."""
    try:
        lines = Path("/etc/hosts").read_text().splitlines()
    except OSError:
        lines = []
    found: list[str] = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) > 1 and name.lower() in (f.lower() for f in fields[1:]):
            found.append(fields[0])
    if name.lower() == "localhost" and not found:
        found = ["127.0.0.1"]
    v4 = [a for a in found if ":" not in a]
    return (v4 or found)[0] if found else None


def resolve(address: str) -> Resolved:
    if address == "":
        return Resolved("", 0)
    host, service = split_host_port(address)
    port = _port(service)
    if host == "":
        return Resolved("", port)
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        found = _hosts_file(host)
        if found is None:
            raise AddressError(f"lookup {host}: no such host") from None
        return Resolved(found, port)
    if ip.is_unspecified:
        return Resolved("", port)
    return Resolved(str(ip), port)


def bind(address: str) -> tuple[socket.socket, str]:
    """A listening socket and the address Go would report for it; ApiError(500) in Go's words."""
    try:
        where = resolve(address)
    except AddressError as exc:
        raise ApiError(f"listen tcp: {exc}", 500) from None
    sock = socket.socket(where.family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if where.family == socket.AF_INET6 and not where.host:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((where.host or "::", where.port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        text = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ApiError(f"listen tcp {where.text()}: bind: {text[:1].lower()}{text[1:]}", 500) from None
    sock.setblocking(False)
    host, port = sock.getsockname()[:2]
    shown = Resolved("::" if not where.host else host, port)
    return sock, shown.text()
