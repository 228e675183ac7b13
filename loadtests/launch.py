"""Run Locust as a subprocess for one load run, so gevent never patches the controlling process.

The run writes into `<out>.partial/`; only a finished run is renamed to `<out>/`, so a crash or Ctrl-C
leaves no report that looks complete. The Locust process group is stopped on any exit path.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loadtests.routing import Route, routes_to_json
from loanqa.errors import ComponentError
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary
from loanqa.process_group import run_in_group

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class LoadPlan:
    """Everything a run needs, already validated by the CLI."""

    target: str
    shape: str
    duration: str
    run_id: str
    out: Path
    network_mix: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    processes: int = 1
    users_scale: float = 1.0
    slo: str = "default"
    think_scale: float = 1.0
    liveness_frames: int = 8
    patience: int = 3
    mode: str = "local"  # local | master
    expect_workers: int = 1
    master_bind_port: int | None = None

    @property
    def partial(self) -> Path:
        return self.out.with_name(self.out.name + ".partial")


def locust_argv(plan: LoadPlan) -> list[str]:
    p = plan.partial
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
            "--host", plan.target, "--shape", plan.shape, "--shape-duration", plan.duration,
            "--users-scale", str(plan.users_scale), "--slo", plan.slo, f"--run-id={plan.run_id}",
            "--think-scale", str(plan.think_scale), "--liveness-frames", str(plan.liveness_frames),
            "--patience", str(plan.patience),
            "--loanqa-out", str(p), "--csv", str(p / "locust"), "--html", str(p / "locust.html"),
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
    """Wait for Locust; on Ctrl-C, SIGTERM or the deadline, stop its whole process group."""
    try:
        return run_in_group(argv, grace=STOP_GRACE_S, timeout=deadline_s)
    except subprocess.TimeoutExpired:
        raise ComponentError(f"locust did not finish within {deadline_s:.0f}s; stopped it") from None


def execute(plan: LoadPlan, duration_s: float) -> LoadSummary:
    """Run the plan; return the summary of the finished, renamed run folder."""
    shutil.rmtree(plan.partial, ignore_errors=True)
    plan.partial.mkdir(parents=True)
    try:
        code = run_locust(locust_argv(plan), deadline_s=duration_s + 120)
        summary_path = plan.partial / FILE_NAME
        if not summary_path.exists():
            log = plan.partial / "locust.log"
            raise ComponentError(f"locust exited with code {code} without writing {FILE_NAME}; its log is kept "
                                 f"in {_failed_dir(plan.partial)}:\n{_tail(log)}")
    except BaseException:
        _discard(plan.partial)
        raise
    if plan.out.exists():
        shutil.rmtree(plan.out)
    plan.partial.replace(plan.out)
    return read_summary(plan.out / FILE_NAME)


def _discard(partial: Path) -> None:
    """A failed run keeps its log for diagnosis (as `<out>.failed/`), never a report."""
    failed = _failed_dir(partial)
    shutil.rmtree(failed, ignore_errors=True)
    log = partial / "locust.log"
    if log.exists():
        failed.mkdir(parents=True)
        shutil.move(str(log), failed / "locust.log")
    shutil.rmtree(partial, ignore_errors=True)


def _failed_dir(partial: Path) -> Path:
    return partial.with_name(partial.name.removesuffix(".partial") + ".failed")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def default_out(root: Path) -> Path:
    return root / "loanqa-results" / time.strftime("load-%Y%m%d-%H%M%S")
