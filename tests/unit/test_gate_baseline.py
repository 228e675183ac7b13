"""`loanqa gate --baseline`: a crafted regression fails showing both values and the change; an improvement passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from loanqa.config.loader import validate
from loanqa.errors import ConfigError, ResultsError
from loanqa.gate import Policy, Verdict, evaluate
from loanqa.load_summary import Funnel, Latency, LoadSummary, StepStats
from tests.unit.gate_factory import write_result

POLICY = """
name: regression
load: {required: true, slo_results_must_pass: false}
baseline:
  max_change:
    - {metric: p95_ms, step: apply, max_worse_pct: 15}
    - {metric: disbursement_success, max_worse_pp: 0.5}
"""


def run(folder: Path, run_id: str, apply_p95: float, disbursed: int, requests: int = 500) -> Path:
    """A load run folder as `loanqa load --out` leaves it: summary.json beside allure-results."""
    results = folder / "allure-results"
    write_result(results, "apply p95", labels={"kind": "load", "feature": "Loan application"}, run_id=run_id,
                 start=1_000, stop=60_000)
    LoadSummary(run_id=run_id, target="http://127.0.0.1:1", shape="double-11", started_at=0, finished_at=60,
                steps={"apply": StepStats(requests=requests, successes=requests,
                                               latency=Latency(count=requests, p95=apply_p95))},
                funnel=Funnel(started=1000, approved=1000, signed=1000, disbursed=disbursed)).write(folder)
    return results


def policy(text: str = POLICY) -> Policy:
    return validate(yaml.safe_load(text), Policy, "regression.yaml")


def rules(v: Verdict) -> dict[str, tuple[bool, str]]:
    return {r.rule: (r.passed, r.detail) for r in v.rules if r.rule.startswith("baseline.")}


def test_crafted_regression_fails_showing_both_values_and_the_change(tmp_path: Path) -> None:
    run(tmp_path / "prev", "rel-41", apply_p95=800, disbursed=996)
    current = run(tmp_path / "now", "rel-42", apply_p95=1000, disbursed=989)
    v = evaluate([current], policy(), baseline=tmp_path / "prev")
    got = rules(v)
    assert got["baseline.p95_ms.apply"] == (
        False, "800 ms → 1000 ms (+25.0 %; may worsen by at most 15 %) vs baseline rel-41")
    assert got["baseline.disbursement_success"] == (
        False, "99.60% → 98.90% (-0.70 pp; may worsen by at most 0.5 pp) vs baseline rel-41")
    assert not v.passed


def test_improvement_and_small_noise_pass(tmp_path: Path) -> None:
    run(tmp_path / "prev", "rel-41", apply_p95=800, disbursed=996)
    current = run(tmp_path / "now", "rel-42", apply_p95=900, disbursed=992)  # +12.5 %, -0.4 pp: within limits
    assert all(ok for ok, _ in rules(evaluate([current], policy(), baseline=tmp_path / "prev")).values())
    better = run(tmp_path / "better", "rel-43", apply_p95=500, disbursed=1000)
    v = evaluate([better], policy(), baseline=tmp_path / "prev" / "summary.json")
    assert rules(v)["baseline.p95_ms.apply"] == (
        True, "800 ms → 500 ms (-37.5 %; may worsen by at most 15 %) vs baseline rel-41")
    assert v.passed


def test_a_p95_of_a_few_requests_is_never_compared(tmp_path: Path) -> None:
    """One slow request in a tiny run must not fail a release, nor one fast request pass it."""
    run(tmp_path / "prev", "rel-41", apply_p95=800, disbursed=996)
    tiny = run(tmp_path / "tiny", "rel-42", apply_p95=300, disbursed=996, requests=5)
    ok, detail = rules(evaluate([tiny], policy(), baseline=tmp_path / "prev"))["baseline.p95_ms.apply"]
    assert not ok, "fails closed by default"
    assert detail == ("insufficient (baseline.too_few_samples: fail): apply p95_ms on 500 samples in baseline "
                      "rel-41 and 5 in this run; needs 30 on each side")
    warned = evaluate([tiny], policy(POLICY.replace("baseline:\n", "baseline:\n  too_few_samples: warn\n")),
                      baseline=tmp_path / "prev")
    assert rules(warned)["baseline.p95_ms.apply"][0] and "baseline.p95_ms.apply" in [r.rule for r in warned.warnings]
    own_floor = policy(POLICY.replace("max_worse_pct: 15}", "max_worse_pct: 15, min_samples: 5}"))
    ok, detail = rules(evaluate([tiny], own_floor, baseline=tmp_path / "prev"))["baseline.p95_ms.apply"]
    assert ok and detail.startswith("800 ms → 300 ms"), "a limit's own floor overrides the block's"


def test_baseline_from_a_loanqa_run_folder(tmp_path: Path) -> None:
    run(tmp_path / "run-prev" / "load", "rel-41", apply_p95=800, disbursed=996)
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    assert evaluate([current], policy(), baseline=tmp_path / "run-prev").passed


def test_metric_the_baseline_did_not_measure_fails_closed(tmp_path: Path) -> None:
    prev = tmp_path / "prev"
    LoadSummary(run_id="old", target="t", shape="s", started_at=0, finished_at=1).write(prev)
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    ok, detail = rules(evaluate([current], policy(), baseline=prev))["baseline.p95_ms.apply"]
    assert not ok and detail.startswith("apply p95_ms: not measured in baseline old")


def test_the_run_itself_is_no_baseline(tmp_path: Path) -> None:
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    assert not rules(evaluate([current], policy(), baseline=tmp_path / "now"))["baseline.distinct"][0]


def test_baseline_required_but_not_given(tmp_path: Path) -> None:
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    pol = policy(POLICY.replace("baseline:\n", "baseline:\n  required: true\n"))
    assert rules(evaluate([current], pol)) == {"baseline.given": (False, "no --baseline given (the policy requires "
                                                                         "one)")}


def test_baseline_flag_without_limits_in_the_policy_is_a_usage_error(tmp_path: Path) -> None:
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    with pytest.raises(ConfigError, match=r"--baseline: .*policy 'p' sets no baseline\.max_change"):
        evaluate([current], policy("name: p\n"), baseline=tmp_path / "now")


def test_baseline_folder_without_a_summary_is_named(tmp_path: Path) -> None:
    current = run(tmp_path / "now", "rel-42", apply_p95=800, disbursed=996)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match=r"empty: --baseline: no summary\.json or load/summary\.json"):
        evaluate([current], policy(), baseline=tmp_path / "empty")


@pytest.mark.parametrize(("limit", "problem"), [
    ({"metric": "p95_ms", "step": "apply", "max_worse_pp": 1}, "percentage points are for rates"),
    ({"metric": "p95_ms", "max_worse_pct": 1}, "needs the journey step"),
    ({"metric": "disbursement_success", "max_worse_pct": 1, "max_worse_pp": 1}, "exactly one of"),
    ({"metric": "latency", "max_worse_pct": 1}, "Input should be")])
def test_bad_limits_name_the_key(limit: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=rf"regression\.yaml: baseline\.max_change\[0\].*{problem}"):
        validate({"baseline": {"max_change": [limit]}}, Policy, "regression.yaml")


def test_cli_prints_the_regression_and_exits_1(tmp_path: Path) -> None:
    run(tmp_path / "prev", "rel-41", apply_p95=800, disbursed=996)
    current = run(tmp_path / "now", "rel-42", apply_p95=1000, disbursed=996)
    (tmp_path / "p.yaml").write_text(POLICY)
    done = subprocess.run([sys.executable, "-m", "loanqa.cli.main", "gate", "--results", str(current), "--policy",
                           str(tmp_path / "p.yaml"), "--baseline", str(tmp_path / "prev"), "--format", "markdown"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert done.returncode == 1
    assert "| ❌ | Regression vs baseline: apply p95_ms | 800 ms → 1000 ms (+25.0 %" in done.stdout
    assert done.stderr.strip() == "loanqa: error: release gate failed (regression): baseline.p95_ms.apply"
