"""Which address a borrower dials, and which Host (and TLS name) it keeps, per network profile.

A Toxiproxy proxy is a plain TCP relay: the borrower dials the proxy's listen address and the bytes reach
the target unchanged. For http the Host header is set to the target's; for https the same Host header also
becomes the TLS SNI name, because geventhttpclient (FastHttpUser's client) takes `server_hostname` from the
default `Host` header when it builds the TLS connection. So certificates and virtual hosts on staging see
the original name while the packets go through the weak link.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from loanqa.errors import ConfigError

DIRECT = "direct"


@dataclass(frozen=True)
class Route:
    profile: str
    base_url: str
    host_header: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Host": self.host_header} if self.host_header else {}


def target_parts(target: str) -> tuple[str, str, int]:
    """(scheme, host, port) of the target URL, with the scheme's default port filled in."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("--target", "", target, "must be an http:// or https:// URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port


def upstream_of(target: str) -> str:
    """`host:port` Toxiproxy relays to."""
    _, host, port = target_parts(target)
    return f"{host}:{port}"


def route_via(profile: str, target: str, listen: str) -> Route:
    """The borrower dials `listen` (host:port of the proxy) and keeps the target's Host/SNI."""
    scheme, host, port = target_parts(target)
    default = 443 if scheme == "https" else 80
    original = host if port == default else f"{host}:{port}"
    return Route(profile, f"{scheme}://{listen}", original)


def direct_route(target: str) -> Route:
    target_parts(target)
    return Route(DIRECT, target.rstrip("/"))


def routes_to_json(routes: dict[str, Route]) -> str:
    return json.dumps({name: asdict(r) for name, r in routes.items()}, sort_keys=True)


def routes_from_json(text: str) -> dict[str, Route]:
    try:
        data = json.loads(text)
        return {name: Route(**fields) for name, fields in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError("--loanqa-routes", "", text[:80], f"not a routes map: {exc}") from None
