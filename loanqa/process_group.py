"""A child process that leads its own process group, stopped as a whole: a signal, a grace, then SIGKILL.

Servers and runners (refapp, Appium, Locust, the device suite) spawn children of their own (workers,
chromedriver, chromium); signalling only the leader leaves those running. Each is therefore started in a new
session and stopped through its group. A process found again from a PID file is adopted by pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

_POLL_S = 0.05
_KILL_WAIT_S = 10.0


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class ProcessGroup:
    """The group led by `pid`; `proc` is set when this process started it (and so can reap it)."""

    def __init__(self, pid: int, proc: subprocess.Popen[bytes] | None = None) -> None:
        self.pid = pid
        self.proc = proc

    @classmethod
    def start(cls, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
              stdout: IO[bytes] | None = None) -> ProcessGroup:
        """Start `argv` as the leader of a new session; stdin is closed, stderr goes with stdout."""
        proc = subprocess.Popen(list(argv), start_new_session=True, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                stdout=stdout, stderr=subprocess.STDOUT if stdout is not None else None)
        return cls(proc.pid, proc)

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc is not None else None

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, os.WNOHANG)
        return pid_alive(self.pid)

    def send(self, sig: signal.Signals, *, leader_only: bool = False) -> None:
        """Signal the whole group (or only its leader); a group or process already gone is no error."""
        if not leader_only:
            with contextlib.suppress(PermissionError):
                try:
                    os.killpg(self.pid, sig)
                    return
                except ProcessLookupError:
                    pass  # not a group leader (or the group is gone): the process itself, if any
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, sig)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the leader has exited, at most `timeout` seconds; True if it has."""
        if self.proc is not None:
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.alive():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)  # polling a non-child's exit; there is nothing to block on
        return True

    def group_alive(self) -> bool:
        """True while any live (non-zombie) process is left in the group: the leader may exit first."""
        self.alive()  # reaps our own leader, so its zombie does not count
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        if not Path("/proc/self/stat").exists():
            return True  # no /proc to tell zombies apart: the group exists
        return any(_in_group(entry, self.pid) for entry in _proc_entries())

    def wait_group(self, timeout: float) -> bool:
        """Wait until nothing is left in the group, at most `timeout` seconds; True if it is gone."""
        deadline = time.monotonic() + timeout
        while self.group_alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)  # group members are not our children: nothing to block on
        return True

    def stop(self, grace: float, first: signal.Signals = signal.SIGTERM) -> None:
        """Send `first` to the group (also when the leader is gone: its children may not be), SIGKILL the
        group if anything of it (not only the leader) outlives `grace`; a Ctrl-C during the grace kills at once."""
        try:
            self.send(first)
            deadline = time.monotonic() + grace
            ended = self.wait(grace) and self.wait_group(max(0.0, deadline - time.monotonic()))
        except KeyboardInterrupt:
            ended = False
        if not ended:
            self.send(signal.SIGKILL)
            self.wait(_KILL_WAIT_S)
            self.wait_group(_KILL_WAIT_S)


def _proc_entries() -> Iterator[Path]:
    try:
        yield from (p for p in Path("/proc").iterdir() if p.name.isdigit())
    except OSError:
        return


def _in_group(entry: Path, pgid: int) -> bool:
    """`/proc/<pid>` is a live (non-zombie) member of group `pgid`."""
    try:
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] != "Z" and int(fields[2]) == pgid


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside the block SIGTERM raises KeyboardInterrupt, so `kill` and Ctrl-C take the same clean-up path."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_in_group(argv: Sequence[str], *, grace: float, stop_signal: signal.Signals = signal.SIGTERM,
                 timeout: float | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run `argv` in its own group and return its exit code. On Ctrl-C, SIGTERM or `timeout` the group gets
    `stop_signal`, then SIGKILL after `grace`, and the interrupt (or subprocess.TimeoutExpired) is raised."""
    group = ProcessGroup.start(argv, env=env)
    with sigterm_as_interrupt():
        try:
            if not group.wait(timeout):
                raise subprocess.TimeoutExpired(list(argv), timeout or 0.0)
        except BaseException:
            group.stop(grace, stop_signal)
            raise
    code = group.returncode
    assert code is not None
    return code
