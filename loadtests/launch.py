"""Run Locust as a subprocess for one load run, so gevent never patches the controlling process.

The run is staged and published by `loadtests.run_folder` (never deleting what it did not write). Ctrl-C or
SIGTERM asks Locust to stop its users and write everything measured so far (its summary then says
`interrupted`); a crash leaves no report that looks complete. The Locust process group is stopped on any
exit path.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loadtests import run_folder
from loadtests.routing import Route, routes_to_json
from loadtests.run_folder import RunFolder
from loanqa.errors import ComponentError, Interrupted
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary
from loanqa.process_group import ProcessGroup, sigterm_as_interrupt

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class Live:
    """What the run shows while it goes: judgement interval, Locust's web UI, the Prometheus endpoint."""

    interval_s: float = 3.0
    web_port: int | None = None
    web_host: str = "127.0.0.1"
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    def argv(self) -> list[str]:
        out = ["--live-interval", str(self.interval_s)]
        if self.web_port is None:
            out.append("--headless")
        else:  # the shape starts at once; Locust quits a few seconds after it ends
            out += ["--autostart", "--autoquit", "3", "--web-host", self.web_host, "--web-port", str(self.web_port)]
        if self.metrics_port is not None:
            out += ["--metrics-port", str(self.metrics_port), "--metrics-host", self.metrics_host]
        return out


@dataclass(frozen=True)
class LoadPlan:
    """Everything a run needs, already validated by the CLI."""

    target: str
    shape: str
    duration: str
    run_id: str
    folder: RunFolder
    network_mix: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    processes: int = 1
    users_scale: float = 1.0
    slo: str = "default"
    think_scale: float = 1.0
    liveness_frames: int = 8
    patience: int = 3
    graceful_stop_s: float = 30.0  # journeys under way when the shape ends may finish (Locust --stop-timeout)
    mode: str = "local"  # local | master
    expect_workers: int = 1
    master_bind_port: int | None = None
    live: Live = field(default_factory=Live)

    @property
    def out(self) -> Path:
        return self.folder.out

    @property
    def partial(self) -> Path:
        return self.folder.partial


def locust_argv(plan: LoadPlan) -> list[str]:
    p = plan.partial
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *plan.live.argv(), "--only-summary",
            "--host", plan.target, "--shape", plan.shape, "--shape-duration", plan.duration,
            "--users-scale", str(plan.users_scale), "--slo", plan.slo, f"--run-id={plan.run_id}",
            "--think-scale", str(plan.think_scale), "--liveness-frames", str(plan.liveness_frames),
            "--patience", str(plan.patience), "--stop-timeout", f"{plan.graceful_stop_s:g}",
            "--loanqa-out", str(p), "--html", str(p / "locust.html"),
            "--logfile", str(p / "locust.log")]
    if plan.network_mix:
        argv += ["--network-mix", plan.network_mix]
    if plan.routes:
        argv += ["--loanqa-routes", routes_to_json(plan.routes)]
    if plan.mode == "master":
        argv += ["--master", "--expect-workers", str(plan.expect_workers)]
        if plan.master_bind_port:
            argv += ["--master-bind-port", str(plan.master_bind_port)]
    elif plan.processes > 1:
        argv += ["--processes", str(plan.processes)]
    return argv


def worker_argv(master_host: str, master_port: int, processes: int) -> list[str]:
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", "--master-host", master_host,
            "--master-port", str(master_port)]
    return argv + (["--processes", str(processes)] if processes > 1 else [])


def run_locust(argv: Sequence[str], deadline_s: float) -> int:
    """Wait for Locust. On Ctrl-C or SIGTERM ask it to finish (SIGTERM to its leader only: loanqa's handler stops
    the users, Locust writes its CSV/HTML and `quit` writes the run), then raise KeyboardInterrupt; on the
    deadline, or when it does not finish within the grace, stop its whole process group."""
    group = ProcessGroup.start(argv)
    try:
        with sigterm_as_interrupt():
            if not group.wait(deadline_s):
                raise ComponentError(f"locust did not finish within {deadline_s:.0f}s; stopped it")
    except KeyboardInterrupt:
        group.send(signal.SIGTERM, leader_only=True)
        with contextlib.suppress(KeyboardInterrupt):
            group.wait(STOP_GRACE_S)
        raise
    finally:
        group.stop(STOP_GRACE_S)  # also the children a leader left behind (`--processes`)
    code = group.returncode
    return 1 if code is None else code


def execute(plan: LoadPlan, duration_s: float) -> LoadSummary:
    """Run the plan and publish its folder; interrupted, publish what was measured and raise `Interrupted`."""
    run_folder.prepare(plan.folder)
    interrupted = False
    try:
        try:
            code = run_locust(locust_argv(plan), deadline_s=duration_s + plan.graceful_stop_s + 120)
        except KeyboardInterrupt:
            interrupted, code = True, 130
        if not (plan.partial / FILE_NAME).exists():
            if interrupted:
                raise Interrupted("interrupted before locust wrote summary.json; what it measured (if anything) "
                                  f"is kept in {run_folder.measured_place(plan.folder)}")
            log = plan.partial / "locust.log"
            tail = _tail(log)
            raise ComponentError(f"locust exited with code {code} without writing {FILE_NAME}; its log is kept "
                                 f"in {_failed_log(plan.folder)}:\n{tail}")
    except BaseException:
        run_folder.discard(plan.folder)
        raise
    run_folder.publish(plan.folder)
    return read_summary(plan.out / FILE_NAME)


def _failed_log(folder: RunFolder) -> Path:
    if folder.created:
        return folder.out.with_name(folder.out.name + ".failed") / "locust.log"
    return folder.out / run_folder.FAILED_LOG


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def default_out(root: Path) -> Path:
    return root / "loanqa-results" / time.strftime("load-%Y%m%d-%H%M%S")
