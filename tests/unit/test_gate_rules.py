"""Each rule family passes on good crafted results and fails, naming the offenders, on bad ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from loanqa.config.loader import validate
from loanqa.errors import ConfigError
from loanqa.gate import Policy, Verdict, evaluate
from loanqa.load_summary import Funnel, Latency, LoadSummary, StepStats
from loanqa.slo import SloResult
from loanqa.taxonomy import Cause
from tests.unit.gate_factory import device, write_result

TODAY = dt.date(2026, 6, 1)


def policy(**data: Any) -> Policy:
    return validate(data, Policy, "test-policy.yaml")


def judge(dirs: list[Path], pol: Policy, **kw: Any) -> Verdict:
    return evaluate(dirs, pol, today=TODAY, **kw)


def rule(v: Verdict, name: str) -> tuple[bool, str, tuple[str, ...]]:
    (r,) = [r for r in v.rules if r.rule == name]
    return r.passed, r.detail, r.offenders


def test_min_tests_per_platform_fails_on_missing_platform(tmp_path: Path) -> None:
    write_result(tmp_path, "a", labels=device("android"))
    write_result(tmp_path, "b", labels=device("android"))
    v = judge([tmp_path], policy(min_tests={"total": 2, "per_platform": {"android": 2, "ios": 1}}))
    assert rule(v, "min_tests.total")[0]
    assert rule(v, "min_tests.per_platform.android")[0]
    ok, _, offenders = rule(v, "min_tests.per_platform.ios")
    assert not ok and "missing from the results" in offenders[0]
    assert v.exit_code == 1


def test_min_tests_per_suite_and_kind(tmp_path: Path) -> None:
    write_result(tmp_path, "a", labels=device())
    v = judge([tmp_path], policy(min_tests={"per_suite": {"devicetests": 1}, "per_kind": {"load": 1}}))
    assert rule(v, "min_tests.per_suite.devicetests")[0]
    assert not rule(v, "min_tests.per_kind.load")[0]


def test_critical_feature_zero_failures(tmp_path: Path) -> None:
    write_result(tmp_path, "pay_ok", labels=device(feature="disbursement"))
    bad = write_result(tmp_path, "sign_dark", "failed", message="AssertionError: [esign] stalled",
                       labels=device(feature="esign", dev="Redmi 9A"))
    write_result(tmp_path, "other_fail", "failed", labels=device(feature="profile"))
    v = judge([tmp_path], policy(critical={"features": ["disbursement", "esign", "face"]}))
    assert rule(v, "critical.disbursement")[0]
    ok, _, offenders = rule(v, "critical.esign")
    assert not ok
    assert offenders == (f"sign_dark [device=Redmi 9A, platform=android] ({bad.name}) failed: "
                         "AssertionError: [esign] stalled",)
    ok, detail, offenders = rule(v, "critical.face")
    assert not ok and "no tests found" in detail
    assert offenders == ("feature=face: none found (missing from the results)",)


def test_critical_skipped_counts_unless_allowed(tmp_path: Path) -> None:
    write_result(tmp_path, "pay", "skipped", labels=device())
    write_result(tmp_path, "pay2", labels=device())
    assert not rule(judge([tmp_path], policy(critical={"features": ["disbursement"]})), "critical.disbursement")[0]
    allowed = policy(critical={"features": ["disbursement"], "allow_skipped": True})
    assert rule(judge([tmp_path], allowed), "critical.disbursement")[0]


def test_pass_rate_per_tier_and_platform(tmp_path: Path) -> None:
    for i in range(9):
        write_result(tmp_path, f"ok{i}", labels=device("ios", "entry"))
    write_result(tmp_path, "bad", "failed", message="[compatibility] button hidden", labels=device("ios", "entry"))
    write_result(tmp_path, "flag", labels=device("android", "flagship"))
    pol = policy(pass_rate={"overall": 0.9, "by_tier": {"entry": 0.95, "flagship": 1.0, "mid": 0.5},
                            "by_platform": {"ios": 0.9}})
    v = judge([tmp_path], pol)
    assert rule(v, "pass_rate.overall")[0]
    assert rule(v, "pass_rate.by_platform.ios")[0]
    assert rule(v, "pass_rate.by_tier.flagship")[0]
    ok, detail, offenders = rule(v, "pass_rate.by_tier.entry")
    assert not ok and detail.startswith("90.0% of 10") and "bad" in offenders[0]
    assert not rule(v, "pass_rate.by_tier.mid")[0]  # configured tier with no results fails closed


def test_broken_ceiling(tmp_path: Path) -> None:
    write_result(tmp_path, "ok", labels=device())
    write_result(tmp_path, "lab1", "broken", message="[infrastructure] device offline", labels=device())
    write_result(tmp_path, "lab2", "broken", message="[infrastructure] session not created", labels=device())
    v = judge([tmp_path], policy(broken={"max_count": 1, "max_rate": 0.7}))
    ok, _, offenders = rule(v, "broken.max_count")
    assert not ok and len(offenders) == 2
    assert rule(v, "broken.max_rate")[0]


def test_max_failures_max_duration_and_flaky(tmp_path: Path) -> None:
    write_result(tmp_path, "slow", start=0, stop=90_000)
    write_result(tmp_path, "retry", "failed", history_id="r", start=1, stop=2)
    write_result(tmp_path, "retry", "passed", history_id="r", start=3, stop=4)
    write_result(tmp_path, "f", "failed", message="[server_error] 500")
    v = judge([tmp_path], policy(max_failures=0, max_duration_ms=60_000, max_flaky=0))
    assert rule(v, "max_failures")[2][0].startswith("f (")
    assert "slow" in rule(v, "max_duration")[2][0]
    assert "passed on retry" in rule(v, "max_flaky")[2][0]
    assert not v.passed and v.stats.flaky == 1 and v.stats.retried == 1
    assert judge([tmp_path], policy(max_failures=1, max_duration_ms=100_000, max_flaky=1)).passed


def test_known_issue_waives_until_expiry(tmp_path: Path) -> None:
    write_result(tmp_path, "test_face_dark[entry]", "failed", message="[face] too dark", labels=device())
    write_result(tmp_path, "test_pay", labels=device())
    issue = {"match": "test_face_dark[entry]", "ticket": "LOAN-12", "expires": "2026-06-30"}
    valid = judge([tmp_path], policy(max_failures=0, known_issues=[issue]))
    assert valid.passed and valid.stats.waived == 1
    expired = judge([tmp_path], policy(max_failures=0, known_issues=[issue | {"expires": "2026-05-31"}]))
    ok, detail, offenders = rule(expired, "known_issues")
    assert not ok and "1 problem(s)" in detail
    assert offenders[0] == "LOAN-12 (test_face_dark[entry]) expired on 2026-05-31: fix it or renew the waiver"
    assert not rule(expired, "max_failures")[0]


def _summary(folder: Path, *, p95: float, slo_ok: bool = True, disbursed: int = 100, judged: bool = True) -> Path:
    st = StepStats(requests=200, successes=196, failures={Cause.NETWORK: 4}, latency=Latency(count=200, p95=p95))
    slo = SloResult(name="disburse p95", metric="p95_ms", threshold=2000, actual=p95, passed=slo_ok)
    s = LoadSummary(run_id="run-1", target="http://127.0.0.1:1", shape="double-11", network_mix="cn-2026",
                    started_at=0, finished_at=60, steps={"disburse": st},
                    funnel=Funnel(started=120, approved=100, signed=100, disbursed=disbursed),
                    slos=[slo] if judged else [])
    return s.write(folder)


def test_load_slos_per_step_from_summary_next_to_results(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    write_result(results, "slo", labels={"kind": "load"})
    _summary(tmp_path, p95=2500, slo_ok=False, disbursed=97)
    pol = policy(load={"slos": [
        {"metric": "disbursement_success", "min": 0.99},
        {"metric": "p95_ms", "step": "disburse", "max": 2000},
        {"metric": "technical_failure_rate", "step": "disburse", "max": 0.01},
        {"metric": "p95_ms", "step": "liveness", "profile": "3g-weak", "max": 6000}]})
    v = judge([results], pol)
    ok, _, offenders = rule(v, "load.slo.disburse_p95_ms")
    assert not ok and "p95_ms 2500, objective ≤ 2000, 200 samples" in offenders[0]
    ok, _, offenders = rule(v, "load.slo.disburse_technical_failure_rate")
    assert not ok and "technical_failure_rate 0.02, objective ≤ 0.01" in offenders[0]
    assert "causes: network 100% (4)" in offenders[0]
    assert "too few samples" in rule(v, "load.slo.liveness_p95_ms.3g-weak")[2][0]
    assert rule(v, "load.slo_results")[2] == ("disburse p95: failed: ",)
    assert "disbursement_success 0.97, objective ≥ 0.99, 100 samples" in rule(v, "load.slo.disbursement_success")[2][0]


def test_the_gate_fails_closed_below_the_policys_sample_floor(tmp_path: Path) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    summary = _summary(tmp_path / "elsewhere", p95=900)
    pol = policy(load={"min_samples": 500, "slos": [{"metric": "p95_ms", "step": "disburse", "max": 2000}]})
    v = judge([tmp_path], pol, summaries=[summary])
    ok, detail, _ = rule(v, "load.slo.disburse_p95_ms")
    assert not v.passed and not ok and detail.startswith("too few samples:")


def test_load_passes_within_slo(tmp_path: Path) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    summary = _summary(tmp_path / "elsewhere", p95=900)
    pol = policy(load={"slos": [{"metric": "disbursement_success", "min": 0.99},
                                {"metric": "p95_ms", "step": "disburse", "max": 2000},
                                {"metric": "technical_failure_rate", "step": "disburse", "max": 0.05}]})
    assert judge([tmp_path], pol, summaries=[summary]).passed


def test_load_required_but_no_summary_fails_closed(tmp_path: Path) -> None:
    write_result(tmp_path, "t")
    ok, detail, offenders = rule(judge([tmp_path], policy(load={})), "load.summary")
    assert not ok and "policy requires a load run" in detail
    assert offenders == (f"{tmp_path}: no summary.json in it or next to it",)


def test_a_load_run_that_judged_no_slo_fails_closed(tmp_path: Path) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    _summary(tmp_path, p95=900, judged=False)
    ok, detail, offenders = rule(judge([tmp_path], policy(load={})), "load.slo_results")
    assert not ok and detail.startswith("no SLO verdicts in run-1")
    assert "judged no SLO" in offenders[0]


@pytest.mark.parametrize(("bad", "said"), [
    ({"load": {"slos": [{"metric": "p95_ms", "step": "apply", "max": 1, "min_samples": 0}]}},
     "load.slos[0].min_samples: 0: Input should be greater than or equal to 1"),
    ({"max_failures": -1}, "max_failures: -1: Input should be greater than or equal to 0"),
    ({"pass_rate": {"overall": 1.5}}, "pass_rate.overall: 1.5: Input should be less than or equal to 1"),
    ({"maxFailures": 0}, "maxFailures: 0: unknown key"),
    ({"known_issues": [{"match": "x", "expires": "2026-01-01"}]},
     "known_issues[0].ticket: required key is missing"),
])
def test_policy_errors_name_key_and_value(bad: dict[str, Any], said: str) -> None:
    with pytest.raises(ConfigError) as err:
        policy(**bad)
    assert str(err.value) == f"test-policy.yaml: {said}"
