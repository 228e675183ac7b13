"""`loanqa gate` as CI runs it: on real allure-pytest output, exit 0/1/2, text, Markdown and JSON verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from loanqa.cli.main import cli
from loanqa.errors import LoanQAError
from tests.unit.gate_factory import write_result

pytest_plugins = ["pytester"]

SUITE = '''
import allure, pytest

@allure.feature("disbursement")
@allure.label("kind", "device")
@allure.label("tier", "mid")
@pytest.mark.parametrize("platform", ["android", "ios"])
def test_disburse(platform):
    allure.dynamic.label("platform", platform)
    allure.dynamic.label("device", f"{platform}-phone")

@allure.feature("face")
@allure.label("kind", "device")
@allure.label("platform", "android")
@allure.label("device", "Redmi 9A")
@allure.label("tier", "entry")
def test_liveness_dark():
    assert FACE_OK, "[face] liveness failed: too dark"
'''

POLICY = """
name: ci-test
min_tests: {total: 3, per_platform: {android: 2, ios: 1}}
critical: {features: [disbursement, face]}
max_failures: 0
"""


def allure_results(pytester: pytest.Pytester, face_ok: bool) -> Path:
    pytester.makepyfile(test_suite=SUITE.replace("FACE_OK", str(face_ok)))
    out = pytester.path / "allure-results"
    pytester.runpytest_inprocess("--alluredir", str(out), "-p", "no:randomly", "-p", "no:cacheprovider")
    assert len(list(out.glob("*-result.json"))) == 3
    return out


def invoke(*args: str) -> tuple[int, str, Result]:
    """Exit code as `loanqa` would give it: a LoanQAError carries its own."""
    res = CliRunner().invoke(cli, ["gate", *args], env={"COLUMNS": "80", "NO_COLOR": "1"})
    exc = res.exception
    if isinstance(exc, LoanQAError):
        return exc.exit_code, str(exc), res
    assert exc is None or isinstance(exc, SystemExit), res.output
    return res.exit_code, "", res


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    p = tmp_path / "policy.yaml"
    p.write_text(POLICY, encoding="utf-8")
    return p


def test_failing_critical_feature_exits_1_and_names_the_test(
        pytester: pytest.Pytester, policy_file: Path, tmp_path: Path) -> None:
    results = allure_results(pytester, face_ok=False)
    md, js = tmp_path / "gate.md", tmp_path / "gate.json"
    code, err, res = invoke("--results", str(results), "--policy", str(policy_file),
                            "--markdown-out", str(md), "--json-out", str(js))
    assert code == 1
    assert "critical.face" in err and "max_failures" in err
    assert "✗ Critical feature face: zero failures [critical.face]" in res.output
    assert "test_liveness_dark [device=Redmi 9A, platform=android]" in res.output
    assert "Release gate FAILED (ci-test)" in res.output
    assert max(len(line) for line in res.output.splitlines()) <= 80
    assert md.read_text(encoding="utf-8").startswith("## ❌ Release gate FAILED")
    verdict = json.loads(js.read_text(encoding="utf-8"))
    assert verdict["passed"] is False and verdict["exit_code"] == 1
    face = next(r for r in verdict["rules"] if r["rule"] == "critical.face")
    assert "AssertionError: [face] liveness failed: too dark" in face["offenders"][0]


def test_passing_run_exits_0_with_json_on_stdout(pytester: pytest.Pytester, policy_file: Path) -> None:
    results = allure_results(pytester, face_ok=True)
    code, _, res = invoke("--results", str(results), "--policy", str(policy_file), "--format", "json")
    assert code == 0
    verdict = json.loads(res.output)
    assert verdict["passed"] is True
    assert verdict["stats"]["tests"] == 3 and verdict["stats"]["passed"] == 3


@pytest.mark.parametrize("case", ["missing", "empty", "corrupt"])
def test_unusable_results_exit_2(tmp_path: Path, policy_file: Path, case: str) -> None:
    results = tmp_path / "allure-results"
    if case != "missing":
        results.mkdir()
    if case == "corrupt":
        write_result(results, "ok")
        (results / "broken-result.json").write_bytes(b"\x00\xff{")
    code, err, _ = invoke("--results", str(results), "--policy", str(policy_file))
    assert code == 2
    assert str(results) in err


def test_bad_policy_exits_2_naming_file_key_value(tmp_path: Path) -> None:
    write_result(tmp_path / "r", "ok")
    pol = tmp_path / "p.yaml"
    pol.write_text("pass_rate:\n  by_tier: {entry: lots}\n", encoding="utf-8")
    code, err, _ = invoke("--results", str(tmp_path / "r"), "--policy", str(pol))
    assert code == 2
    assert err.startswith(f"{pol}: pass_rate.by_tier.entry: 'lots': ")


def test_installed_script_exit_codes(tmp_path: Path, policy_file: Path) -> None:
    script = Path(sys.executable).parent / "loanqa"
    assert script.is_file(), "the loanqa script is missing: run `bash ci/setup.sh` (pip install -e .)"
    results = tmp_path / "allure-results"
    for i in range(3):
        write_result(results, f"t{i}", labels={"platform": "android" if i else "ios", "feature": "disbursement"})
    write_result(results, "face", labels={"feature": "face"})
    run = [str(script), "gate", "--results", str(results), "--policy", str(policy_file)]
    ok = subprocess.run(run, capture_output=True, text=True, timeout=60, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert ok.returncode == 0, ok.stderr
    assert "Release gate PASSED (ci-test)" in ok.stdout
    (results / "zz-result.json").write_text("{not json", encoding="utf-8")
    bad = subprocess.run(run, capture_output=True, text=True, timeout=60, env={"NO_COLOR": "1"})
    assert bad.returncode == 2
    assert bad.stderr.startswith(f"loanqa: error: {results / 'zz-result.json'}: corrupt result file")
    assert "Traceback" not in bad.stderr
