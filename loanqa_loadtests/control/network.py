"""Proxies for a network mix, one per profile, created before the run and removed whatever happens.

Runs in the controlling process (the `loanqa load` CLI, or the Locust master for plain `locust -f`),
never in the load processes: they only receive the routes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from loanqa_loadtests.control.proxy_place import ProxyPlacement
from loanqa_loadtests.model.routing import Route, route_via, upstream_of
from loanqa_netprofiles.control import NetworkController, NetworkMix, Profile, load_mix, load_profile


@dataclass(frozen=True)
class CheckedMix:
    """A network mix and every profile it names, read once: the run's proxies and its live view both use it."""

    mix: NetworkMix
    profiles: dict[str, Profile]

    @property
    def name(self) -> str:
        return self.mix.name


def checked_mix(mix_name: str, profiles_dir: Path | None = None) -> CheckedMix:
    """Loaded before anything is started, so a typo in the mix or one of its profiles fails first."""
    mix = load_mix(mix_name, profiles_dir)
    return CheckedMix(mix, {name: load_profile(name, profiles_dir) for name in mix.weights})


@contextmanager
def mix_routes(mix: CheckedMix, target: str, toxiproxy_url: str, *, run_id: str, state_dir: Path | None = None,
               placement: ProxyPlacement | None = None) -> Iterator[dict[str, Route]]:
    """Profile → route; the NetworkController also drives each profile's timeline.

    Proxies listen where `placement` binds them; routes dial them at the placement's host.
    """
    place = placement or ProxyPlacement()
    place.check_room(len(mix.profiles), mix.name)
    upstream = upstream_of(target)
    with NetworkController(toxiproxy_url, run_id=run_id, state_dir=state_dir) as ctl:
        routes: dict[str, Route] = {}
        for index, (name, profile) in enumerate(mix.profiles.items()):
            applied = ctl.apply(profile, upstream, listen=place.listen(index))
            route = route_via(name, target, place.dial(applied.listen), mix.mix.weights[name])
            tl = profile.timeline
            routes[name] = route if tl is None else replace(route, outage=(tl.every_s, tl.down_s, tl.offset_s),
                                                            outage_t0=time.time())
        yield routes
