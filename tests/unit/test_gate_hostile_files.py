"""Hostile files in a results folder: one clear line naming the file, exit 2, never a hang or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.errors import ResultsError
from loanqa.gate.results import read_results
from loanqa.gate.summaries import find_summaries, read_all
from loanqa.input_files import read_bounded
from tests.unit.gate_factory import write_result

POLICY = "name: t\nload: {required: false}\n"


def _gate(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a subprocess: a hang shows as a timeout, a traceback as stderr lines."""
    return subprocess.run([sys.executable, "-m", "loanqa.cli.main", "gate", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"}, check=False)


def test_deeply_nested_result_is_one_line_exit_2(tmp_path: Path) -> None:
    results = tmp_path / "r"
    write_result(results, "ok")
    (results / "deep-result.json").write_text('{"name": "x", "status": "passed", "labels": '
                                              + "[" * 200_000 + "]" * 200_000 + "}")
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    done = _gate("--results", str(results), "--policy", str(policy))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "deep-result.json" in done.stderr and "nested" in done.stderr


def test_fifo_named_as_a_result_is_refused_not_waited_on(tmp_path: Path) -> None:
    results = tmp_path / "r"
    write_result(results, "ok")
    os.mkfifo(results / "x-result.json")
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    done = _gate("--results", str(results), "--policy", str(policy), timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("x-result.json: result file is a FIFO, not a regular file: refusing to read it")


def test_directory_named_as_a_result_is_refused(tmp_path: Path) -> None:
    write_result(tmp_path, "ok")
    (tmp_path / "d-result.json").mkdir()
    with pytest.raises(ResultsError, match=r"d-result\.json: result file is a directory"):
        read_results([tmp_path])


def test_oversized_result_is_refused_naming_file_and_limit(tmp_path: Path) -> None:
    write_result(tmp_path, "ok")
    big = tmp_path / "big-result.json"
    with big.open("wb") as fh:
        fh.truncate(17 * 1024 * 1024)  # sparse: the size is what matters, not the bytes
    with pytest.raises(ResultsError, match=r"big-result\.json: result file is 17\.0 MiB, over the 16\.0 MiB limit"):
        read_results([tmp_path])


def test_size_cap_also_holds_for_a_file_growing_while_read(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"x" * 2048)
    with pytest.raises(ResultsError, match="over the"):
        read_bounded(f, "result file", limit=1024)


def test_link_out_of_the_results_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps({"name": "x", "status": "passed"}))
    results = tmp_path / "r"
    write_result(results, "ok")
    (results / "l-result.json").symlink_to(outside)
    with pytest.raises(ResultsError, match=r"l-result\.json: result file is a link to .*secret\.json, outside"):
        read_results([results])


def test_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    real = write_result(tmp_path, "ok")
    (tmp_path / "alias-result.json").symlink_to(real.name)
    assert read_results([tmp_path]).files == 2


@pytest.mark.parametrize("body", [b"", b"   \n", b"\xff\xfe{]"])
def test_empty_or_binary_result_is_corrupt(tmp_path: Path, body: bytes) -> None:
    write_result(tmp_path, "ok")
    (tmp_path / "e-result.json").write_bytes(body)
    with pytest.raises(ResultsError, match=r"e-result\.json: corrupt result file"):
        read_results([tmp_path])


def test_fifo_summary_next_to_results_is_refused_by_name(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    write_result(results, "ok")
    os.mkfifo(tmp_path / "summary.json")
    found = find_summaries([results])
    with pytest.raises(ResultsError, match=r"summary\.json: load summary is a FIFO"):
        read_all(found)


def test_deeply_nested_summary_is_one_line(tmp_path: Path) -> None:
    s = tmp_path / "summary.json"
    s.write_text('{"run_id": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ResultsError) as err:
        read_all([s])
    assert "summary.json" in str(err.value) and "recursion" in str(err.value) and "\n" not in str(err.value)


def test_policy_that_is_a_fifo_or_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    results = tmp_path / "r"
    write_result(results, "ok")
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    done = _gate("--results", str(results), "--policy", str(fifo), timeout=30)
    assert (done.returncode, done.stderr) == (2, f"loanqa: error: {fifo}: not a regular file\n")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: " + "[" * 20_000 + "]" * 20_000 + "\n")
    done = _gate("--results", str(results), "--policy", str(deep))
    assert (done.returncode, done.stderr) == (2, f"loanqa: error: {deep}: nested too deeply to be a config file\n")
