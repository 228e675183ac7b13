"""Run Locust as a subprocess for one load run, so gevent never patches the controlling process.

The run is staged and published by `loanqa_loadtests.control.run_folder` (never deleting what it did not write).
Ctrl-C or SIGTERM asks Locust to stop its users and write everything measured so far (its summary then says
`interrupted`); a crash leaves no report that looks complete. The Locust process group is stopped on any
exit path.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loanqa.errors import ComponentError, Interrupted
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary
from loanqa.process_group import ProcessGroup, sigterm_as_interrupt
from loanqa.stack.process import tail as log_tail
from loanqa_loadtests.control import run_folder
from loanqa_loadtests.control.run_folder import RunFolder
from loanqa_loadtests.model.options import OPTIONS_ENV, LoadOptions

LOCUSTFILE = Path(__file__).parents[1] / "locustfile.py"
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class WebUI:
    """Locust's web UI while the run goes (off: headless); the live judgement and metrics are run options."""

    port: int | None = None
    host: str = "127.0.0.1"

    def argv(self) -> list[str]:
        if self.port is None:
            return ["--headless"]
        # the shape starts at once; Locust quits a few seconds after it ends
        return ["--autostart", "--autoquit", "3", "--web-host", self.host, "--web-port", str(self.port)]


@dataclass(frozen=True)
class LoadPlan:
    """How Locust is started for one run; `options` (validated by the CLI) is what its processes receive."""

    target: str
    folder: RunFolder
    options: LoadOptions
    processes: int = 1
    mode: str = "local"  # local | master
    expect_workers: int = 1
    master_bind_port: int | None = None
    web: WebUI = field(default_factory=WebUI)

    @property
    def deadline_s(self) -> float:
        """When Locust is stopped for hanging: the shape, the graceful stop, and time to write the run."""
        return self.options.duration_s + self.options.graceful_stop_s + 120

    @property
    def out(self) -> Path:
        return self.folder.out

    @property
    def partial(self) -> Path:
        return self.folder.partial


def locust_argv(plan: LoadPlan) -> list[str]:
    """`--run-id` only names the processes (for `ps`); the options themselves travel in `OPTIONS_ENV`."""
    p = plan.partial
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *plan.web.argv(), "--only-summary",
            "--host", plan.target, "--loanqa-options-env", OPTIONS_ENV, f"--run-id={plan.options.run_id}",
            "--html", str(p / "locust.html"), "--logfile", str(p / "locust.log")]
    if plan.mode == "master":
        argv += ["--master", "--expect-workers", str(plan.expect_workers)]
        if plan.master_bind_port:
            argv += ["--master-bind-port", str(plan.master_bind_port)]
    elif plan.processes > 1:
        argv += ["--processes", str(plan.processes)]
    return argv


def locust_env(plan: LoadPlan) -> dict[str, str]:
    return {**os.environ, OPTIONS_ENV: plan.options.to_json()}


def worker_argv(master_host: str, master_port: int, processes: int) -> list[str]:
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", "--master-host", master_host,
            "--master-port", str(master_port)]
    return argv + (["--processes", str(processes)] if processes > 1 else [])


def run_locust(argv: Sequence[str], deadline_s: float, env: Mapping[str, str] | None = None) -> int:
    """Wait for Locust. On Ctrl-C or SIGTERM ask it to finish (SIGTERM to its leader only: loanqa's handler stops
    the users, Locust writes its CSV/HTML and `quit` writes the run), then raise KeyboardInterrupt; on the
    deadline, or when it does not finish within the grace, stop its whole process group."""
    group = ProcessGroup.start(argv, env=env)
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


def execute(plan: LoadPlan) -> LoadSummary:
    """Run the plan and publish its folder; interrupted, publish what was measured and raise `Interrupted`."""
    run_folder.prepare(plan.folder)
    interrupted = False
    try:
        try:
            code = run_locust(locust_argv(plan), deadline_s=plan.deadline_s, env=locust_env(plan))
        except KeyboardInterrupt:
            interrupted, code = True, 130
        if not (plan.partial / FILE_NAME).exists():
            if interrupted:
                raise Interrupted("interrupted before locust wrote summary.json; what it measured (if anything) "
                                  f"is kept in {run_folder.measured_place(plan.folder)}")
            log = plan.partial / "locust.log"
            tail = log_tail(log, 15)
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


def default_out(root: Path) -> Path:
    return root / "loanqa-results" / time.strftime("load-%Y%m%d-%H%M%S")
