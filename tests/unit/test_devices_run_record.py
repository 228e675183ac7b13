"""An interrupted device run marks its results incomplete, and the gate refuses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loanqa.config.loader import validate
from loanqa.gate import Policy, evaluate
from loanqa.ports import free_port
from loanqa.run_manifest import FILE_NAME, read_manifest

pytest_plugins = ["pytester"]
MATRIX = Path(__file__).resolve().parents[2] / "devicetests" / "matrices" / "ci-emulated.yaml"

SUITE = """
import pytest

@pytest.mark.parametrize("step", range(3))
def test_flow(device, step):
    if STOP_AT == (device.name, step):
        raise KeyboardInterrupt
    assert FAIL_AT != (device.name, step)
"""


def run(pytester: pytest.Pytester, stop_at: object = None, fail_at: object = None, *args: str) -> Path:
    pytester.makepyfile(test_suite=SUITE.replace("STOP_AT", repr(stop_at)).replace("FAIL_AT", repr(fail_at)))
    dead = f"http://127.0.0.1:{free_port()}"
    out = pytester.path / "allure-results"
    pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--device", "iphone-se",
                                  "--appium-url", dead, "--target", dead, "--alluredir", str(out), "--clean-alluredir",
                                  "-p", "no:randomly", "-p", "no:cacheprovider", *args)
    return out


def _gate(results: Path) -> dict[str, bool]:
    pol = validate({"name": "t", "min_passed": {"total": 1}}, Policy, "t.yaml")
    return {r.rule: r.passed for r in evaluate([results], pol).rules}


def test_finished_run_is_recorded_complete(pytester: pytest.Pytester) -> None:
    out = run(pytester)
    record = read_manifest(out)
    assert record is not None and record.complete and record.kind == "device" and record.finished_at
    assert record.target is not None and record.target.startswith("http://127.0.0.1:")
    assert _gate(out)["run.complete"]


def test_interrupted_run_is_recorded_incomplete_and_refused(pytester: pytest.Pytester) -> None:
    out = run(pytester, stop_at=("iphone-se", 0))
    passed = [r for p in out.glob("*-result.json") if (r := json.loads(p.read_text()))["status"] == "passed"]
    assert passed, "some results were written before the interrupt"
    record = json.loads((out / FILE_NAME).read_text())
    assert record["complete"] is False and "exit status 2, interrupted" in record["reason"]
    verdict = _gate(out)
    assert verdict["run.complete"] is False


def test_run_stopped_by_maxfail_is_incomplete(pytester: pytest.Pytester) -> None:
    out = run(pytester, None, ("pixel-7", 0), "-x")
    record = read_manifest(out)
    assert record is not None and not record.complete and "stopped before its last test" in record.reason


KILLER = """
import os, signal, time

def test_flow(device):
    if device.name == "iphone-se":
        time.sleep(0.5)
        os.kill(os.getppid(), signal.SIGKILL)  # the xdist controller: killed outright, no session end
"""


def test_killed_parallel_run_keeps_its_not_finished_record(pytester: pytest.Pytester) -> None:
    """Workers apply --clean-alluredir after the controller wrote the record; it must still be there."""
    pytester.makepyfile(test_killer=KILLER)
    dead = f"http://127.0.0.1:{free_port()}"
    out = pytester.path / "allure-results"
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--device", "iphone-se",
                                           "--appium-url", dead, "--target", dead, "--alluredir", str(out),
                                           "--clean-alluredir", "-n", "2", "--dist", "loadgroup",
                                           "-p", "no:randomly", "-p", "no:cacheprovider", timeout=120)
    assert result.ret == -9
    record = read_manifest(out)
    assert record is not None and not record.complete and record.finished_at is None
    assert "has not finished" in record.reason
