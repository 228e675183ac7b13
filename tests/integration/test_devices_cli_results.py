"""`loanqa devices` as a user runs it: earlier results are kept unless asked, and a lab that is down has
its own exit code with one line per device (a dead Appium URL: nothing heavy starts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from loanqa.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "devicetests" / "matrices" / "ci-emulated.yaml"


def _devices(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    dead = f"http://127.0.0.1:{free_port()}"
    argv = [str(Path(sys.executable).with_name("loanqa")), "--state-dir", str(tmp_path / "state"), "devices",
            "--matrix", str(MATRIX), "--appium-url", dead, "--target", dead, "-n", "0",
            "--alluredir", str(tmp_path / "ar"), *args]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_results_accumulate_unless_clean_alluredir_and_lab_down_exits_4(tmp_path: Path) -> None:
    first = _devices(tmp_path, "--device", "pixel-7", "-k", "esign")
    assert first.returncode == 4, first.stderr
    assert first.stderr.strip().splitlines()[-1] == ("loanqa: error: every device result is broken: the device "
                                                     "lab is down (one line per device above)")
    assert "Traceback" not in first.stdout + first.stderr
    assert "  pixel-7: Appium at http://127.0.0.1:" in first.stdout
    second = _devices(tmp_path, "--device", "iphone-se", "-k", "esign")
    assert second.returncode == 4
    assert len(list((tmp_path / "ar").glob("*-result.json"))) == 2, "the first run's result was deleted"
    third = _devices(tmp_path, "--device", "iphone-se", "-k", "esign", "--clean-alluredir")
    assert third.returncode == 4
    assert len(list((tmp_path / "ar").glob("*-result.json"))) == 1
