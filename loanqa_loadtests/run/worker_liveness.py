"""How long the master bears a silent worker before it counts it gone, and what it says when none is left.

Locust's master counts a worker missing after 3 missed heartbeats (one a second) and, when that was its last
worker, stops the whole run. A worker whose process the host paused for a few seconds (a busy CI runner, a
CPU-throttled pod, a long collection) is not gone: a 6 s pause of the only worker ended a 15 s run after 6 s,
and the run was reported as stopped by the user. So the master bears `WORKER_SILENCE_S` of silence, and a run
it still stops for want of workers says so (status `stopped`, which `loanqa load` exits 3 on).
"""

from __future__ import annotations

from typing import Any

import locust.runners
from locust.runners import STATE_MISSING, MasterRunner

from loanqa_loadtests.run import runtime

WORKER_SILENCE_S = 15


def bear_pauses(runner: MasterRunner) -> None:
    locust.runners.HEARTBEAT_LIVENESS = WORKER_SILENCE_S  # read each time a worker connects or beats
    for client in runner.clients.all:
        client.heartbeat = max(client.heartbeat, WORKER_SILENCE_S)
    events: Any = runner.environment.events
    events.test_stopping.add_listener(lambda **_: _note_lost(runner))


def _note_lost(runner: Any) -> None:
    """Locust stops the run in the same step that marks its last worker missing: that is how to tell this stop
    from a user's (SIGTERM, the web UI's Stop button)."""
    missing = [c for c in runner.clients.all if c.state == STATE_MISSING]
    run = runtime.RUN
    if missing and runner.worker_count <= 0 and not run.completed:
        run.lost_workers = (f"no worker left: {len(missing)} worker(s) sent no heartbeat for {WORKER_SILENCE_S}s, "
                            "and Locust stops a run that has no worker")
