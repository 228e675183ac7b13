"""History carry-over: Allure 3 appends each run to a JSONL file (allurerc `historyPath`).

A report built by loanqa keeps that file at `history/history.jsonl` inside itself, so the next run
only needs the previous report directory (a CI artifact or cache) to show trends and flaky tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from loanqa.errors import ResultsError

IN_REPORT = Path("history") / "history.jsonl"


def find_previous(history_from: Path) -> Path | None:
    """The history file of a previous report dir (or the file itself); a missing dir is a user error."""
    if not history_from.exists():
        raise ResultsError(f"{history_from}: --history-from: no such report directory or history file")
    if history_from.is_file():
        return history_from
    for candidate in (history_from / IN_REPORT, history_from / "history.jsonl"):
        if candidate.is_file():
            return candidate
    return None


def stage(previous: Path | None, staging: Path) -> Path:
    """Copy the previous history where Allure may append to it; the previous report stays untouched."""
    staging.mkdir(parents=True, exist_ok=True)
    target = staging / "history.jsonl"
    if previous is not None:
        shutil.copyfile(previous, target)
    return target


def entries(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())
