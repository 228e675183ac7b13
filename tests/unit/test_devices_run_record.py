"""An interrupted device run marks its results incomplete, and the gate refuses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loanqa.config.loader import validate
from loanqa.errors import ResultsError
from loanqa.gate import Policy, evaluate
from loanqa.ports import free_port
from loanqa.run_manifest import RunManifest, read_manifests

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


def run(pytester: pytest.Pytester, stop_at: object = None, fail_at: object = None, *args: str,
        clean: bool = True, dead: str | None = None) -> Path:
    pytester.makepyfile(test_suite=SUITE.replace("STOP_AT", repr(stop_at)).replace("FAIL_AT", repr(fail_at)))
    dead = dead or f"http://127.0.0.1:{free_port()}"
    out = pytester.path / "allure-results"
    pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--device", "iphone-se",
                                  "--appium-url", dead, "--target", dead, "--alluredir", str(out),
                                  *(["--clean-alluredir"] if clean else []),
                                  "-p", "no:randomly", "-p", "no:cacheprovider", *args)
    return out


def read_manifest(out: Path) -> RunManifest | None:
    """The one run's manifest in `out` (these tests write one run per folder unless they say otherwise)."""
    found = read_manifests(out)
    assert len(found) <= 1, found
    return found[0][1] if found else None


def _an_hour_earlier(out: Path) -> None:
    """Move a finished run's results and manifest an hour back, as if it ran then (beyond any clock-skew
    allowance, so a result checked against the wrong run's window is refused)."""
    for path in out.glob("*-result.json"):
        raw = json.loads(path.read_text())
        raw["start"] -= 3_600_000
        raw["stop"] -= 3_600_000
        path.write_text(json.dumps(raw))
    for path, m in read_manifests(out):
        path.write_text(m.model_copy(update={"started_at": m.started_at - 3600,
                                             "finished_at": (m.finished_at or m.started_at) - 3600}
                                     ).model_dump_json(by_alias=True))


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
    record = read_manifest(out)
    assert record is not None and record.complete is False and "exit status 2, interrupted" in record.reason
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


def test_a_second_run_into_the_same_folder_is_judged_with_the_first(pytester: pytest.Pytester) -> None:
    """Results are kept across runs (a re-run of a few tests after a fix): each is checked against its own run."""
    target = f"http://127.0.0.1:{free_port()}"  # a re-run goes to the same target
    out = run(pytester, dead=target)
    _an_hour_earlier(out)
    first = len(list(out.glob("*-result.json")))
    run(pytester, None, None, "-k", "pixel", clean=False, dead=target)
    runs = read_manifests(out)
    assert len(runs) == 2 and all(m.complete for _, m in runs), runs
    assert len(list(out.glob("*-result.json"))) > first
    verdict = _gate(out)
    assert verdict["run.complete"] and verdict["run.same_run"], verdict


def test_an_unfinished_second_run_in_the_folder_is_still_refused(pytester: pytest.Pytester) -> None:
    target = f"http://127.0.0.1:{free_port()}"
    out = run(pytester, dead=target)
    _an_hour_earlier(out)
    run(pytester, ("iphone-se", 0), None, clean=False, dead=target)
    assert sorted(m.complete for _, m in read_manifests(out)) == [False, True]
    assert _gate(out)["run.complete"] is False


def test_a_result_naming_a_run_the_folder_does_not_record_is_refused(pytester: pytest.Pytester) -> None:
    out = run(pytester)
    (path, manifest), = read_manifests(out)
    path.unlink()
    RunManifest(kind="device", run_id="someone-else", started_at=manifest.started_at,
                finished_at=manifest.finished_at, complete=True, reason="").write(out)
    with pytest.raises(ResultsError, match=f"written by run {manifest.run_id}, but .* holds no manifest of that run"):
        _gate(out)
