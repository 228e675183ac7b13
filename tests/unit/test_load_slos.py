"""The one SLO judge (loanqa.slo_judge) on summaries: per step, per profile, sample floors, cause shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.errors import ConfigError
from loanqa.load_summary import Funnel, Latency, LoadSummary, Outcomes, ProfileStats, StepStats
from loanqa.slo import SloSet
from loanqa.slo_judge import judge
from loanqa.taxonomy import Cause
from loanqa_loadtests.model.slo_config import load_slos


def _summary(disbursed: int) -> LoadSummary:
    apply = StepStats(requests=100, successes=90, failures={Cause.NETWORK: 4, Cause.ESIGN: 6},
                      latency=Latency(count=100, p50=50, p95=800, p99=2500, max=4000))
    weak = StepStats(requests=10, successes=6, failures={Cause.NETWORK: 4}, latency=Latency(count=10, p95=900))
    return LoadSummary(run_id="r", target="t", shape="smoke", started_at=0, finished_at=1,
                       steps={"apply": apply}, funnel=Funnel(started=100, approved=200, disbursed=disbursed),
                       profiles={"wifi": ProfileStats(steps={"apply": apply}),
                                 "2g": ProfileStats(steps={"apply": weak})})


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "slo.yaml"
    path.write_text(body)
    return str(path)


def _one(tmp_path: Path, body: str, summary: LoadSummary) -> list:  # type: ignore[type-arg]
    return judge(load_slos(_write(tmp_path, body)), summary)


def test_default_slos_judge_a_summary() -> None:
    results = {r.name: r for r in judge(load_slos("default"), _summary(disbursed=199))}
    assert results["apply p95"].passed and results["apply p95"].actual == 800
    assert results["apply p95"].verdict == "passed" and results["apply p95"].samples == 100
    overall = results["technical failure rate"]
    assert overall.passed and overall.actual == 0, "4 network failures are the links': judged per profile"
    assert overall.detail.startswith("technical_failure_rate (overload, server_error) 0, objective ≤ 0.01")
    assert results["disbursement success among approved"].passed
    assert not results["technical failure rate [2g]"].passed
    wifi = results["technical failure rate [wifi]"]
    assert wifi.passed and wifi.profile == "wifi"
    login = results["login p95"]
    assert not login.passed and login.verdict == "insufficient" and "no data" in login.detail


def test_a_rate_narrowed_to_causes_counts_only_those(tmp_path: Path) -> None:
    s = _summary(disbursed=199)
    s.steps["apply"] = s.steps["apply"].model_copy(update={"failures": {Cause.NETWORK: 4, Cause.SERVER_ERROR: 2,
                                                                        Cause.OVERLOAD: 1, Cause.ESIGN: 6}})
    body = "slos: [{metric: technical_failure_rate, causes: [overload, server_error], max: 0.01}]\n"
    (r,) = _one(tmp_path, body, s)
    assert r.missed and r.actual == 0.03 and r.samples == 100
    assert [(c.cause, c.count) for c in r.causes] == [("server_error", 2), ("overload", 1)], "network is not counted"
    (everything,) = _one(tmp_path, "slos: [{metric: technical_failure_rate, max: 0.01}]\n", s)
    assert everything.actual == 0.07, "without causes: every technical cause (network too), never esign"


def test_disbursement_below_99_5_percent_fails(tmp_path: Path) -> None:
    (result,) = _one(tmp_path, "slos: [{metric: disbursement_success, min: 0.995}]\n", _summary(disbursed=198))
    assert not result.passed and result.verdict == "failed" and result.actual == 0.99 and "≥ 0.995" in result.detail


def test_below_the_sample_floor_is_too_few_samples_never_a_pass(tmp_path: Path) -> None:
    body = "min_samples: 500\nslos: [{metric: p95_ms, step: apply, max: 2000}, " \
           "{metric: disbursement_success, min: 0.5, min_samples: 150}]\n"
    latency, payouts = _one(tmp_path, body, _summary(disbursed=199))
    assert not latency.passed and latency.verdict == "insufficient" and latency.min_samples == 500
    assert "too few samples: at least 500 needed" in latency.detail and latency.actual == 800
    assert payouts.passed and payouts.min_samples == 150, "the objective's own floor beats the set's"


def test_a_failed_disbursement_slo_lists_every_lost_journeys_cause_with_its_share(tmp_path: Path) -> None:
    """Journeys, not presses: 26 e-sign and 30 payout losses plus 4 borrowers still signing at the end; the
    borrowers lost before approval (network at otp, face) never had a loan to pay out."""
    s = _summary(disbursed=140).model_copy(update={"outcomes": Outcomes(
        paid_out=140, failed={Cause.SERVER_ERROR: 30, Cause.ESIGN: 26, Cause.FACE: 9, Cause.NETWORK: 50},
        failed_after_approval={Cause.SERVER_ERROR: 30, Cause.ESIGN: 26},
        unfinished={"sign": 4, "login": 3})})
    s.steps["sign"] = StepStats(requests=300, failures={Cause.ESIGN: 290})  # presses: many were tapped again
    (r,) = _one(tmp_path, "slos: [{metric: disbursement_success, min: 0.99}]\n", s)
    assert [(c.cause, c.count) for c in r.causes] == [("server_error", 30), ("esign", 26), ("unfinished:sign", 4)]
    assert [round(c.share, 2) for c in r.causes] == [0.5, 0.43, 0.07]
    assert "server_error 50% (30), esign 43% (26), unfinished:sign 7% (4)" in r.detail


def test_a_latency_miss_without_failures_names_no_cause(tmp_path: Path) -> None:
    s = _summary(disbursed=199)
    s.steps["sign"] = StepStats(requests=50, successes=50, latency=Latency(count=50, p95=9000))
    (r,) = _one(tmp_path, "slos: [{metric: p95_ms, step: sign, max: 3000}]\n", s)
    assert not r.passed and r.causes == [] and "slow answers, no failed requests" in r.detail
    assert "overload" not in r.detail


@pytest.mark.parametrize(("body", "key"), [
    ("slos: [{metric: p95_ms, max: 100}]\n", "slos[0]"),
    ("slos: [{metric: p42_ms, step: apply, max: 100}]\n", "slos[0].metric"),
    ("slos: [{metric: technical_failure_rate, max: 0.1, min: 0}]\n", "slos[0]"),
    ("slos: [{metric: technical_failure_rate, max: 0.1, abort: true, after: soon}]\n", "slos[0].after"),
    ("min_samples: 0\nslos: [{metric: technical_failure_rate, max: 0.1}]\n", "min_samples"),
    ("slos: []\n", "slos"),
    ("slos: [{metric: technical_failure_rate, causes: [esign], max: 0.1}]\n", "slos[0]"),
    ("slos: [{metric: technical_failure_rate, causes: [wifi], max: 0.1}]\n", "slos[0].causes[0]"),
    ("slos: [{metric: p95_ms, step: apply, causes: [network], max: 100}]\n", "slos[0]"),
])
def test_bad_slo_file_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_slos(path)
    assert str(info.value).startswith(f"{path}: {key}")


def test_unknown_slo_set_names_the_catalog() -> None:
    with pytest.raises(ConfigError, match="--slo: 'nope': no such SLO set; known: default"):
        load_slos("nope")


def test_per_profile_judges_every_profile_even_one_whose_borrowers_never_got_a_loan(tmp_path: Path) -> None:
    summary = _summary(disbursed=199).model_copy(update={"profiles": {
        "subway": ProfileStats(funnel=Funnel(approved=40, disbursed=30)),
        "3g": ProfileStats(funnel=Funnel(approved=4, disbursed=4)),
        "5g": ProfileStats(funnel=Funnel(approved=10, disbursed=10)),
        "edge": ProfileStats(borrowers=2, funnel=Funnel(started=2, approved=0))}})
    results = {r.name: r for r in judge(load_slos("default"), summary)}
    assert not results["disbursement success among approved [subway]"].passed
    assert results["disbursement success among approved [5g]"].passed
    few = results["disbursement success among approved [3g]"]
    assert few.insufficient and (few.samples, few.min_samples) == (4, 10), "4 of 4 paid is no evidence of 0.98"
    edge = results["disbursement success among approved [edge]"]
    assert not edge.passed and edge.verdict == "insufficient", "never skipped: its borrowers did not finish"
    named = _one(tmp_path, "slos: [{metric: disbursement_success, profile: nowhere, min: 0.9}]\n", summary)
    assert named[0].verdict == "insufficient" and "no data" in named[0].detail


def test_abort_objective_parses_its_grace() -> None:
    slos = SloSet.model_validate({"slos": [{"metric": "technical_failure_rate", "max": 0.1, "abort": True,
                                            "after": "1m30s"}]})
    assert slos.slos[0].abort and slos.slos[0].after == 90
