"""Borrower retry taps: who taps, how long they pause, and how the run reports the patience it took."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import msgpack  # type: ignore[import-untyped]
import pytest

from loanqa.taxonomy import Cause
from loanqa_loadtests.model.taps import TapPolicy
from loanqa_loadtests.output.results import write_journeys
from loanqa_loadtests.output.summary_build import RunInfo, build_summary
from loanqa_loadtests.output.tally import STAGES, Tally, from_wire
from loanqa_loadtests.run.classify import Attempt, step_finished

INFO = RunInfo("r1", "http://127.0.0.1:1", "smoke", "subway", 1.0, 2.0, 1)


@pytest.mark.parametrize("cause", [Cause.NETWORK, Cause.OVERLOAD])
def test_technical_failures_the_app_offers_retry_for_are_tapped_while_patience_lasts(cause: Cause) -> None:
    policy = TapPolicy(patience=3)
    assert [policy.should_tap(cause, made) for made in range(5)] == [True, True, True, False, False]


@pytest.mark.parametrize("cause", [None, Cause.CREDIT_REJECTED, Cause.FRAUD_FLAGGED, Cause.ESIGN, Cause.FACE,
                                   Cause.SERVER_ERROR])
def test_success_business_process_and_server_errors_are_never_tapped(cause: Cause | None) -> None:
    assert not TapPolicy(patience=10).should_tap(cause, 0)


def test_patience_zero_is_the_old_borrower_who_abandons_with_the_app() -> None:
    assert not TapPolicy(patience=0).should_tap(Cause.NETWORK, 0)


def test_pause_is_human_and_scales_with_think_time() -> None:
    rng = random.Random(3)
    pauses = [TapPolicy().pause(rng, 1.0) for _ in range(200)]
    assert min(pauses) >= 5.0 and max(pauses) <= 20.0
    assert TapPolicy().pause(rng, 0.0) == 0.0
    assert all(0.25 <= TapPolicy().pause(rng, 0.05) <= 1.0 for _ in range(50))


def test_a_press_after_a_network_failure_keeps_its_own_cause_and_spots_false_rejection() -> None:
    earlier = [Attempt(None, error="ConnectionRefusedError")] * 3
    tapped = step_finished("apply", [*earlier, Attempt(422, "FRAUD_FLAGGED", reasons=("VELOCITY",))], 12.0,
                           profile="subway", journey_id="j")
    assert tapped.cause is Cause.NETWORK and tapped.false_rejection
    first = step_finished("apply", earlier, 9.0, profile="subway", journey_id="j")
    assert first.cause is Cause.NETWORK and not first.false_rejection


def _journey(t: Tally, taps: int, stage: str) -> None:
    for reached in STAGES[: STAGES.index(stage) + 1]:
        t.stage("subway", reached)
    t.tapped("subway", taps, disbursed=stage == "disbursed")
    t.journey({"journey_id": f"j{len(t.journeys)}", "profile": "subway", "stage": stage, "taps": taps})


def test_funnel_counts_disbursements_that_needed_taps_across_processes(tmp_path: Path) -> None:
    a, b, master = Tally(), Tally(), Tally()
    _journey(a, 0, "disbursed")
    _journey(a, 2, "disbursed")
    _journey(b, 1, "disbursed")
    _journey(b, 3, "signed")  # patience ran out
    for worker in (a, b):
        master.merge(from_wire(msgpack.unpackb(msgpack.packb(worker.drain()), strict_map_key=False)))
    summary = build_summary(master, INFO)
    assert summary.funnel.disbursed == 3 and summary.funnel.disbursed_after_taps == 2
    assert summary.funnel.taps == 6 and summary.profiles["subway"].funnel.disbursed_after_taps == 2
    write_journeys(master, tmp_path)
    with (tmp_path / "journeys.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["stage"], r["taps"]) for r in rows) == [
        ("disbursed", "0"), ("disbursed", "1"), ("disbursed", "2"), ("signed", "3")]
