"""The end-of-run payout re-check (loanqa_loadtests.run.confirm) on a stub lookup: races and lost answers."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from loanqa.attribution import Attempt
from loanqa.eventlog import EventLogWriter, JourneyEnd, read_events
from loanqa.journey_steps import PAYOUT
from loanqa.synthetic import make_borrower
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.tally import JOURNEY_FIELDS, Tally
from loanqa_loadtests.run.classify import may_have_landed
from loanqa_loadtests.run.confirm import confirm_pending
from loanqa_loadtests.run.journey_state import JourneyState


def _pending(n: int) -> list[JourneyState]:
    rng = random.Random("confirm")
    out = []
    for i in range(n):
        j = JourneyState("r", f"j{i}", make_borrower(rng), "wifi", token="t", loan_id=f"L{i}")
        j.reached += ["approved", "signed"]
        j.on(PAYOUT)
        out.append(j)
    return out


def _paid() -> dict[str, Any]:
    return {"disbursement": {"status": "paid"}}


def test_a_borrower_that_settles_itself_during_a_lookup_does_not_stop_the_others_being_checked() -> None:
    """j0's own user sees the payout (and leaves `pending`) while j0 is being looked up; j1, j2 still count."""
    pending = _pending(3)
    everyone = list(pending)
    tally = Tally()

    def lookup(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
        if j is everyone[0]:  # what BorrowerBase._end does when its own poll sees the payout first
            j.reached.append("disbursed")
            j.record(tally, None, "paid_out", None, PAYOUT)
            pending.remove(j)
        return _paid()

    confirm_pending(pending, "http://t", tally, None, lookup=lookup, budget_s=2.0)
    assert not pending
    assert tally.outcomes["wifi"] == {"paid_out": 3}, "every pending journey recorded"
    assert sorted(row[0] for row in tally.journeys) == ["j0", "j1", "j2"], "each exactly once"


def test_a_lookup_without_an_answer_is_asked_again_within_the_budget() -> None:
    """The first lookup is lost (None); the target answers the second: paid, not unfinished."""
    pending = _pending(1)
    tally = Tally()
    answers: list[dict[str, Any] | None] = [None, None, _paid()]

    def lookup(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
        return answers.pop(0)

    confirm_pending(pending, "http://t", tally, None, lookup=lookup, budget_s=5.0)
    assert tally.outcomes["wifi"] == {"paid_out": 1}
    assert not answers


def test_a_target_that_never_answers_leaves_the_loan_unfinished_once_the_budget_is_spent(tmp_path: Path) -> None:
    pending = _pending(2)
    tally, events = Tally(), EventLogWriter(tmp_path, "p0")
    calls: list[str] = []

    def lookup(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
        calls.append(j.journey_id)
        return None

    confirm_pending(pending, "http://t", tally, events, lookup=lookup, budget_s=0.8)
    events.close()
    assert not pending and tally.outcomes["wifi"] == {"unfinished:payout": 2}
    assert len(calls) > 2, "asked more than once before giving up"
    ends = [e for e in read_events(tmp_path) if isinstance(e, JourneyEnd)]
    assert len(ends) == 2 and all("did not answer" in e.detail for e in ends)


def test_a_loan_the_target_says_has_no_payout_is_unfinished_at_once() -> None:
    pending = _pending(1)
    tally = Tally()
    calls: list[str] = []

    def lookup(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
        calls.append(j.journey_id)
        return {"disbursement": None}

    confirm_pending(pending, "http://t", tally, None, lookup=lookup, budget_s=5.0)
    assert calls == ["j0"] and tally.outcomes["wifi"] == {"unfinished:payout": 1}


def test_a_disburse_that_got_no_answer_may_have_landed_one_refused_did_not() -> None:
    timed_out = Attempt(None, error="ConnectionTimeout: read timed out", step="disburse")
    assert may_have_landed([timed_out]) and may_have_landed([Attempt(503, "OVERLOADED"), Attempt(504)])
    assert may_have_landed([Attempt(503, "OVERLOADED"), timed_out])
    assert not may_have_landed([Attempt(503, "OVERLOADED"), Attempt(500, "INTERNAL")])


def test_an_unanswered_disburse_is_paid_out_when_the_target_paid_and_failed_where_it_failed_otherwise() -> None:
    """The disburse press timed out on the client (journey.py keeps it pending with `if_unpaid`): the target
    decides. Paid: paid out. No payout at all: failed at disburse with the press's own cause."""
    paid, never = _pending(2)
    for j in (paid, never):
        j.on("disburse")
        j.if_unpaid = (Cause.NETWORK, "disburse", "ConnectionTimeout")
    tally = Tally()

    def lookup(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
        return _paid() if j is paid else {"disbursement": None}

    confirm_pending([paid, never], "http://t", tally, None, lookup=lookup, budget_s=2.0)
    assert tally.outcomes["wifi"] == {"paid_out": 1, "failed:network": 1, "failed_after_approval:network": 1}
    rows = {row[0]: dict(zip(JOURNEY_FIELDS, row, strict=True)) for row in tally.journeys}
    assert rows[never.journey_id]["last_step"] == "disburse" and rows[paid.journey_id]["stage"] == "disbursed"
