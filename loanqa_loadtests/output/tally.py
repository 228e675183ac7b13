"""Counts of step outcomes that merge: every process tallies its own, the master adds them up.

Latencies are kept as millisecond histograms rounded up to two significant digits (as Locust buckets
them, but never understating) so percentiles survive merging across processes and hosts; the wire form is
plain dicts/lists of str and int, which msgpack carries.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from loanqa.events import StepFinished
from loanqa.journey_steps import AFTER_APPROVAL
from loanqa.taxonomy import Cause

STAGES = ("started", "approved", "signed", "disbursed")
TAPS, DISBURSED_AFTER_TAPS = "taps", "disbursed_after_taps"  # funnel counters beside the stages
JOURNEY_FIELDS = ("journey_id", "profile", "phone", "id_number", "device_id", "borrower_id", "loan_id", "outcome",
                  "stage", "last_step", "cause", "since", "false_rejection", "taps")
OUTCOMES = ("paid_out", "business_rejected", "failed", "unfinished")
FAILED_AFTER_APPROVAL = "failed_after_approval"  # beside `failed:<cause>`, not a fifth outcome


def bucket_ms(ms: float) -> int:
    """Two significant digits above 100 ms, like Locust's response-time buckets, but rounded up: a p95 or max
    judged against an SLO must never understate (2049 ms is 2100, never 2000, so `max: 2000` is missed)."""
    if ms < 100.0:  # float bounds: CPython compares a float with an int the slow way
        return math.ceil(ms)
    if ms < 1000.0:
        return math.ceil(ms / 10) * 10
    return math.ceil(ms / 100) * 100


class Histogram(Counter[int]):
    """Requests per millisecond bucket: a Counter whose item store is dict's own. Counter's Python `__delitem__`
    sends every store (`h[ms] += 1`) through a Python-level slot at twice the cost, and every request stores two."""

    __delitem__ = dict.__delitem__  # type: ignore[assignment]


@dataclass
class StepCounts:
    requests: int = 0
    successes: int = 0
    business: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    false_rejections: int = 0
    latency: Counter[int] = field(default_factory=Histogram)

    def merge(self, other: StepCounts) -> None:
        self.requests += other.requests
        self.successes += other.successes
        self.business.update(other.business)
        self.failures.update(other.failures)
        self.false_rejections += other.false_rejections
        self.latency.update(other.latency)

    def to_wire(self) -> dict[str, Any]:
        return {"requests": self.requests, "successes": self.successes, "business": dict(self.business),
                "failures": dict(self.failures), "false_rejections": self.false_rejections,
                "latency": [[ms, n] for ms, n in self.latency.items()]}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> StepCounts:
        return cls(data["requests"], data["successes"], Counter(data["business"]), Counter(data["failures"]),
                   data["false_rejections"], Histogram({int(ms): n for ms, n in data["latency"]}))


@dataclass
class Slot:
    """One second of one profile: what the over-time charts plot."""

    requests: int = 0
    causes: Counter[str] = field(default_factory=Counter)
    latency: Counter[int] = field(default_factory=Histogram)


@dataclass
class Tally:
    steps: dict[str, dict[str, StepCounts]] = field(default_factory=dict)
    funnel: dict[str, Counter[str]] = field(default_factory=dict)
    timeline: dict[int, dict[str, Slot]] = field(default_factory=dict)
    users: dict[int, int] = field(default_factory=dict)
    journeys: list[list[Any]] = field(default_factory=list)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    attempts: int = 0
    started: int = 0  # journeys begun, counted at the start (the funnel counts them when they end)
    # the timeline's second `count` wrote to last, and where it starts: most requests end in the same second
    _second: dict[str, Slot] = field(default_factory=dict, repr=False, compare=False)
    _second_at: float = field(default=-2.0, repr=False, compare=False)

    def add(self, ev: StepFinished) -> None:
        self.count(ev.profile or "direct", ev.step, ev.elapsed_ms, ev.at, ev.cause, ev.false_rejection)

    def count(self, profile: str, step: str, elapsed_ms: float, at: float, cause: Cause | None,
              false_rejection: bool = False) -> None:
        """One step's end, from its fields: `add` for a judged step, called directly for a press answered at once
        (most requests), which then needs no StepFinished. Hot path: look up before constructing, never build
        throw-away counters."""
        ms = math.ceil(elapsed_ms) if elapsed_ms < 100.0 else bucket_ms(elapsed_ms)  # most answers: no call
        steps = self.steps.get(profile) or self.steps.setdefault(profile, {})
        counts = steps.get(step) or steps.setdefault(step, StepCounts())
        counts.requests += 1
        counts.latency[ms] += 1
        if false_rejection:
            counts.false_rejections += 1
        if not 0.0 <= at - self._second_at < 1.0:
            sec = int(at)
            self._second = self.timeline.get(sec) or self.timeline.setdefault(sec, {})
            self._second_at = float(sec)
        second = self._second
        slot = second.get(profile) or second.setdefault(profile, Slot())
        slot.requests += 1
        slot.latency[ms] += 1
        if cause is None:
            counts.successes += 1
            return
        if cause.is_business:
            counts.business[cause.value] += 1
        else:
            counts.failures[cause.value] += 1
        slot.causes[cause.value] += 1

    def stage(self, profile: str, stage: str) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown funnel stage {stage!r}")
        self.funnel.setdefault(profile, Counter())[stage] += 1

    def tapped(self, profile: str, taps: int, *, disbursed: bool) -> None:
        """How much patience a finished journey needed, and whether it paid off."""
        if taps:
            counts = self.funnel.setdefault(profile, Counter())
            counts[TAPS] += taps
            counts[DISBURSED_AFTER_TAPS] += disbursed

    def journey(self, row: dict[str, Any]) -> None:
        self.journeys.append([row.get(k, "") for k in JOURNEY_FIELDS])

    def ended(self, profile: str, outcome: str, why: str = "", step: str = "") -> None:
        """One journey's final outcome; `why` is the cause (rejected, failed) or the step (unfinished); a failure
        on a step after approval is also counted as such (the disbursement SLO's causes)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown journey outcome {outcome!r}")
        key = f"{outcome}:{why}" if why else outcome
        ends = self.outcomes.setdefault(profile, Counter())
        ends[key] += 1
        if outcome == "failed" and step in AFTER_APPROVAL:
            ends[f"{FAILED_AFTER_APPROVAL}:{why}"] += 1
        if outcome == "unfinished":
            self.funnel.setdefault(profile, Counter())[outcome] += 1

    def without_end(self) -> int:
        """Journeys begun that no outcome was recorded for: none, unless a worker died with them under way."""
        return max(0, self.started - sum(stages["started"] for stages in self.funnel.values()))

    def merge(self, other: Tally) -> None:
        for profile, steps in other.steps.items():
            mine = self.steps.setdefault(profile, {})
            for step, counts in steps.items():
                mine.setdefault(step, StepCounts()).merge(counts)
        for profile, stages in other.funnel.items():
            self.funnel.setdefault(profile, Counter()).update(stages)
        for sec, slots in other.timeline.items():
            for profile, slot in slots.items():
                s = self.timeline.setdefault(sec, {}).setdefault(profile, Slot())
                s.requests += slot.requests
                s.causes.update(slot.causes)
                s.latency.update(slot.latency)
        for sec, n in other.users.items():
            self.users[sec] = max(self.users.get(sec, 0), n)
        self.journeys.extend(other.journeys)
        for profile, ends in other.outcomes.items():
            self.outcomes.setdefault(profile, Counter()).update(ends)
        self.attempts += other.attempts
        self.started += other.started

    def drain(self) -> dict[str, Any]:
        """Wire form of everything tallied since the last drain; the tally starts empty again."""
        wire = to_wire(self)
        vars(self).update(vars(Tally()))
        return wire


def to_wire(t: Tally) -> dict[str, Any]:
    return {
        "steps": {p: {s: c.to_wire() for s, c in steps.items()} for p, steps in t.steps.items()},
        "funnel": {p: dict(c) for p, c in t.funnel.items()},
        "timeline": [[sec, p, slot.requests, dict(slot.causes), [[ms, n] for ms, n in slot.latency.items()]]
                     for sec, slots in t.timeline.items() for p, slot in slots.items()],
        "users": [[sec, n] for sec, n in t.users.items()],
        "journeys": t.journeys,
        "outcomes": {p: dict(c) for p, c in t.outcomes.items()},
        "attempts": t.attempts,
        "started": t.started,
    }


def from_wire(data: dict[str, Any]) -> Tally:
    t = Tally(attempts=int(data.get("attempts", 0)), started=int(data.get("started", 0)),
              journeys=[list(r) for r in data.get("journeys", [])])
    t.steps = {p: {s: StepCounts.from_wire(c) for s, c in steps.items()} for p, steps in data["steps"].items()}
    t.funnel = {p: Counter(c) for p, c in data["funnel"].items()}
    t.outcomes = {p: Counter(c) for p, c in data.get("outcomes", {}).items()}
    for sec, profile, requests, causes, latency in data["timeline"]:
        slot = Slot(requests, Counter(causes), Histogram({int(ms): n for ms, n in latency}))
        t.timeline.setdefault(int(sec), {})[profile] = slot
    t.users = {int(sec): int(n) for sec, n in data.get("users", [])}
    return t


def percentile(hist: Counter[int], q: float) -> float | None:
    total = sum(hist.values())
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for ms in sorted(hist):
        seen += hist[ms]
        if seen >= rank:
            return float(ms)
    return float(max(hist))
