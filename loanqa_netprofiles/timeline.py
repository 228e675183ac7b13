"""Outage schedules: when a timeline is down (pure), and a daemon thread that drives it in real time.

Driven by a monotonic clock and woken by an Event rather than a sleep loop, so a transition lands
within a few milliseconds of its schedule and `stop()` returns at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from loanqa_netprofiles.models import Timeline


def is_down(tl: Timeline, t: float) -> bool:
    if t < tl.offset_s:
        return False
    if tl.every_s is None:
        return t < tl.offset_s + tl.down_s
    return (t - tl.offset_s) % tl.every_s < tl.down_s


def next_change(tl: Timeline, t: float) -> float | None:
    """The first transition strictly after `t` (seconds since start); None when there is none."""
    if t < tl.offset_s:
        return tl.offset_s
    if tl.every_s is None:
        end = tl.offset_s + tl.down_s
        return end if t < end else None
    start = tl.offset_s + math.floor((t - tl.offset_s) / tl.every_s) * tl.every_s
    return start + tl.down_s if t < start + tl.down_s else start + tl.every_s


@dataclass
class Transition:
    at: float  # seconds since the driver started, measured
    scheduled: float
    down: bool


@dataclass
class TimelineDriver:
    """Calls `on_down`/`on_up` at the timeline's transitions until stopped; restores `up` on stop."""

    timeline: Timeline
    on_down: Callable[[], None]
    on_up: Callable[[], None]
    clock: Callable[[], float] = time.monotonic
    name: str = "timeline"
    transitions: list[Transition] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.down = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"loanqa-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self.down:
            self._switch(False, self.transitions[-1].scheduled if self.transitions else 0.0, 0.0)

    def wait(self, seconds: float) -> bool:
        """True when stopped; tests replace this to advance a fake clock."""
        return self._stop.wait(seconds)

    def run(self) -> None:
        t0 = self.clock()
        while not self._stop.is_set():
            now = self.clock() - t0
            target = next_change(self.timeline, now)
            if is_down(self.timeline, now) != self.down:
                self._switch(not self.down, self._last_edge(now), now)
            if target is None:
                while not self.wait(3600.0):
                    pass
                return
            if self.wait(max(0.0, target - (self.clock() - t0))):
                return

    def _last_edge(self, now: float) -> float:
        """The scheduled time of the transition just passed (for the fidelity figures)."""
        t, prev = 0.0, 0.0
        while True:
            nxt = next_change(self.timeline, t)
            if nxt is None or nxt > now:
                return prev
            prev, t = nxt, nxt

    def _switch(self, down: bool, scheduled: float, now: float) -> None:
        try:
            (self.on_down if down else self.on_up)()
        except Exception as exc:  # a failed switch must not kill the schedule; reported via errors
            self.errors.append(exc)
        self.down = down
        self.transitions.append(Transition(now, scheduled, down))
