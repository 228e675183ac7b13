"""The live view of `loanqa load` on the terminal, drawn from the `live.json` the Locust side rewrites.

Runs in the controlling process (never imports Locust). On a terminal: a rich panel refreshed every
interval; with `--quiet` or without a TTY (CI logs): one progress line per interval.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from loanqa_loadtests.model import live_snapshot
from loanqa_loadtests.model.live_snapshot import LiveSnapshot
from loanqa_netprofiles.control import Profile

Phases = Callable[[float], dict[str, str]]


def timeline_phases(profiles: dict[str, Profile], since: float) -> Phases:
    """Current phase of every timed profile (subway outage …), seconds after its proxies were made."""
    timed = {name: p.timeline for name, p in profiles.items() if p.timeline is not None}

    def phases(now: float) -> dict[str, str]:
        t = now - since
        out = {}
        for name, tl in timed.items():
            into = t - tl.offset_s
            down = into >= 0 and (into % tl.every_s if tl.every_s else into) < tl.down_s
            out[name] = f"outage ({tl.mode})" if down else "up"
        return out

    return phases


def progress_line(s: LiveSnapshot, phases: dict[str, str]) -> str:
    missed = [x.name for x in s.slos if x.verdict == "failed"]
    short = sum(1 for x in s.slos if x.verdict == "insufficient")
    causes = ", ".join(f"{c} {n}" for c, n in sorted(s.lost_by_cause.items(), key=lambda kv: -kv[1])) or "none"
    down = [p for p, ph in phases.items() if ph != "up"]
    return (f"loanqa: {s.elapsed_s:.0f}s/{s.duration_s:.0f}s users {s.users}/{s.target_users} ({s.stage}) "
            f"{s.rps:.1f} req/s | journeys started {s.journeys_started}, finished {s.journeys_finished}, "
            f"paid {s.paid}, lost {s.lost}, "
            f"rejected {s.rejected}, on the app {s.in_flight} | lost by cause: {causes}"
            + (f" | outage now: {', '.join(down)}" if down else "")
            + f" | SLOs missed {len(missed)}/{len(s.slos)}" + (f" ({', '.join(missed)})" if missed else "")
            + (f", {short} with too few samples so far" if short else "")
            + (f" | STOPPING: {s.stopping}" if s.stopping else ""))


def render(s: LiveSnapshot, phases: dict[str, str]) -> Group:
    head = Text(f"{s.elapsed_s:.0f}s elapsed, {s.remaining_s:.0f}s left · users {s.users} (target "
                f"{s.target_users}, {s.stage}) · {s.rps:.1f} req/s · {s.requests} requests")
    journeys = Text(f"journeys started {s.journeys_started} · finished {s.journeys_finished} · paid {s.paid} · "
                    f"business rejections {s.rejected} · "
                    f"lost {s.lost} · borrowers on the app now {s.in_flight}")
    lost = Table("lost by cause", "n", "lost by profile", "n", "timed profile", "phase", box=None)
    causes = sorted(s.lost_by_cause.items(), key=lambda kv: -kv[1])
    profiles = sorted(s.lost_by_profile.items(), key=lambda kv: -kv[1])
    timed = sorted(phases.items())
    for i in range(max(len(causes), len(profiles), len(timed))):
        c = causes[i] if i < len(causes) else ("", "")
        p = profiles[i] if i < len(profiles) else ("", "")
        t = timed[i] if i < len(timed) else ("", "")
        lost.add_row(c[0], str(c[1]), p[0], str(p[1]), t[0], t[1])
    slos = Table("SLO", "now", "objective", "samples (n/floor)", "verdict", box=None)
    for x in s.slos:
        style = {"passed": "green", "failed": "red"}.get(x.verdict, "yellow")
        slos.add_row(x.name + (" (abort)" if x.abort else ""), "no data" if x.actual is None else f"{x.actual:.4g}",
                     x.objective, x.samples_text, Text(x.verdict, style=style))
    parts: list[Text | Table] = [head, journeys, lost, slos]
    if s.stopping:
        parts.append(Text(f"stopping: {s.stopping}", style="bold red"))
    return Group(*parts)


@dataclass
class LiveView:
    """A daemon thread: it only reads files, so it can never hold the run up."""

    folder: Path
    interval_s: float
    quiet: bool
    phases: Phases = lambda now: {}
    stream: TextIO | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _seen: float = -1.0

    def __enter__(self) -> LiveView:
        self._thread = threading.Thread(target=self._run, name="loanqa-live-view", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _fresh(self) -> LiveSnapshot | None:
        snap = live_snapshot.read(self.folder)
        if snap is None or snap.elapsed_s == self._seen:
            return None
        self._seen = snap.elapsed_s
        return snap

    def _run(self) -> None:
        console = Console(file=self.stream, highlight=False)
        if self.quiet or not console.is_terminal:
            while not self._stop.wait(self.interval_s):
                snap = self._fresh()
                if snap is not None:
                    console.print(progress_line(snap, self.phases(time.time())), markup=False, soft_wrap=True)
            return
        with Live(Text("loanqa: waiting for the first borrowers…"), console=console, auto_refresh=False) as live:
            while not self._stop.wait(self.interval_s / 3):
                snap = self._fresh()
                if snap is not None:
                    live.update(render(snap, self.phases(time.time())), refresh=True)
