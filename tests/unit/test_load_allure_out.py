"""SLO results as Allure tests: a missed objective names its cause; one with too few samples is skipped, naming
its profile, n and floor, and no cause."""

from __future__ import annotations

from loanqa.load_summary import LoadSummary, StepStats
from loanqa.slo import CauseShare, SloResult
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.allure_out import _result


def _summary() -> LoadSummary:
    return LoadSummary(run_id="r1", target="http://127.0.0.1:1", shape="double-11", started_at=1.0,
                       finished_at=2.0, steps={"apply": StepStats(requests=10, successes=7,
                                                                  failures={Cause.NETWORK: 3})})


def _labels(raw: dict[str, object]) -> dict[str, str]:
    return {lab["name"]: lab["value"] for lab in raw["labels"]}  # type: ignore[attr-defined]


def test_no_data_is_its_own_verdict_not_overload() -> None:
    slo = SloResult(name="login p95", metric="p95_ms", threshold=800, actual=None, passed=False, step="login",
                    verdict="insufficient", samples=0, min_samples=1,
                    detail="p95_ms no data, objective ≤ 800, 0 samples (too few samples: at least 1 needed)")
    raw = _result(slo, _summary(), [])
    assert raw["status"] == "skipped", "not judged: neither a pass nor a failure of the target"
    assert "cause" not in _labels(raw)
    message = raw["statusDetails"]["message"]
    assert not message.startswith("["), message
    assert message == "login p95: too few samples: 0 of the 1 needed (p95_ms no data so far, objective ≤ 800)"


def test_too_few_samples_on_a_profile_names_profile_n_and_floor_even_with_losses() -> None:
    slo = SloResult(name="technical failure rate [festival]", metric="technical_failure_rate", threshold=0.2,
                    actual=0.25, passed=False, verdict="insufficient", samples=8, min_samples=30,
                    profile="festival", detail="technical_failure_rate 0.25, objective ≤ 0.2, 8 samples",
                    causes=[CauseShare(cause="network", count=2, share=1.0)])
    raw = _result(slo, _summary(), [])
    params = {p["name"]: p["value"] for p in raw["parameters"]}
    assert raw["status"] == "skipped" and params["verdict"] == "insufficient" and params["samples"] == "8"
    assert "cause" not in _labels(raw), "8 presses are too few to blame a cause"
    assert raw["statusDetails"]["message"].startswith(
        "technical failure rate [festival]: too few samples on profile festival: 8 of the 30 needed")


def test_missed_objective_with_data_names_its_cause() -> None:
    slo = SloResult(name="apply failures", metric="technical_failure_rate", threshold=0.01, actual=0.3,
                    passed=False, step="apply", detail="technical_failure_rate 0.3, objective ≤ 0.01",
                    causes=[CauseShare(cause="network", count=3, share=0.75), CauseShare(cause="overload", count=1,
                                                                                           share=0.25)])
    raw = _result(slo, _summary(), [])
    assert _labels(raw)["cause"] == "network"
    assert raw["statusDetails"]["message"].startswith("[network] ")
