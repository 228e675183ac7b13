"""Holiday-peak borrower load: `locust -f loadtests/locustfile.py --shape double-11 --host URL`.

`loanqa load` runs this same file as a subprocess (so gevent never patches the CLI). Outcomes are tallied
per process; workers hand their tally to the master with every stats report (`report_to_master`), so
the counts are whole across `--processes` and hosts; the master (or a single process) writes the run's
folder when Locust quits.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.runners import MasterRunner, WorkerRunner

from loanqa import liveness_frames
from loanqa.load_summary import RunStatus
from loanqa_loadtests.model.options import LoadOptions, add_arguments
from loanqa_loadtests.model.shape_config import CompressedShape
from loanqa_loadtests.output.summary_build import RunInfo
from loanqa_loadtests.output.tally import from_wire
from loanqa_loadtests.run import runtime, worker_final, worker_liveness
from loanqa_loadtests.run.confirm import confirm_pending
from loanqa_loadtests.run.journey import BorrowerUser
from loanqa_loadtests.run.live_monitor import LiveMonitor
from loanqa_loadtests.run.locust_csv import LocustCsv
from loanqa_loadtests.run.shape import PeakShape

__all__ = ["BorrowerUser", "PeakShape"]

REPORT_KEY = "loanqa"
CSV_PREFIX = "locust"
_monitor: list[LiveMonitor] = []
_csv: list[LocustCsv] = []
_finals: list[worker_final.Finals] = []


def _listen(hook: Any, handler: Any) -> None:
    hook.add_listener(handler)


def _wire(environment: Any, **_: Any) -> None:
    liveness_frames.warm()
    runner = environment.runner
    _listen(events.test_stop, lambda environment, **_: _confirm(runtime.context(environment)))
    if isinstance(runner, WorkerRunner):
        _listen(events.report_to_master, _report)
        _listen(events.test_stop, lambda environment, **_: worker_final.send_final(environment))
        runner.register_message(worker_final.STOP_NOW, worker_final.on_stop_now)
        return
    if isinstance(runner, MasterRunner):
        _listen(events.worker_report, _merge)
        _finals.append(worker_final.Finals(runner))
        worker_liveness.bear_pauses(runner)
    if environment.parsed_options is not None:
        opts = runtime.context(environment).options
        environment.parsed_options.loanqa_options = opts.to_json()  # workers get it with every spawn message
        environment.stop_timeout = opts.graceful_stop_s  # the master sends it to its workers with every spawn
        _monitor.append(_make_monitor(environment, opts))
        if opts.out:
            _csv.append(LocustCsv.start(environment, Path(opts.out) / CSV_PREFIX))
        if environment.web_ui is not None:
            from loanqa_loadtests.run import web_ext

            web_ext.install(environment.web_ui, _monitor[0].latest)
    _listen(events.test_start, _started)
    _listen(events.quit, lambda exit_code, **_: _finish(environment))


def _confirm(ctx: runtime.LoadContext) -> None:
    """After the users stopped (`test_stop`), before anything is written: a borrower may press disburse during the
    graceful stop and be stopped mid-poll, so the re-check runs only once no user can add to `pending`."""
    confirm_pending(ctx.pending, ctx.target, ctx.tally, ctx.events)


def _report(client_id: str, data: dict[str, Any]) -> None:
    data[REPORT_KEY] = runtime.TALLY.drain()


def _merge(client_id: str, data: dict[str, Any]) -> None:
    if REPORT_KEY in data:
        runtime.TALLY.merge(from_wire(data[REPORT_KEY]))


def _make_monitor(environment: Any, opts: LoadOptions) -> LiveMonitor:
    """Bad flags (shape, SLO set) fail before this, in `runtime.context`; metrics listen from the start."""
    shape = CompressedShape(opts.shape, opts.duration_s, opts.users_scale)
    monitor = LiveMonitor(environment, opts.slos, shape, _info(environment, opts),
                          Path(opts.out) if opts.out else None, opts.live_interval_s)
    if opts.metrics_port:
        from loanqa_loadtests.run import metrics

        metrics.serve(opts.metrics_port, opts.metrics_host, monitor.latest)
    return monitor


def _info(environment: Any, opts: LoadOptions) -> RunInfo:
    run = runtime.RUN
    return RunInfo(run_id=runtime.context(environment).factory.run_id, target=environment.host or "",
                   shape=opts.shape.name, network_mix=opts.network_mix or None,
                   started_at=run.started_at or time.time(), finished_at=time.time(), processes=run.processes,
                   mix_profiles=tuple(sorted(opts.routes)))


def _started(environment: Any, **_: Any) -> None:
    """SIGTERM (how `loanqa load` passes on Ctrl-C) ends the run as the shape's end would: Locust stops the
    users and writes its CSV/HTML, and `quit` writes loanqa's files (Locust's own handler misses shape runs)."""
    run = runtime.RUN
    if run.started_at is None:
        run.started_at = time.time()
        if _monitor:
            _monitor[0].start()
        gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(_interrupt, environment))
    run.processes = max(1, getattr(environment.runner, "worker_count", 1))


def _interrupt(environment: Any) -> None:
    """An interrupt stops the borrowers at once: the graceful stop is for the shape's end, not for Ctrl-C."""
    environment.stop_timeout = 0
    for finals in _finals:
        finals.stop_now()
    environment.runner.quit()


def _finish(environment: Any) -> None:
    """Locust fires `quit` before it exits (and, with `--processes`, waits for its workers): loanqa's own
    greenlets stop here, before their files close, so nothing writes to a closed file on the way out."""
    for monitor in _monitor:
        monitor.close()
    for csv_stats in _csv:
        csv_stats.close()
    opts = runtime.context(environment).options
    if not opts.out:
        return
    from loanqa_loadtests.output.results import write_run  # matplotlib: only the process that writes pays for it

    run = runtime.RUN
    elapsed = time.time() - (run.started_at or time.time())
    status: RunStatus
    if run.aborted_by:
        status, why = "aborted", f"SLO '{run.aborted_by}' missed at {run.aborted_at_s:g}s (abort: true)"
    elif run.completed:
        status, why = "complete", ""
    elif run.lost_workers:
        tally = runtime.TALLY
        status, why = "stopped", (f"{run.lost_workers}, after {elapsed:.0f}s; of {tally.started} journeys begun, "
                                  f"{tally.without_end()} died with it, their outcome unknown")
    else:
        status, why = "interrupted", f"stopped by the user (Ctrl-C, SIGTERM, the web UI's Stop) after {elapsed:.0f}s"
    summary = write_run(runtime.TALLY, _info(environment, opts), opts.slos, Path(opts.out),
                        status=status, stopped_by=why, aborted_at_s=run.aborted_at_s)
    met = sum(1 for s in summary.slos if s.passed)
    short = sum(1 for s in summary.slos if s.insufficient)
    print(f"loanqa: wrote {opts.out}: {summary.requests} requests, {met}/{len(summary.slos)} SLOs met"
          + (f", {short} with too few samples" if short else ""))


_listen(events.init_command_line_parser, add_arguments)
_listen(events.init, _wire)
