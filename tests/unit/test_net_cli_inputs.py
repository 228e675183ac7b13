"""`loanqa net`: a missing --profiles-dir and a --run-id with path characters are one-line usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _net(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loanqa.cli.main", "net", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "NO_COLOR": "1"}, check=False)


def test_list_with_missing_profiles_dir_is_exit_2(tmp_path: Path) -> None:
    done = _net("list", "--profiles-dir", str(tmp_path / "nope"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"loanqa: error: {tmp_path / 'nope'}: --profiles-dir: no such directory\n"


def test_profiles_dir_that_is_a_file_is_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "f.yaml"
    f.write_text("x: 1")
    done = _net("show", "3g", "--profiles-dir", str(f))
    assert done.returncode == 2 and done.stderr.endswith("--profiles-dir: not a directory\n")


@pytest.mark.parametrize("run_id", ["../../x y", "a/b", "-rf", "x" * 42, "a;b", ""])
def test_run_id_with_path_characters_is_refused_before_toxiproxy(run_id: str) -> None:
    for cmd in (["apply", "3g", "--upstream", "127.0.0.1:1", "--toxiproxy-url", "http://127.0.0.1:9"],
                ["clear", "--toxiproxy-url", "http://127.0.0.1:9"]):
        done = _net(*cmd, f"--run-id={run_id}")
        assert done.returncode == 2, done.stderr
        assert done.stderr == (f"loanqa: error: --run-id: {run_id!r}: use 1-41 letters, digits or dashes, "
                               "starting with a letter or digit\n")
