"""The device run's `loanqa-run-<run id>.json`: written as "not finished" when the session starts, completed at its end.

An interrupted run (Ctrl-C, SIGTERM, `-x`) leaves some of a device's results, all possibly passed; the record
says the run did not finish, so the gate refuses it instead of judging part of the matrix as the whole.
A run killed outright never reaches its end and keeps the "not finished" record it started with.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from loanqa.run_manifest import RunManifest, file_name

_FINISHED = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)


def started(alluredir: Path, target: str, run_id: str) -> RunManifest:
    """`run_id` is the run's own (`loanqa devices --run-id`, or the one `loanqa run` gives all its steps)."""
    record = RunManifest(kind="device", run_id=run_id, target=target, started_at=time.time())
    record.write(alluredir)
    return record


def ensure(record: RunManifest, alluredir: Path) -> None:
    """Write the start record again if it is gone: xdist workers apply `--clean-alluredir` when they start,
    after the controller wrote it, and a run killed later must still leave its "not finished" record."""
    if not (alluredir / file_name(record.run_id)).exists():
        record.write(alluredir)


def finished(record: RunManifest, alluredir: Path, session: pytest.Session, exitstatus: int) -> None:
    reason = _why_incomplete(session, exitstatus)
    record.model_copy(update={"finished_at": time.time(), "complete": reason == "", "reason": reason}
                      ).write(alluredir)


def _why_incomplete(session: pytest.Session, exitstatus: int) -> str:
    if exitstatus not in _FINISHED:
        names = {int(c): c.name.lower() for c in pytest.ExitCode}
        return f"the device run ended early (pytest exit status {exitstatus}, {names.get(exitstatus, 'unknown')})"
    stopped = session.shouldstop or session.shouldfail
    if stopped:
        return f"the device run stopped before its last test: {stopped}"
    return ""
