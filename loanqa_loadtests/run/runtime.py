"""What every borrower in one Locust process shares: options, the borrower factory, the tally.

Built on first use from Locust's namespace (`loanqa_loadtests.model.options.from_parsed`: the validated JSON
`loanqa load` or the master handed over, else the plain flags): on a worker that is after the master's first spawn
message, which carries the master's arguments and its options JSON. Users and the shape read this instead of the
namespace, so the journey code sees typed options only. The tally exists from the start: reports may be asked for
earlier.
"""

from __future__ import annotations

import functools
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loanqa.eventlog import EventLogWriter
from loanqa_loadtests.model.options import LoadOptions, from_parsed
from loanqa_loadtests.model.retry import RetryPolicy
from loanqa_loadtests.model.routing import RouteMix
from loanqa_loadtests.model.taps import TapPolicy
from loanqa_loadtests.output.tally import Tally
from loanqa_loadtests.run.borrowers import BorrowerFactory
from loanqa_loadtests.run.journey_state import JourneyState


@dataclass
class LoadContext:
    options: LoadOptions
    factory: BorrowerFactory
    policy: RetryPolicy
    tally: Tally
    taps: TapPolicy = field(default_factory=TapPolicy)
    rng: random.Random = field(default_factory=random.Random)
    started_at: float = field(default_factory=time.time)
    target: str = ""  # the target itself, not a proxy: where payouts are re-checked at the end
    events: EventLogWriter | None = None
    pending: list[JourneyState] = field(default_factory=list)  # payouts not confirmed yet

    @functools.cached_property
    def routes(self) -> RouteMix:
        """Made once: every new borrower draws from it."""
        return RouteMix.of(tuple(self.options.routes.values()))

    def think_s(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) * self.options.think_scale


@dataclass
class RunState:
    """How the run is going, for the process that writes the run's folder (a single process or the master)."""

    started_at: float | None = None
    processes: int = 1
    completed: bool = False  # the shape ran to its end
    aborted_by: str = ""  # the SLO whose `abort: true` stopped the run
    aborted_at_s: float | None = None
    lost_workers: str = ""  # the master stopped the run because no worker answered any more


TALLY = Tally()
RUN = RunState()
_current: LoadContext | None = None


def context(environment: Any) -> LoadContext:
    global _current
    if _current is None:
        options = from_parsed(environment.parsed_options, environment.host or "")
        _current = build_context(options, int(getattr(environment.runner, "worker_index", 0) or 0))
        _current.target = (environment.host or "").rstrip("/")
    return _current


def build_context(options: LoadOptions, process_index: int) -> LoadContext:
    run_id = options.run_id or time.strftime("load-%Y%m%d-%H%M%S")
    factory = BorrowerFactory(run_id, process_index, shared_device_share=options.shared_device_share)
    events = EventLogWriter(Path(options.out), f"load-{process_index:02d}-{os.getpid()}") if options.out else None
    return LoadContext(options, factory, RetryPolicy(max_attempts=options.max_attempts), TALLY,
                       TapPolicy(patience=options.patience), rng=random.Random(f"{run_id}:{process_index}"),
                       events=events)
