"""`loanqa report` refuses what the gate refuses, in one line with exit 2, before Allure ever runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.errors import ResultsError
from loanqa.report import build
from loanqa.report.history import find_previous
from tests.unit.gate_factory import write_result


def _report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loanqa.cli.main", "report", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "NO_COLOR": "1"}, check=False)


@pytest.mark.parametrize(("body", "problem"), [(b"", "corrupt result file (empty)"),
                                               (b'{"name": "half', "corrupt result file (invalid JSON")])
def test_empty_or_corrupt_result_is_one_line_exit_2(tmp_path: Path, body: bytes, problem: str) -> None:
    results = tmp_path / "r"
    write_result(results, "ok")
    (results / "bad-result.json").write_bytes(body)
    done = _report("--results", str(results), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "bad-result.json" in done.stderr and problem in done.stderr
    assert not (tmp_path / "out").exists()


def test_garbage_history_is_one_line_exit_2(tmp_path: Path) -> None:
    results = tmp_path / "r"
    write_result(results, "ok")
    garbage = tmp_path / "history.jsonl"
    garbage.write_bytes(b"\x7fELF\x02\x01\x01 not a history at all")
    done = _report("--results", str(results), "--out", str(tmp_path / "out"), "--history-from", str(garbage))
    assert done.returncode == 2
    assert done.stderr == (f"loanqa: error: {garbage}: line 1: --history-from: not Allure history (invalid JSON)\n")


def test_history_lines_must_be_allure_entries(tmp_path: Path) -> None:
    wrong = tmp_path / "h.jsonl"
    wrong.write_text('{"timestamp": 1, "testResults": {}}\n\n[1, 2]\n')
    with pytest.raises(ResultsError, match=r"h\.jsonl: line 3: --history-from: not an Allure history entry"):
        find_previous(wrong)


def test_history_from_a_folder_that_is_no_report(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ResultsError, match="not a report directory"):
        find_previous(tmp_path)
    (tmp_path / "index.html").write_text("<html>")
    assert find_previous(tmp_path) is None, "a report built without history is fine"


def test_history_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "history.jsonl")
    with pytest.raises(ResultsError, match="history file is a FIFO"):
        find_previous(tmp_path)


def test_report_refuses_a_result_from_the_future(tmp_path: Path) -> None:
    write_result(tmp_path / "r", "ok", start=32503680000000, stop=32503680001000)
    with pytest.raises(ResultsError, match="is in the future"):
        build([tmp_path / "r"], tmp_path / "out")
