"""abort-on-breach (`abort: true`) stops a run on a real miss only, never on an SLO short of its sample floor."""

from __future__ import annotations

import pytest

from loanqa.load_summary import LoadSummary, ProfileStats, StepStats
from loanqa.slo import SloSet
from loanqa.slo_judge import judge_objective
from loanqa.taxonomy import Cause
from loanqa_loadtests.run import runtime
from loanqa_loadtests.run.live_monitor import LiveMonitor

SLOS = SloSet.model_validate({"slos": [{"name": "technical failure rate", "metric": "technical_failure_rate",
                                        "per_profile": True, "max": 0.2, "min_samples": 30, "abort": True,
                                        "after": "10s"}]})


def _festival(presses: int, failed: int) -> LoadSummary:
    step = StepStats(requests=presses, successes=presses - failed, failures={Cause.NETWORK: failed})
    return LoadSummary(run_id="r", target="t", shape="smoke", started_at=0, finished_at=1,
                       profiles={"festival": ProfileStats(steps={"apply": step})})


def _check(summary: LoadSummary, elapsed: float) -> runtime.RunState:
    judged = [(o, judge_objective(SLOS, o, summary)) for o in SLOS.slos]
    LiveMonitor._check_abort(judged, elapsed)
    return runtime.RUN


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "RUN", runtime.RunState())


def test_a_rate_over_the_ceiling_on_too_few_presses_never_aborts() -> None:
    run = _check(_festival(presses=8, failed=2), elapsed=600)
    assert run.aborted_by == "" and run.aborted_at_s is None


def test_the_same_rate_on_enough_presses_aborts_after_the_grace() -> None:
    assert _check(_festival(presses=40, failed=10), elapsed=5).aborted_by == "", "still within `after`"
    run = _check(_festival(presses=40, failed=10), elapsed=12)
    assert run.aborted_by == "technical failure rate [festival]" and run.aborted_at_s == 12
