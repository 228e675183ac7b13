"""SLOs judged against a summary: per step, per profile, fail closed when nothing was measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests.slo_config import evaluate, load_slos
from loanqa.errors import ConfigError
from loanqa.load_summary import Funnel, Latency, LoadSummary, ProfileStats, StepStats
from loanqa.taxonomy import Cause


def _summary(disbursed: int) -> LoadSummary:
    apply = StepStats(requests=100, successes=90, failures={Cause.NETWORK: 4, Cause.ESIGN: 6},
                      latency=Latency(count=100, p50=50, p95=800, p99=2500, max=4000))
    weak = StepStats(requests=10, successes=6, failures={Cause.NETWORK: 4})
    return LoadSummary(run_id="r", target="t", shape="smoke", started_at=0, finished_at=1,
                       steps={"apply": apply}, funnel=Funnel(started=100, approved=200, disbursed=disbursed),
                       profiles={"wifi": ProfileStats(steps={"apply": apply}),
                                 "2g": ProfileStats(steps={"apply": weak})})


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "slo.yaml"
    path.write_text(body)
    return str(path)


def test_default_slos_judge_a_summary(tmp_path: Path) -> None:
    results = {r.name: r for r in evaluate(load_slos("default"), _summary(disbursed=199))}
    assert results["apply p95"].passed and results["apply p95"].actual == 800
    assert not results["technical failure rate"].passed and results["technical failure rate"].actual == 0.04
    assert results["disbursement success among approved"].passed
    assert not results["technical failure rate [2g]"].passed
    wifi = results["technical failure rate [wifi]"]
    assert wifi.passed and wifi.profile == "wifi"
    assert not results["login p95"].passed and "no data" in results["login p95"].detail


def test_disbursement_below_99_5_percent_fails(tmp_path: Path) -> None:
    slos = load_slos(_write(tmp_path, "slos: [{metric: disbursement_success, min: 0.995}]\n"))
    (result,) = evaluate(slos, _summary(disbursed=198))
    assert not result.passed and result.actual == 0.99 and "≥ 0.995" in result.detail


@pytest.mark.parametrize(("body", "key"), [
    ("slos: [{metric: p95_ms, max: 100}]\n", "slos[0]"),
    ("slos: [{metric: p42_ms, step: apply, max: 100}]\n", "slos[0].metric"),
    ("slos: [{metric: technical_failure_rate, max: 0.1, min: 0}]\n", "slos[0]"),
    ("slos: []\n", "slos"),
])
def test_bad_slo_file_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_slos(path)
    assert str(info.value).startswith(f"{path}: {key}")


def test_per_profile_disbursement_judges_profiles_with_approvals_only(tmp_path: Path) -> None:
    summary = _summary(disbursed=199).model_copy(update={"profiles": {
        "subway": ProfileStats(funnel=Funnel(approved=4, disbursed=3)),
        "5g": ProfileStats(funnel=Funnel(approved=10, disbursed=10)),
        "edge": ProfileStats(funnel=Funnel(started=2, approved=0))}})
    results = {r.name: r for r in evaluate(load_slos("default"), summary)}
    assert not results["disbursement success among approved [subway]"].passed
    assert results["disbursement success among approved [5g]"].passed
    assert "disbursement success among approved [edge]" not in results, "no approved loan: nothing to judge"
    named = load_slos(_write(tmp_path, "slos: [{metric: disbursement_success, profile: edge, min: 0.9}]\n"))
    (edge,) = evaluate(named, summary)
    assert not edge.passed and "no data" in edge.detail, "a profile the SLO names still fails closed"
