"""Ctrl-C in tests: a child started to be interrupted takes SIGINT as a terminal would deliver it.

A child inherits an ignored or blocked SIGINT from the process that starts it (a CI runner, a job started in the
background of a script); Python then never raises KeyboardInterrupt and an interrupt test hangs or sees the run
finish. Tests that send SIGINT start their child with this reset, and say so when the child cannot take it.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SIGINT_BIT = 1 << (signal.SIGINT - 1)


def takes_ctrl_c() -> None:
    """`preexec_fn` for a child a test will interrupt: SIGINT at its default, not blocked."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def ctrl_c_blocked_or_ignored(pid: int) -> str:
    """Why `pid` would not see a SIGINT ('' when it would), from the kernel's view of it."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    why = [name for name in ("SigBlk", "SigIgn") if int(fields[name].strip(), 16) & _SIGINT_BIT]
    return " and ".join(f"SIGINT in {name}" for name in why)


def ctrl_c(proc: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """Press Ctrl-C on a child started with `takes_ctrl_c`; what it wrote until it ended."""
    assert not ctrl_c_blocked_or_ignored(proc.pid), ctrl_c_blocked_or_ignored(proc.pid)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=timeout)


@contextmanager
def reaped(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """A child the test leaves running (a wait that timed out, a failed assertion) is killed, not orphaned."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
