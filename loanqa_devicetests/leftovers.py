"""What a device run leaves behind when its pytest dies before `Runtime.close`: local stack processes, proxies.

Appium and refapp run in sessions of their own (so a Ctrl-C at the terminal reaches them only through the
suite), so killing pytest's group does not reach them. Their PID files (`<state>/stack`) and the proxy ledger
(`<state>/net`) are how the CLI, after an interrupted run, and `loanqa down` find and stop them.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loanqa.errors import LoanQAError
from loanqa.process_group import ProcessGroup
from loanqa.stack.process import ProcessManager
from loanqa.stack.stack import COMPONENTS
from loanqa_netprofiles.control import clear_abandoned

LEFTOVER_GRACE_S = 2.0  # a CI cancel kills the CLI 2.5 s after its SIGTERM: all of it gets one short grace


def stack_dir(state_dir: Path) -> Path:
    """Where a device run's local Appium, refapp and Toxiproxy keep PID files and logs."""
    return state_dir / "stack"


def net_dir(state_dir: Path) -> Path:
    """Where a device run's proxy ledger lives."""
    return state_dir / "net"


@dataclass
class Leftovers:
    stopped: list[str] = field(default_factory=list)
    proxies: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def stop_left_behind(state_dir: Path, names: Iterable[str] = COMPONENTS,
                     grace: float = LEFTOVER_GRACE_S) -> Leftovers:
    """Clear proxies whose run is dead (first: a local Toxiproxy holds them), then stop the recorded components,
    all signalled at once and SIGKILLed together after `grace`; nothing recorded, nothing done."""
    found = Leftovers()
    _clear_proxies(state_dir, found)
    if not (stack_dir(state_dir) / "pids").is_dir():
        return found
    pm = ProcessManager(stack_dir(state_dir))
    running = [(name, r) for name in names if (r := pm.find(name)) is not None]
    groups = [ProcessGroup(r.pid) for _, r in running]
    for group in groups:
        group.send(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for group in groups:
        group.stop(max(0.0, deadline - time.monotonic()))
    for name, _ in running:
        pm.stop(name, grace=0)  # only forgets the PID file: the process is gone
        found.stopped.append(name)
    return found


def _clear_proxies(state_dir: Path, found: Leftovers) -> None:
    try:
        cleared = clear_abandoned(net_dir(state_dir))
    except LoanQAError as exc:
        found.errors.append(str(exc))
        return
    for c in cleared:
        found.proxies += c.removed
        found.errors += [str(e) for e in c.errors]
