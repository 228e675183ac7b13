"""Real child processes (sh, python): a stopped group leaves nothing running."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from loanqa.process_group import ProcessGroup, pid_alive, run_in_group

# Starts a grandchild (ignoring SIGTERM in mode stubborn-child), writes both pids once the grandchild is set up,
# then ignores SIGTERM itself (mode stubborn) and sleeps.
_CHILD = "import signal, sys, time; " \
         "signal.signal(signal.SIGTERM, signal.SIG_IGN) if sys.argv[1] == 'stubborn-child' else None; " \
         "print('ready', flush=True); time.sleep(60)"
_FAMILY = """
import os, signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", CHILD, sys.argv[2]], stdout=subprocess.PIPE)
assert child.stdout is not None and child.stdout.readline() == b"ready\\n"
if sys.argv[2] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
open(sys.argv[1] + ".part", "w").write(f"{os.getpid()} {child.pid}")
os.replace(sys.argv[1] + ".part", sys.argv[1])
time.sleep(60)
""".replace("CHILD", repr(_CHILD))


def _family(tmp_path: Path, mode: str) -> tuple[ProcessGroup, list[int]]:
    pids = tmp_path / "pids"
    group = ProcessGroup.start([sys.executable, "-c", _FAMILY, str(pids), mode])
    deadline = time.monotonic() + 20
    while not pids.exists():
        assert time.monotonic() < deadline and group.alive(), "family did not start"
        time.sleep(0.02)
    return group, [int(p) for p in pids.read_text().split()]


def _gone(pids: list[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while any(pid_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_stop_ends_the_leader_and_its_children(tmp_path: Path) -> None:
    group, pids = _family(tmp_path, "polite")
    group.stop(grace=5)
    assert not group.alive() and _gone(pids)


def test_a_leader_ignoring_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    group, pids = _family(tmp_path, "stubborn")
    t0 = time.monotonic()
    group.stop(grace=0.5)
    assert time.monotonic() - t0 >= 0.5
    assert _gone(pids)


def test_a_member_ignoring_sigterm_is_killed_when_the_leader_exits_first(tmp_path: Path) -> None:
    group, (_leader, child) = _family(tmp_path, "stubborn-child")
    group.stop(grace=0.5)
    assert not group.alive()
    assert _gone([child]), "a group member that ignored SIGTERM outlived the stop"


def test_an_adopted_pid_is_stopped_like_a_child(tmp_path: Path) -> None:
    started, pids = _family(tmp_path, "polite")
    ProcessGroup(started.pid).stop(grace=5)
    assert _gone(pids)


def test_run_in_group_returns_the_exit_code() -> None:
    assert run_in_group([sys.executable, "-c", "raise SystemExit(3)"], grace=1) == 3


def test_run_in_group_stops_the_group_on_timeout(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    with pytest.raises(subprocess.TimeoutExpired):
        run_in_group(["sh", "-c", f"echo $$ > {out}; exec sleep 60"], grace=1, timeout=3)
    assert _gone([int(out.read_text())])
