"""Background processes with PID files, logs and real readiness checks (no sleeps).

A PID file records pid, port, URL and the argv it was started with, so a stale file (process gone,
or the PID reused by something else) is recognised and replaced rather than trusted.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from loanqa import atomic
from loanqa.errors import ComponentError
from loanqa.process_group import ProcessGroup, pid_alive

_STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class ProcessSpec:
    """How to start one component and how to know it is ready."""

    name: str
    argv: Sequence[str]
    port: int
    ready_url: str
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None


@dataclass(frozen=True)
class Running:
    name: str
    pid: int
    port: int
    url: str
    argv: list[str]
    log: str
    started_at: float
    managed: bool = True  # False: found already running and not ours to stop


def http_ready(url: str, timeout: float = 2.0) -> bool:
    """True when the URL answers below 500 (a 4xx still proves the server is listening)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "loanqa"}),
                                    timeout=timeout) as resp:
            return int(resp.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


class ProcessManager:
    """Starts, finds and stops components; state lives in `state_dir` (PID files, logs)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        (state_dir / "logs").mkdir(parents=True, exist_ok=True)
        (state_dir / "pids").mkdir(parents=True, exist_ok=True)

    def _pidfile(self, name: str) -> Path:
        return self.state_dir / "pids" / f"{name}.json"

    def log_path(self, name: str) -> Path:
        return self.state_dir / "logs" / f"{name}.log"

    def find(self, name: str) -> Running | None:
        """The recorded process if it is still alive; a stale PID file is removed."""
        path = self._pidfile(name)
        try:
            running = Running(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            path.unlink(missing_ok=True)
            return None
        if not pid_alive(running.pid) or not _cmdline_matches(running.pid, running.argv):
            path.unlink(missing_ok=True)
            return None
        return running

    def start(self, spec: ProcessSpec, ready_timeout: float) -> Running:
        """Start `spec` unless a healthy copy is already running; wait until it answers."""
        existing = self.find(spec.name)
        if existing is not None:
            if http_ready(existing.url):
                return existing
            self.stop(spec.name)
        if http_ready(spec.ready_url):
            raise ComponentError(
                f"{spec.name}: port {spec.port} already answers at {spec.ready_url} but was not started by "
                f"loanqa; stop it or choose another port")
        log = self.log_path(spec.name)
        env = {**os.environ, **spec.env}
        with log.open("ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {' '.join(spec.argv)}\n".encode())
            out.flush()
            try:
                group = ProcessGroup.start(spec.argv, env=env, cwd=spec.cwd, stdout=out)
            except OSError as exc:
                raise ComponentError(f"{spec.name}: cannot start {spec.argv[0]}: {exc}") from None
        running = Running(spec.name, group.pid, spec.port, spec.ready_url, list(spec.argv), str(log), time.time())
        atomic.write_text(self._pidfile(spec.name), json.dumps(asdict(running)))
        try:
            self._wait_ready(spec, group, log, ready_timeout)
        except BaseException:
            # The caller learns of this process only when start returns: a Ctrl-C (or a failure) while it
            # starts up must not leave it running unrecorded by anyone.
            self._pidfile(spec.name).unlink(missing_ok=True)
            group.stop(_STOP_GRACE_S)
            raise
        return running

    def _wait_ready(self, spec: ProcessSpec, group: ProcessGroup, log: Path, ready_timeout: float) -> None:
        deadline = time.monotonic() + ready_timeout
        delay = 0.05
        while time.monotonic() < deadline:
            if not group.alive():
                raise ComponentError(f"{spec.name} exited with code {group.returncode} while starting; "
                                     f"last log lines:\n{tail(log)}")
            if http_ready(spec.ready_url):
                return
            time.sleep(delay)  # polling interval of the readiness check, not a readiness stand-in
            delay = min(delay * 1.5, 0.5)
        raise ComponentError(f"{spec.name} did not answer {spec.ready_url} within {ready_timeout:.0f}s; "
                             f"last log lines:\n{tail(log)}")

    def stop(self, name: str, grace: float = _STOP_GRACE_S) -> bool:
        """SIGTERM the process group, SIGKILL after `grace`; True if something was stopped."""
        running = self.find(name)
        self._pidfile(name).unlink(missing_ok=True)
        if running is None:
            return False
        ProcessGroup(running.pid).stop(grace)
        return True


def _cmdline_matches(pid: int, argv: list[str]) -> bool:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the PID
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    return bool(parts) and any(Path(argv[-1]).name in p or argv[-1] in p for p in parts[-len(argv):])


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
