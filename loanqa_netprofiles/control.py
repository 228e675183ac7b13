"""The one public way to put a network profile in front of a service (loadtests and devicetests use it).

A controller owns only what it creates: proxies named `loanqa-<run_id>-<profile>`, recorded in the
ledger before they exist, removed on `clear()` / context exit, also when the body raised. Signal
handling is left to the CLI: a library must not take SIGTERM from a test runner.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from loanqa import paths
from loanqa.process_group import pid_alive
from loanqa_netprofiles.catalog import list_profiles, load_mix, load_profile
from loanqa_netprofiles.ledger import Entry, Ledger
from loanqa_netprofiles.models import NetworkMix, Profile, ToxicBase, attributes
from loanqa_netprofiles.timeline import TimelineDriver
from loanqa_netprofiles.toxiproxy_client import ServerGoneError, ToxicInfo, ToxiproxyClient, ToxiproxyError

__all__ = ["AppliedProfile", "Cleared", "NetworkController", "NetworkMix", "Profile", "attributes", "clear_abandoned",
           "clear_recorded",
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

    def clear(self) -> Cleared:
        """Stop timelines, then remove every proxy this controller or its run_id created. Proxies that went with
        a dead server are forgotten (and reported); ones the server could not be asked about stay recorded."""
        for driver in self.drivers:
            driver.stop()
        self.drivers.clear()
        cleared = _clear_recorded(self.client, self.ledger, self.run_id)
        self.applied.clear()
        if cleared.kept:
            raise ToxiproxyError(f"{len(cleared.kept)} proxies of run {self.run_id} may remain on {self.client.url} "
                                 f"({cleared.errors[0]}); they stay recorded: `loanqa net clear --run-id "
                                 f"{self.run_id}` removes them once it answers")
        if cleared.gone_with_server:
            raise ServerGoneError(f"Toxiproxy at {self.client.url} went away during the run (connection refused); "
                                  f"its {len(cleared.gone_with_server)} proxies of run {self.run_id} went with it, "
                                  "nothing is left to remove")
        return cleared

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


def clear_recorded(toxiproxy_url: str, state_dir: Path | None = None, run_id: str | None = None) -> Cleared:
    """Delete the ledger's proxies on this server (one run, or all), forgetting those that no longer exist."""
    ledger = Ledger(state_dir if state_dir is not None else paths.state_dir())
    return _clear_recorded(ToxiproxyClient(toxiproxy_url), ledger, run_id)


def clear_abandoned(state_dir: Path) -> list[Cleared]:
    """Clear the proxies whose recording process is gone (killed before its own clear ran), on every server
    the ledger names; entries of processes still running are theirs to clear."""
    if not Ledger.exists(state_dir):
        return []
    ledger = Ledger(state_dir)
    runs = sorted({(e.toxiproxy_url, e.run_id) for e in ledger.entries() if not pid_alive(e.pid)})
    return [_clear_recorded(ToxiproxyClient(url), ledger, run_id) for url, run_id in runs]


@dataclass
class Cleared:
    """What a clear did with each recorded proxy (of the run, or all); each name is in one list."""

    removed: list[str] = field(default_factory=list)
    gone_with_server: list[str] = field(default_factory=list)  # its server died or restarted: forgotten
    already_gone: list[str] = field(default_factory=list)  # the server no longer has it: forgotten
    not_ours: list[str] = field(default_factory=list)  # that name now listens elsewhere: forgotten, left alone
    kept: list[str] = field(default_factory=list)  # the server could not be asked: still recorded
    other_servers: list[str] = field(default_factory=list)  # `proxy at URL`, recorded on another server: untouched
    errors: list[ToxiproxyError] = field(default_factory=list)


def _clear_recorded(client: ToxiproxyClient, ledger: Ledger, run_id: str | None) -> Cleared:
    cleared = Cleared()
    for entry in ledger.entries(run_id):
        if entry.toxiproxy_url != client.url:
            cleared.other_servers.append(f"{entry.proxy} at {entry.toxiproxy_url}")
            continue
        try:
            outcome = _clear_entry(client, entry)
        except ServerGoneError:
            outcome = "gone_with_server"
        except ToxiproxyError as exc:
            ledger.mark_unreachable(entry.proxy, client.url, str(exc))
            cleared.kept.append(entry.proxy)
            cleared.errors.append(exc)
            continue
        ledger.forget(entry.proxy, client.url)
        getattr(cleared, outcome).append(entry.proxy)
    return cleared


def _clear_entry(client: ToxiproxyClient, entry: Entry) -> str:
    """Which list of `Cleared` the entry goes to; the proxy is deleted only if it is still ours."""
    current = client.get_proxy(entry.proxy)
    if current is None:
        return "gone_with_server" if entry.unreachable else "already_gone"
    if entry.listen is not None and current.listen != entry.listen:
        return "not_ours"
    client.delete_proxy(entry.proxy)
    return "removed"
