"""Every few seconds in the process that writes the run: judge the SLOs on what was tallied so far.

It writes `live.json` for the live view, feeds the Prometheus endpoint, and stops the run when an SLO with
`abort: true` is missed after its grace (`after`), like k6's abortOnFail: the shape then ends the run and
the summary says which SLO stopped it and when.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent

from loanqa.load_summary import LoadSummary
from loanqa.slo import Objective, SloResult, SloSet
from loanqa.slo_judge import judge_objective
from loanqa_loadtests.model import live_snapshot
from loanqa_loadtests.model.live_snapshot import LiveSnapshot
from loanqa_loadtests.model.shape_config import CompressedShape
from loanqa_loadtests.output.summary_build import RunInfo, build_summary
from loanqa_loadtests.run import runtime

DEFAULT_INTERVAL_S = 3.0


@dataclass
class Latest:
    """The last judgement, read by the metrics collector at scrape time."""

    summary: LoadSummary | None = None
    results: list[SloResult] = field(default_factory=list)
    snapshot: LiveSnapshot | None = None


@dataclass
class LiveMonitor:
    environment: Any
    slos: SloSet
    shape: CompressedShape
    info: RunInfo
    out: Path | None
    interval_s: float = DEFAULT_INTERVAL_S
    latest: Latest = field(default_factory=Latest)
    _last: tuple[float, int] = (0.0, 0)
    _greenlet: gevent.Greenlet | None = None

    def start(self) -> None:
        self._greenlet = gevent.spawn(self._loop)

    def close(self) -> None:
        """Stop judging: the run's final files are written next, and nothing may write after them."""
        if self._greenlet is not None:
            self._greenlet.kill(block=True)

    def _loop(self) -> None:
        while True:
            gevent.sleep(self.interval_s)
            if runtime.RUN.started_at is not None:
                self.tick(time.time())

    def tick(self, now: float) -> LiveSnapshot:
        started = runtime.RUN.started_at or now
        elapsed = now - started
        summary = build_summary(runtime.TALLY, self.info)
        judged = [(o, judge_objective(self.slos, o, summary)) for o in self.slos.slos]
        self._check_abort(judged, elapsed)
        results = [r for _, rs in judged for r in rs]
        aborting = frozenset(r.name for o, rs in judged if o.abort for r in rs)
        snap = self._snapshot(summary, results, aborting, started, elapsed, now)
        self.latest.summary, self.latest.results, self.latest.snapshot = summary, results, snap
        if self.out is not None:
            live_snapshot.write(snap, self.out)
        return snap

    @staticmethod
    def _check_abort(judged: list[tuple[Objective, list[SloResult]]], elapsed: float) -> None:
        """Too few samples never aborts: only a real miss after the grace period does."""
        if runtime.RUN.aborted_by:
            return
        for objective, results in judged:
            missed = [r for r in results if r.verdict == "failed"]
            if objective.abort and elapsed >= objective.after and missed:
                runtime.RUN.aborted_by, runtime.RUN.aborted_at_s = missed[0].name, round(elapsed, 1)
                return

    def _snapshot(self, summary: LoadSummary, results: list[SloResult], aborting: frozenset[str], started: float,
                  elapsed: float, now: float) -> LiveSnapshot:
        t = runtime.TALLY
        last_t, last_n = self._last
        rps = (t.attempts - last_n) / (now - last_t) if last_t and now > last_t else 0.0
        self._last = (now, t.attempts)
        by_cause, by_profile = live_snapshot.lost_by(summary)
        ends = summary.outcomes
        users = int(getattr(self.environment.runner, "user_count", 0) or 0)
        stopping = (f"SLO '{runtime.RUN.aborted_by}' missed at {runtime.RUN.aborted_at_s:g}s"
                    if runtime.RUN.aborted_by else "")
        return LiveSnapshot(
            started_at=started, elapsed_s=round(elapsed, 1), duration_s=self.shape.duration_s, users=users,
            target_users=self.shape.users_at(elapsed), stage=self.shape.stage_at(elapsed), rps=round(rps, 1),
            requests=t.attempts, journeys_started=t.started,
            journeys_finished=ends.journeys, paid=ends.paid_out,
            rejected=sum(ends.business_rejected.values()), lost=sum(by_cause.values()), in_flight=users,
            lost_by_cause=by_cause, lost_by_profile=by_profile, slos=live_snapshot.slo_now(results, aborting),
            stopping=stopping)
