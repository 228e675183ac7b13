"""Holiday-peak borrower load: `locust -f loadtests/locustfile.py --shape double-11 --host URL`.

`loanqa load` runs this same file as a subprocess (so gevent never patches the CLI). Outcomes are tallied
per process; workers hand their tally to the master with every stats report (`report_to_master`), so
the counts are whole across `--processes` and hosts; the master (or a single process) writes the run's
folder when Locust quits.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from locust import events
from locust.runners import MasterRunner, WorkerRunner

from loadtests import runtime
from loadtests.confirm import confirm_pending
from loadtests.journey import BorrowerUser
from loadtests.options import add_arguments, from_parsed
from loadtests.shape import PeakShape
from loadtests.shape_config import load_shape
from loadtests.slo_config import load_slos
from loadtests.summary_build import RunInfo
from loadtests.tally import from_wire
from loanqa import liveness_frames

__all__ = ["BorrowerUser", "PeakShape"]

REPORT_KEY = "loanqa"
_run: dict[str, Any] = {"started_at": None, "processes": 1}


def _listen(hook: Any, handler: Any) -> None:
    hook.add_listener(handler)


def _wire(environment: Any, **_: Any) -> None:
    liveness_frames.warm()
    runner = environment.runner
    _listen(events.test_stopping, lambda environment, **_: _confirm(runtime.context(environment)))
    if isinstance(runner, WorkerRunner):
        _listen(events.report_to_master, _report)
        return
    if isinstance(runner, MasterRunner):
        _listen(events.worker_report, _merge)
    if environment.parsed_options is not None:
        opts = from_parsed(environment.parsed_options, environment.host or "")  # bad flags fail before the run
        load_shape(opts.shape)
        load_slos(opts.slo)
    _listen(events.test_start, _started)
    _listen(events.quit, lambda exit_code, **_: _finish(environment))


def _confirm(ctx: runtime.LoadContext) -> None:
    confirm_pending(ctx.pending, ctx.target, ctx.tally, ctx.events)


def _report(client_id: str, data: dict[str, Any]) -> None:
    data[REPORT_KEY] = runtime.TALLY.drain()


def _merge(client_id: str, data: dict[str, Any]) -> None:
    if REPORT_KEY in data:
        runtime.TALLY.merge(from_wire(data[REPORT_KEY]))


def _started(environment: Any, **_: Any) -> None:
    if _run["started_at"] is None:
        _run["started_at"] = time.time()
    _run["processes"] = max(1, getattr(environment.runner, "worker_count", 1))


def _finish(environment: Any) -> None:
    opts = runtime.context(environment).options
    if not opts.out:
        return
    from loadtests.results import write_run  # matplotlib: only the process that writes pays for it

    info = RunInfo(run_id=runtime.context(environment).factory.run_id, target=environment.host or "",
                   shape=load_shape(opts.shape).name, network_mix=opts.network_mix or None,
                   started_at=_run["started_at"] or time.time(), finished_at=time.time(),
                   processes=_run["processes"])
    summary = write_run(runtime.TALLY, info, load_slos(opts.slo), Path(opts.out))
    missed = [s.name for s in summary.slos if not s.passed]
    print(f"loanqa: wrote {opts.out}: {summary.requests} requests, "
          f"{len(summary.slos) - len(missed)}/{len(summary.slos)} SLOs met")


_listen(events.init_command_line_parser, add_arguments)
_listen(events.init, _wire)
