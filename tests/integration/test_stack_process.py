"""The process manager against real processes: readiness, reuse, stale PID files, failures, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loanqa.errors import ComponentError
from loanqa.ports import free_port
from loanqa.process_group import pid_alive
from loanqa.stack.process import ProcessManager, ProcessSpec, http_ready
from tests.interrupt import ctrl_c, reaped, takes_ctrl_c


def http_server_spec(name: str, port: int, root: Path) -> ProcessSpec:
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)]
    return ProcessSpec(name, argv, port, f"http://127.0.0.1:{port}/")


@pytest.fixture
def pm(tmp_path: Path) -> Iterator[ProcessManager]:
    manager = ProcessManager(tmp_path / "state")
    yield manager
    for pidfile in (tmp_path / "state" / "pids").glob("*.json"):
        manager.stop(pidfile.stem, grace=2)


def test_start_waits_until_ready_and_stop_ends_process(pm: ProcessManager, tmp_path: Path) -> None:
    spec = http_server_spec("web", free_port(), tmp_path)
    running = pm.start(spec, ready_timeout=20)
    assert http_ready(spec.ready_url)
    assert json.loads((pm.state_dir / "pids" / "web.json").read_text())["pid"] == running.pid
    assert pm.stop("web")
    assert not pid_alive(running.pid)
    assert not http_ready(spec.ready_url)
    assert pm.find("web") is None


def test_second_start_reuses_the_running_process(pm: ProcessManager, tmp_path: Path) -> None:
    spec = http_server_spec("web", free_port(), tmp_path)
    first = pm.start(spec, ready_timeout=20)
    second = pm.start(spec, ready_timeout=20)
    assert second.pid == first.pid


def test_stale_pid_file_is_replaced(pm: ProcessManager, tmp_path: Path) -> None:
    spec = http_server_spec("web", free_port(), tmp_path)
    first = pm.start(spec, ready_timeout=20)
    os.kill(first.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(first.pid) and time.monotonic() < deadline:
        os.waitpid(first.pid, os.WNOHANG)
    assert pm.find("web") is None, "a dead PID must not be trusted"
    second = pm.start(spec, ready_timeout=20)
    assert second.pid != first.pid and http_ready(spec.ready_url)


def test_process_that_dies_at_start_reports_its_log(pm: ProcessManager) -> None:
    port = free_port()
    spec = ProcessSpec("broken", [sys.executable, "-c", "import sys; print('boom: bad setting'); sys.exit(3)"],
                       port, f"http://127.0.0.1:{port}/")
    with pytest.raises(ComponentError, match=r"(?s)broken exited with code 3.*boom: bad setting"):
        pm.start(spec, ready_timeout=20)
    assert pm.find("broken") is None


def test_port_taken_by_a_foreign_server_is_refused(pm: ProcessManager, tmp_path: Path) -> None:
    port = free_port()
    other = ProcessManager(tmp_path / "other-state")
    other.start(http_server_spec("foreign", port, tmp_path), ready_timeout=20)
    try:
        with pytest.raises(ComponentError, match="already answers"):
            pm.start(http_server_spec("web", port, tmp_path), ready_timeout=20)
    finally:
        other.stop("foreign", grace=2)


# Starts a component that never answers its readiness URL; the test presses Ctrl-C while start waits.
_NEVER_READY = """
import sys
from pathlib import Path
from loanqa.stack.process import ProcessManager, ProcessSpec
port = int(sys.argv[2])
spec = ProcessSpec("mute", [sys.executable, "-c", "import time; time.sleep(120)"], port, f"http://127.0.0.1:{port}/")
ProcessManager(Path(sys.argv[1])).start(spec, ready_timeout=120)
"""


def test_ctrl_c_while_waiting_for_readiness_stops_the_started_process(tmp_path: Path) -> None:
    state = tmp_path / "state"
    pidfile = state / "pids" / "mute.json"
    proc = subprocess.Popen([sys.executable, "-c", _NEVER_READY, str(state), str(free_port())],
                            stderr=subprocess.PIPE, text=True, preexec_fn=takes_ctrl_c)
    with reaped(proc):
        deadline = time.monotonic() + 30
        while not pidfile.exists():  # the component is started; start() now waits for it to answer
            assert proc.poll() is None and time.monotonic() < deadline, "the component never started"
            time.sleep(0.02)  # polling interval for the condition above
        started = json.loads(pidfile.read_text())["pid"]
        _, err = ctrl_c(proc, timeout=30)
    assert "KeyboardInterrupt" in err, err
    deadline = time.monotonic() + 5
    while pid_alive(started) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling interval for the process's exit
    left = pid_alive(started)
    if left:
        os.kill(started, signal.SIGKILL)
    assert not left, "the component started before Ctrl-C was left running"
    assert not pidfile.exists()
