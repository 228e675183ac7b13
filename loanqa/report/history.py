"""History carry-over: Allure 3 appends each run to a JSONL file (allurerc `historyPath`).

A report built by loanqa keeps that file at `history/history.jsonl` inside itself, so the next run
only needs the previous report directory (a CI artifact or cache) to show trends and flaky tests.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from loanqa.errors import ResultsError
from loanqa.input_files import read_bounded

IN_REPORT = Path("history") / "history.jsonl"
MAX_HISTORY_BYTES = 128 * 1024 * 1024  # 30 runs of a large matrix stay well below this


def find_previous(history_from: Path) -> Path | None:
    """The history file of a previous report dir (or the file itself), checked to be Allure history.

    A missing path, a folder that is no report, or a file that is not Allure's JSONL history is a user
    error named in one line, before Allure would fail on it with a page of its own output.
    """
    if not os.path.lexists(history_from):
        raise ResultsError(f"{history_from}: --history-from: no such report directory or history file")
    if not history_from.is_dir():
        return check_history(history_from)
    for candidate in (history_from / IN_REPORT, history_from / "history.jsonl"):
        if os.path.lexists(candidate):
            return check_history(candidate, within=history_from)
    if (history_from / "index.html").is_file():
        return None  # a report built without history: this run starts one
    raise ResultsError(f"{history_from}: --history-from: not a report directory (no index.html, no history.jsonl)")


def check_history(path: Path, within: Path | None = None) -> Path:
    """Every line a JSON object with Allure's `timestamp` and `testResults`; an empty file is an empty history."""
    data = read_bounded(path, "history file", within=within, limit=MAX_HISTORY_BYTES)
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ResultsError(f"{path}: line {n}: --history-from: not Allure history (invalid JSON)") from None
        if not (isinstance(entry, dict) and isinstance(entry.get("testResults"), dict)
                and isinstance(entry.get("timestamp"), int)):
            raise ResultsError(f"{path}: line {n}: --history-from: not an Allure history entry "
                               "(expected an object with timestamp and testResults)")
    return path


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
