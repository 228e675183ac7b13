"""Tallies merge across processes (over msgpack-able wire dicts) into the summary the gate reads."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import msgpack  # type: ignore[import-untyped]
import pytest

from loanqa.events import StepFinished
from loanqa.journey_steps import PAYOUT
from loanqa.slo import Objective, SloSet
from loanqa.slo_judge import Scope, cause_shares, judge
from loanqa.synthetic import make_borrower
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.summary_build import RunInfo, build_summary
from loanqa_loadtests.output.tally import Tally, from_wire, percentile
from loanqa_loadtests.run.journey_state import JourneyState

INFO = RunInfo("r1", "http://127.0.0.1:1", "smoke", "clean", 1.0, 2.0, 2)


def _ev(step: str, cause: Cause | None, ms: float, profile: str, false_rejection: bool = False) -> StepFinished:
    return StepFinished(step=step, cause=cause, elapsed_ms=ms, profile=profile, at=1000.5,
                        false_rejection=false_rejection)


def _worker(profile: str, rejected: int, network: int) -> Tally:
    t = Tally()
    for i in range(10):
        cause = (Cause.CREDIT_REJECTED if i < rejected else
                 Cause.NETWORK if i < rejected + network else None)
        t.add(_ev("apply", cause, 10.0 * (i + 1), profile))
        t.stage(profile, "started")
        if cause is None:
            t.stage(profile, "approved")
            t.stage(profile, "disbursed")
    t.add(_ev("apply", Cause.NETWORK, 5000, profile, false_rejection=True))
    t.attempts += 12
    return t


def test_merge_over_the_wire_adds_up_per_profile_step_and_cause() -> None:
    master = Tally()
    for worker in (_worker("wifi", 2, 0), _worker("3g", 1, 3)):
        wire = msgpack.unpackb(msgpack.packb(worker.drain()), strict_map_key=False)
        master.merge(from_wire(wire))
    s = build_summary(master, INFO)
    assert s.steps["apply"].requests == 22 and s.requests == 24
    assert s.causes == {Cause.CREDIT_REJECTED: 3, Cause.NETWORK: 5}
    assert s.steps["apply"].business == {Cause.CREDIT_REJECTED: 3}
    assert s.steps["apply"].failures == {Cause.NETWORK: 5}
    assert s.false_rejections == 2
    assert s.profiles["3g"].causes[Cause.NETWORK] == 4 and s.profiles["wifi"].funnel.approved == 8
    assert s.funnel.started == 20 and s.funnel.disbursed == 14
    assert s.steps["apply"].latency.max == 5000 and s.steps["apply"].latency.p50 == 60
    assert master.timeline[1000]["3g"].causes == Counter({"network": 4, "credit_rejected": 1})


def test_drain_empties_the_worker_tally() -> None:
    t = _worker("wifi", 0, 0)
    t.drain()
    assert t.steps == {} and t.attempts == 0 and t.funnel == {}


def test_each_step_lands_in_the_second_it_ended_in_across_seconds_and_drains() -> None:
    t = Tally()
    for at in (100.5, 100.999, 101.0, 99.99, 100.0, 102.7):
        t.count("4g", "status", 20.0, at, None)
    assert {sec: slots["4g"].requests for sec, slots in t.timeline.items()} == {99: 1, 100: 3, 101: 1, 102: 1}
    wire = t.drain()
    assert sum(slot[2] for slot in wire["timeline"]) == 6
    t.count("4g", "status", 20.0, 102.2, Cause.NETWORK)  # the same second as the last one before the drain
    assert list(t.timeline) == [102] and t.timeline[102]["4g"].causes == Counter({"network": 1})
    assert t.steps["4g"]["status"].latency == Counter({20: 1})


def test_percentiles_from_histogram() -> None:
    hist = Counter({10: 90, 200: 9, 3000: 1})
    assert percentile(hist, 0.5) == 10 and percentile(hist, 0.95) == 200 and percentile(hist, 0.999) == 3000
    assert percentile(Counter(), 0.5) is None


def _ends(profile: str) -> Tally:
    t = Tally()
    for stage, outcome, why in (("disbursed", "paid_out", ""), ("approved", "failed", "payout"),
                                ("started", "business_rejected", "fraud_flagged"), ("approved", "unfinished", "sign"),
                                ("started", "unfinished", "liveness")):
        for reached in ("started", "approved", "signed", "disbursed")[: ("started", "approved", "signed",
                                                                         "disbursed").index(stage) + 1]:
            t.stage(profile, reached)
        t.ended(profile, outcome, "esign" if why == "payout" else why)
    return t


def test_every_started_borrower_has_one_outcome_unfinished_included() -> None:
    master = Tally()
    for worker in (_ends("festival"), _ends("festival"), _ends("4g")):
        master.merge(from_wire(msgpack.unpackb(msgpack.packb(worker.drain()))))
    summary = build_summary(master, INFO)
    festival = summary.profiles["festival"]
    assert festival.funnel.started == 10 == festival.outcomes.journeys
    assert festival.funnel.unfinished == 4 and festival.outcomes.unfinished == {"sign": 2, "liveness": 2}
    assert festival.outcomes.failed == {Cause.ESIGN: 2}
    assert festival.outcomes.business_rejected == {Cause.FRAUD_FLAGGED: 2}
    assert festival.outcomes.lost == {"esign": 2, "unfinished:sign": 2, "unfinished:liveness": 2}
    assert festival.funnel.disbursement_rate == 2 / 6, "unfinished approved borrowers stay in the denominator"
    assert summary.outcomes.journeys == summary.funnel.started == 15 and summary.outcomes.paid_out == 3


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="outcome"):
        Tally().ended("4g", "vanished")


@pytest.mark.parametrize("ms", [2049.0, 2001.0, 2000.4, 150.2, 99.3])
def test_percentiles_and_max_never_understate_a_latency(ms: float) -> None:
    """100 presses of 2049 ms miss a `max: 2000` / `p95: 2000` objective; rounding must not hide that."""
    t = Tally()
    for _ in range(100):
        t.add(_ev("apply", None, ms, "wifi"))
    latency = build_summary(t, INFO).steps["apply"].latency
    assert latency.p95 is not None and latency.p99 is not None and latency.max is not None
    assert min(latency.p95, latency.p99, latency.max) >= ms
    assert latency.max <= ms * 1.1 + 1, "two significant digits: overstated by one bucket at most"


def test_a_mix_profile_no_borrower_drew_is_judged_not_skipped() -> None:
    """A rare profile (festival, weight 0.02) may draw nobody in a short run: its per-profile SLO says so."""
    summary = build_summary(_ends("4g"), replace(INFO, mix_profiles=("4g", "festival")))
    assert summary.profiles["festival"].borrowers == 0
    per_profile = Objective(name="paid", metric="disbursement_success", per_profile=True, min=0.98)
    results = {r.profile: r for r in judge(SloSet(min_samples=1, slos=[per_profile]), summary)}
    assert set(results) == {"4g", "festival"}
    assert results["festival"].insufficient and results["festival"].samples == 0


def test_only_failures_after_approval_are_the_disbursement_slos_causes() -> None:
    """A network failure at otp loses a borrower, never an approved loan: the SLO (approved loans) names only
    the e-sign and payout losses, with the step recorded beside the outcome."""
    t = Tally()
    rng = random.Random("after-approval")
    for step, cause in (("otp", Cause.NETWORK), ("otp", Cause.NETWORK), ("sign", Cause.ESIGN),
                        (PAYOUT, Cause.SERVER_ERROR), ("disburse", Cause.NETWORK)):
        j = JourneyState("r", f"j-{step}-{rng.random()}", make_borrower(rng), "wifi")
        j.record(t, None, "failed", cause, step)
    s = build_summary(t, INFO)
    assert s.outcomes.failed == {Cause.NETWORK: 3, Cause.ESIGN: 1, Cause.SERVER_ERROR: 1}
    assert s.outcomes.failed_after_approval == {Cause.NETWORK: 1, Cause.ESIGN: 1, Cause.SERVER_ERROR: 1}
    assert s.outcomes.journeys == 5
    slo = Objective(metric="disbursement_success", min=0.99)
    counts = {c.cause: c.count for c in cause_shares(slo, Scope(s.steps, s.funnel, s.outcomes))}
    assert counts == {"network": 1, "esign": 1, "server_error": 1}


def test_journeys_begun_without_a_recorded_end_are_counted() -> None:
    worker = Tally()
    worker.started = 3
    worker.stage("clean", "started")
    worker.ended("clean", "paid_out")
    master = Tally()
    master.merge(from_wire(worker.drain()))
    assert master.without_end() == 2, "two journeys were under way when the worker's reports stopped"
    master.stage("clean", "started")
    master.stage("clean", "started")
    assert master.without_end() == 0


def test_request_ids_stay_unique_and_one_width_past_the_journeys_first_requests() -> None:
    rng = random.Random(3)
    journeys = [JourneyState("r", f"{rng.getrandbits(64):016x}", make_borrower(rng), "4g") for _ in range(2)]
    ids = [j.next_request_id() for j in journeys for _ in range(600)]
    assert len(set(ids)) == 1200 and {len(i) for i in ids} == {16 + 1 + 12}
    assert ids[0].endswith("-000000000001") and ids[599].endswith("-000000000258")
