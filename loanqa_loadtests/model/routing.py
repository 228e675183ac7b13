"""Which address a borrower dials, and which Host (and TLS name) it keeps, per network profile.

A Toxiproxy proxy is a plain TCP relay: the borrower dials the proxy's listen address and the bytes reach
the target unchanged. The session's default `Host` header is the target's, and for https the TLS SNI name
is too: geventhttpclient (FastHttpUser's client) passes `ssl_options={"server_hostname": ...}` to the TLS
handshake. So staging's SNI routing and virtual hosts see the original name while the packets go through
the weak link. Borrowers do not verify certificates (`insecure=True`, Locust's default): staging often
has its own CA, and a load test is not a TLS audit.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from loanqa.errors import ConfigError
from loanqa.target import TargetURL

DIRECT = "direct"


@dataclass(frozen=True)
class Route:
    profile: str
    base_url: str
    host_header: str | None = None
    weight: float = 1.0
    outage: tuple[float | None, float, float] | None = None  # the profile's timeline: every_s, down_s, offset_s
    outage_t0: float | None = None  # wall-clock time its driver started

    def phase_at(self, t: float) -> str | None:
        """`outage` or `up` for a profile with a timeline (netprofiles' schedule), None for a steady link."""
        if self.outage is None or self.outage_t0 is None:
            return None
        every, down, offset = self.outage
        since = t - self.outage_t0 - offset
        if since < 0:
            return "up"
        return "outage" if (since % every if every else since) < down else "up"

    @property
    def headers(self) -> dict[str, str]:
        return {"Host": self.host_header} if self.host_header else {}

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for FastHttpSession: Host header, and the SNI name for https."""
        if not self.host_header:
            return {}
        opts: dict[str, Any] = {"headers": self.headers}
        if self.base_url.startswith("https://"):
            opts["ssl_options"] = {"server_hostname": self.host_header.rsplit(":", 1)[0]}
        return opts


def upstream_of(target: str) -> str:
    """`host:port` Toxiproxy relays to."""
    return TargetURL.parse(target).upstream


@dataclass(frozen=True)
class RouteMix:
    """The mix's routes with their weights summed once: `random.choices(routes, weights)` re-sums them per call."""

    routes: tuple[Route, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, routes: Sequence[Route]) -> RouteMix:
        if not routes:
            raise ValueError("a mix needs at least one route")
        return cls(tuple(routes), tuple(itertools.accumulate(r.weight for r in routes)))

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)


def pick_route(mix: RouteMix, rng: random.Random) -> Route:
    """One profile per borrower, by the mix's weights: the draw `random.choices` makes, one `random()` each."""
    cum = mix.cum_weights
    return mix.routes[bisect.bisect(cum, rng.random() * cum[-1], 0, len(cum) - 1)]


def route_via(profile: str, target: str, listen: str, weight: float = 1.0) -> Route:
    """The borrower dials `listen` (host:port of the proxy) and keeps the target's Host/SNI and base path."""
    parsed = TargetURL.parse(target)
    return Route(profile, parsed.via(listen), parsed.host_header, weight)


def direct_route(target: str) -> Route:
    TargetURL.parse(target)
    return Route(DIRECT, target.rstrip("/"))


def routes_to_json(routes: dict[str, Route]) -> str:
    return json.dumps({name: asdict(r) for name, r in routes.items()}, sort_keys=True)


def routes_from_json(text: str) -> dict[str, Route]:
    try:
        data = json.loads(text)
        return {name: Route(**fields) for name, fields in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError("--loanqa-routes", "", text[:80], f"not a routes map: {exc}") from None
