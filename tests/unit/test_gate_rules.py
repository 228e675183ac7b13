"""Each rule family passes on good crafted results and fails, naming the offenders, on bad ones."""

from __future__ import annotations

import datetime as dt
import json
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
    assert pol.load is not None and pol.load.too_few_samples == "fail", "fail closed unless the policy says warn"
    v = judge([tmp_path], pol, summaries=[summary])
    ok, detail, offenders = rule(v, "load.slo.disburse_p95_ms")
    assert not v.passed and not ok and detail.startswith("insufficient (load.too_few_samples: fail):")
    assert "disburse p95_ms: too few samples: 200 of the 500 needed" in offenders[0]
    assert v.warnings == ()


def _short_run(folder: Path) -> Path:
    """A run whose rare profile got 3 approved borrowers against a floor of 10; everything else met."""
    st = StepStats(requests=200, successes=200, latency=Latency(count=200, p95=900))
    met = SloResult(name="disburse p95", metric="p95_ms", threshold=2000, actual=900, passed=True, verdict="passed",
                    samples=200)
    few = SloResult(name="disbursement success [festival]", metric="disbursement_success", threshold=0.98,
                    bound="min", actual=1.0, passed=False, verdict="insufficient", samples=3, min_samples=10,
                    profile="festival", detail="disbursement_success 1, objective ≥ 0.98, 3 samples "
                                               "(too few samples: at least 10 needed)")
    s = LoadSummary(run_id="run-1", target="http://127.0.0.1:1", shape="double-11", network_mix="cn-2026",
                    started_at=0, finished_at=60, steps={"disburse": st},
                    funnel=Funnel(started=120, approved=100, signed=100, disbursed=100), slos=[met, few])
    return s.write(folder)


@pytest.mark.parametrize("too_few", ["fail", "warn"])
def test_the_runs_slos_with_too_few_samples_fail_or_warn_as_the_policy_says(tmp_path: Path, too_few: str) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    path = _short_run(tmp_path)
    v = judge([tmp_path], policy(load={"too_few_samples": too_few}), summaries=[path])
    ok, detail, offenders = rule(v, "load.slo_results")
    assert detail.startswith(f"1 of 2 SLOs met in run-1 ({path}); 1 with too few samples "
                             f"(load.too_few_samples: {too_few})")
    assert offenders == ("disbursement success [festival]: too few samples on profile festival: 3 of the 10 "
                         "needed (disbursement_success 1 so far, objective ≥ 0.98)",)
    assert ok is (too_few == "warn") and v.passed is (too_few == "warn") and v.exit_code == (too_few == "fail")
    assert [r.rule for r in v.warnings] == (["load.slo_results"] if too_few == "warn" else [])
    assert v.to_dict()["warnings"] == [r.rule for r in v.warnings]


def test_a_missed_slo_still_fails_when_too_few_samples_only_warn(tmp_path: Path) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    summary = _short_run(tmp_path)
    data = json.loads(summary.read_text())
    data["slos"][0] |= {"passed": False, "verdict": "failed", "actual": 2500}
    summary.write_text(json.dumps(data))
    v = judge([tmp_path], policy(load={"too_few_samples": "warn"}), summaries=[summary])
    ok, _, offenders = rule(v, "load.slo_results")
    assert not ok and not v.passed and v.warnings == ()
    assert offenders[0].startswith("disburse p95: failed") and "festival" in offenders[1]


def test_a_summary_written_before_insufficient_existed_still_reads(tmp_path: Path) -> None:
    write_result(tmp_path, "slo", labels={"kind": "load"})
    summary = _short_run(tmp_path)
    data = json.loads(summary.read_text())
    data["slos"][1]["verdict"] = "too few samples"
    summary.write_text(json.dumps(data))
    v = judge([tmp_path], policy(load={"too_few_samples": "warn"}), summaries=[summary])
    assert rule(v, "load.slo_results")[0] and [r.rule for r in v.warnings] == ["load.slo_results"]


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
    ({"load": {"too_few_samples": "ignore"}}, "load.too_few_samples: 'ignore': Input should be 'fail' or 'warn'"),
    ({"pass_rate": {"overall": 1.5}}, "pass_rate.overall: 1.5: Input should be less than or equal to 1"),
    ({"maxFailures": 0}, "maxFailures: 0: unknown key"),
    ({"known_issues": [{"match": "x", "expires": "2026-01-01"}]},
     "known_issues[0].ticket: required key is missing"),
])
def test_policy_errors_name_key_and_value(bad: dict[str, Any], said: str) -> None:
    with pytest.raises(ConfigError) as err:
        policy(**bad)
    assert str(err.value) == f"test-policy.yaml: {said}"


def _starved_profile_run(folder: Path) -> Path:
    """As `loanqa load` writes it (summary + Allure results): every SLO met but a rare profile's, which got
    too few approved borrowers to be judged."""
    from loanqa_loadtests.output.allure_out import write_allure

    path = _short_run(folder)
    summary = LoadSummary.model_validate_json(path.read_text())
    write_allure(summary, [], folder / "allure-results")
    write_result(folder / "devices", "pay_ok", labels=device(feature="Disbursement"))
    return folder


def test_the_shipped_policies_warn_for_a_laptop_run_and_fail_a_release_on_a_starved_profile(tmp_path: Path) -> None:
    from loanqa.gate import load_policy
    from loanqa.gate.render import render
    from loanqa.paths import project_root
    from loanqa.report.quality_gate import allure_results

    run = _starved_profile_run(tmp_path)
    gates = project_root() / "ci" / "gates"
    dirs = [run / "allure-results", run / "devices"]
    laptop = judge(dirs, load_policy(gates / "default.yaml"))
    assert laptop.passed and laptop.exit_code == 0, [(r.rule, r.detail) for r in laptop.failed_rules]
    assert [r.rule for r in laptop.warnings] == ["load.slo_results"]
    text = render(laptop, "text", width=200)
    assert "WARN" in text and "! warning: SLO verdicts of the load run [load.slo_results]" in text
    assert "disbursement success [festival]: too few samples on profile festival: 3 of the 10 needed" in text
    assert "Release gate PASSED (default): 0 of " in text and "rules failed, 1 passed with warnings;" in text
    markdown = render(laptop, "markdown")
    assert "| ⚠️ | SLO verdicts of the load run |" in markdown and "### ⚠️ warning:" in markdown
    gate_tab = {g["rule"]: g for g in allure_results(laptop)}
    assert gate_tab["load.slo_results"]["success"] and gate_tab["load.slo_results"]["message"].startswith("WARNING")

    release = judge(dirs, load_policy(gates / "release.yaml"))
    ok, _, offenders = rule(release, "load.slo_results")
    assert not ok and not release.passed and release.warnings == ()
    assert "festival: 3 of the 10 needed" in offenders[0]
