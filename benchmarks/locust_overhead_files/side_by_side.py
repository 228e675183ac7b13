"""The users locust_overhead.py compares, one class per Locust process (named on Locust's command line).

`BareUser`: a plain FastHttpUser on one keep-alive connection. `BareJourneyUser`: a plain FastHttpUser sending
the borrower's requests byte for byte (the same path and an `X-Request-Id` of the same length) on a new session
(new connection, new cookies) every JOURNEY requests, as a new borrower's phone would: the reference for loanqa's
own code. `ProbeBorrower`: the loanqa borrower machinery (route picked by network mix, classified step with
retries and the tap policy, StepFinished into the tally), a new borrower (new profile pick, new session) every
JOURNEY requests, as a journey of ten steps would have.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser
from prometheus_client import exposition

import loanqa_loadtests.locustfile  # noqa: F401  (registers loanqa's arguments and tally wiring)
from loanqa.journey_steps import StepDef
from loanqa_loadtests.run.journey import BorrowerBase
from loanqa_loadtests.run.live_monitor import LiveMonitor

JOURNEY = 10
HEALTHZ = StepDef("healthz", "GET", "/healthz", False, "health", (0.0, 0.0))
REQUEST_ID = {"X-Request-Id": "0123456789abcdef-0123456789ab"}  # a journey id and a 12-digit suffix, as loanqa's


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/healthz", name="bare")


class BareJourneyUser(FastHttpUser):
    wait_time = constant(0)
    done = 0

    @task
    def bare_journey(self) -> None:
        self.client.get("/healthz", name="bare_journey", headers=REQUEST_ID)
        self.done += 1
        if self.done % JOURNEY == 0:  # the old connection closed at once, as the borrower closes it
            self.client.client.clientpool.close()
            self.client = FastHttpSession(base_url=self.host, request_event=self.environment.events.request,
                                          user=self, max_retries=0, insecure=True, concurrency=1)


class ProbeBorrower(BorrowerBase):
    wait_time = constant(0)

    def on_start(self) -> None:
        self._new_borrower()
        self.done = 0

    @task
    def healthz(self) -> None:
        self.send(HEALTHZ, None)  # the journey-step path, with the tap policy and the event log
        self.done += 1
        if self.done % JOURNEY == 0:
            self._new_borrower()


# -- the live work's own CPU: each live judgement and each /metrics answer, timed where it runs ---------------------
_live_cpu = [0.0]


def _timed(fn: Any) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()  # neither yields to the hub: no other greenlet's CPU falls in between
        try:
            return fn(*args, **kwargs)
        finally:
            _live_cpu[0] += time.process_time() - start
    return timed


LiveMonitor.tick = _timed(LiveMonitor.tick)  # type: ignore[method-assign]
if not hasattr(exposition, "_bake_output"):
    raise SystemExit("prometheus_client changed: exposition._bake_output (what /metrics runs) is gone")
exposition._bake_output = _timed(exposition._bake_output)

# -- the measuring window: after a warm-up, until the run stops (start-up imports and spawning excluded) --------------
WARMUP_S = float(os.environ.get("LOANQA_BENCH_WARMUP_S", "1"))
CALLGRIND = os.environ.get("LOANQA_BENCH_CALLGRIND") == "1"  # run under callgrind: count the window's instructions
_marks: list[tuple[float, int, float]] = []


def _mark(environment: Any) -> None:
    if CALLGRIND:  # os.system blocks the whole process: no greenlet runs a request while the counters turn
        os.system(f"callgrind_control {'-d' if _marks else '-z'} {os.getpid()} >/dev/null 2>&1")
    _marks.append((time.process_time(), environment.runner.stats.total.num_requests,
                   _live_cpu[0]))


def _on_start(environment: Any, **_: Any) -> None:
    gevent.spawn_later(WARMUP_S, _mark, environment)


def _on_stopping(environment: Any, **_: Any) -> None:
    _mark(environment)
    out = os.environ.get("LOANQA_BENCH_WINDOW")
    if out and len(_marks) == 2:
        (c0, n0, l0), (c1, n1, l1) = _marks
        failures = environment.runner.stats.total.num_failures
        Path(out).write_text(json.dumps({"requests": n1 - n0, "cpu_s": c1 - c0,
                                         "live_cpu_s": l1 - l0, "failures": failures}))


def _listen(hook: Any, handler: Any) -> None:
    hook.add_listener(handler)


_listen(events.test_start, _on_start)
_listen(events.test_stopping, _on_stopping)
