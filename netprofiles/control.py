"""The one public way to put a network profile in front of a service (loadtests and devicetests use it).

A controller owns only what it creates: proxies named `loanqa-<run_id>-<profile>`, recorded in the
ledger before they exist, removed on `clear()` / context exit, also when the body raised. Signal
handling is left to the CLI: a library must not take SIGTERM from a test runner.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from loanqa import paths
from netprofiles.catalog import list_profiles, load_mix, load_profile
from netprofiles.ledger import Ledger
from netprofiles.models import NetworkMix, Profile, ToxicBase, attributes
from netprofiles.timeline import TimelineDriver
from netprofiles.toxiproxy_client import ToxicInfo, ToxiproxyClient, ToxiproxyError

__all__ = ["AppliedProfile", "NetworkController", "NetworkMix", "Profile", "attributes", "clear_recorded",
           "list_profiles", "load_mix", "load_profile"]

OUTAGE_TOXICS = ("loanqa_outage_up", "loanqa_outage_down")


@dataclass(frozen=True)
class AppliedProfile:
    profile_name: str
    proxy_name: str
    listen: str
    upstream: str


def toxic_infos(profile: Profile) -> list[ToxicInfo]:
    """The profile's toxics as API calls; unnamed ones get `<type>_<stream>_<n>` so repeats don't clash."""
    out: list[ToxicInfo] = []
    for stream, specs in (("upstream", profile.upstream), ("downstream", profile.downstream)):
        for i, spec in enumerate(specs):
            out.append(_info(spec, stream, spec.name or f"{spec.type}_{stream}_{i}"))
    return out


def _info(spec: ToxicBase, stream: str, name: str) -> ToxicInfo:
    kind = spec.model_dump()["type"]
    return ToxicInfo(kind, attributes(spec), stream, spec.toxicity, name)


class NetworkController:
    def __init__(self, toxiproxy_url: str, *, run_id: str | None = None, state_dir: Path | None = None) -> None:
        self.client = ToxiproxyClient(toxiproxy_url)
        self.run_id = run_id or secrets.token_hex(4)
        self.ledger = Ledger(state_dir if state_dir is not None else paths.state_dir())
        self.applied: list[AppliedProfile] = []
        self.drivers: list[TimelineDriver] = []
        self._names = threading.Lock()
        self._reserved: set[str] = set()

    def apply(self, profile: Profile, upstream: str, *, listen: str = "127.0.0.1:0") -> AppliedProfile:
        """Create the proxy, add the toxics, start the timeline; on any failure undo all of it."""
        name = self._proxy_name(profile.name)
        url = self.client.url
        self.ledger.record(name, self.run_id, url)
        try:
            info = self.client.create_proxy(name, upstream, listen)
        except BaseException:
            self.ledger.forget(name, url)  # e.g. ProxyExistsError: someone else's, never ours to delete
            raise
        self.ledger.record(name, self.run_id, url, info.listen)
        applied = AppliedProfile(profile.name, name, info.listen, upstream)
        self.applied.append(applied)
        try:
            for toxic in toxic_infos(profile):
                self.client.add_toxic(name, toxic)
            if profile.timeline is not None:
                self._start_timeline(profile, name)
        except BaseException:
            self._remove(applied)
            raise
        return applied

    def _proxy_name(self, profile_name: str) -> str:
        """A name unique within this run, reserved under a lock (load users apply from many threads)."""
        base = f"loanqa-{self.run_id}-{profile_name}"
        with self._names:
            name, n = base, 2
            while name in self._reserved:
                name, n = f"{base}-{n}", n + 1
            self._reserved.add(name)
        return name

    def _start_timeline(self, profile: Profile, proxy: str) -> None:
        assert profile.timeline is not None
        if profile.timeline.mode == "refuse":
            def down() -> None:
                self.client.set_enabled(proxy, False)

            def up() -> None:
                self.client.set_enabled(proxy, True)
        else:
            def down() -> None:
                for name, stream in zip(OUTAGE_TOXICS, ("upstream", "downstream"), strict=True):
                    self.client.add_toxic(proxy, ToxicInfo("timeout", {"timeout": 0}, stream, 1.0, name))

            def up() -> None:
                for name in OUTAGE_TOXICS:
                    self.client.remove_toxic(proxy, name)
        driver = TimelineDriver(profile.timeline, down, up, name=proxy)
        self.drivers.append(driver)
        driver.start()

    def clear(self) -> None:
        """Stop timelines, then remove every proxy this controller or its run_id created."""
        for driver in self.drivers:
            driver.stop()
        self.drivers.clear()
        errors: list[ToxiproxyError] = []
        for applied in list(self.applied):
            try:
                self._remove(applied)
            except ToxiproxyError as exc:
                errors.append(exc)
        errors += _clear_recorded(self.client, self.ledger, self.run_id)[1]
        if errors:
            raise errors[0]

    def _remove(self, applied: AppliedProfile) -> None:
        self.client.delete_proxy(applied.proxy_name)
        self.ledger.forget(applied.proxy_name, self.client.url)
        with contextlib.suppress(ValueError):
            self.applied.remove(applied)

    def __enter__(self) -> NetworkController:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.clear()
        except ToxiproxyError:
            if exc is None:
                raise  # don't hide the body's own exception behind a cleanup error


def clear_recorded(toxiproxy_url: str, state_dir: Path | None = None,
                   run_id: str | None = None) -> tuple[list[str], list[ToxiproxyError]]:
    """Delete the ledger's proxies on this server (one run, or all); returns (removed, errors)."""
    ledger = Ledger(state_dir if state_dir is not None else paths.state_dir())
    return _clear_recorded(ToxiproxyClient(toxiproxy_url), ledger, run_id)


def _clear_recorded(client: ToxiproxyClient, ledger: Ledger,
                    run_id: str | None) -> tuple[list[str], list[ToxiproxyError]]:
    removed: list[str] = []
    errors: list[ToxiproxyError] = []
    for entry in ledger.entries(run_id):
        if entry.toxiproxy_url != client.url:
            continue
        try:
            current = client.get_proxy(entry.proxy)
            if current is not None and (entry.listen is None or current.listen == entry.listen):
                client.delete_proxy(entry.proxy)
                removed.append(entry.proxy)
            ledger.forget(entry.proxy, client.url)
        except ToxiproxyError as exc:
            errors.append(exc)
    return removed, errors
