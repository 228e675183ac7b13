"""One borrower's journey under load: what it reached and its one final outcome, recorded exactly once.

Kept apart from the Locust user so the journey can outlive its task: a payout not yet confirmed is
re-checked when the run stops (loanqa_loadtests.run.confirm), and whichever side learns the outcome first records it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loanqa.eventlog import AttemptRecord, EventLogWriter, FinalOutcome, JourneyEnd, phone_ref
from loanqa.masking import mask_id_number, mask_phone
from loanqa.synthetic import Borrower
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.tally import Tally

if TYPE_CHECKING:
    from loanqa.attribution import Attempt


_SUFFIXES = tuple("-%012x" % n for n in range(256))  # noqa: UP031  a journey's first requests (status polls included)


@dataclass(eq=False, slots=True)  # identity: `pending` is searched on every journey's end
class JourneyState:
    run_id: str
    journey_id: str
    borrower: Borrower
    profile: str
    token: str | None = None
    borrower_id: str | None = None
    loan_id: str | None = None
    reached: list[str] = field(default_factory=lambda: ["started"])
    taps: int = 0
    on_step: str = "otp"
    since: float = field(default_factory=time.time)
    false_rejected: bool = False
    recorded: bool = False
    # what ended the journey if the target, asked when the run stops, says no payout was ever made
    if_unpaid: tuple[Cause, str, str] | None = None
    sent: int = 0  # attempts sent: numbers this journey's request ids

    def next_request_id(self) -> str:
        """Unique in the run (the journey id is 64 random bits) and cheaper than a random suffix per request; the
        suffixes of a journey's first requests are made once (formatting one was 80 % of this, every request)."""
        sent = self.sent = self.sent + 1
        if sent < len(_SUFFIXES):
            return self.journey_id + _SUFFIXES[sent]
        return "%s-%012x" % (self.journey_id, sent)  # noqa: UP031  (half the cost of the f-string)

    def on(self, step: str) -> None:
        if step != self.on_step:
            self.on_step, self.since = step, time.time()

    def attempt(self, attempt: Attempt, *, step: str, n: int, tap: int, key: str | None, request_id: str,
                started_at: float, duration_ms: float, method: str, path: str,
                phase: str | None = None) -> AttemptRecord:
        return AttemptRecord(
            run_id=self.run_id, runner="load", journey_id=self.journey_id, borrower_id=self.borrower_id,
            phone_ref=phone_ref(self.run_id, self.borrower.phone), loan_id=self.loan_id, profile=self.profile,
            phase=phase, step=step, attempt=n, tap=tap, method=method, path=path, idempotency_key=key,
            request_id=request_id,
            started_at=started_at, duration_ms=round(duration_ms, 1), status=attempt.status or None,
            code=attempt.code, replayed=attempt.replayed, cause=attempt.cause, detail=attempt.error or "")

    def record(self, tally: Tally, events: EventLogWriter | None, outcome: FinalOutcome, cause: Cause | None, step: str,
               detail: str = "") -> None:
        """Funnel stages, the journey's outcome, its journeys.csv row and its event-log end: once."""
        if self.recorded:
            return
        self.recorded = True
        for stage in self.reached:
            tally.stage(self.profile, stage)
        tally.tapped(self.profile, self.taps, disbursed=self.reached[-1] == "disbursed")
        tally.ended(self.profile, outcome, step if outcome == "unfinished" else cause.value if cause else "", step)
        b = self.borrower
        since = round(self.since, 3) if outcome == "unfinished" else None
        tally.journey({
            "journey_id": self.journey_id, "profile": self.profile, "phone": mask_phone(b.phone),
            "id_number": mask_id_number(b.id_number),
            "device_id": b.device_id, "borrower_id": self.borrower_id or "", "loan_id": self.loan_id or "",
            "outcome": outcome, "stage": self.reached[-1], "last_step": step, "cause": cause.value if cause else "",
            "since": since or "", "false_rejection": int(self.false_rejected), "taps": self.taps})
        if events is not None:
            events.write(JourneyEnd(
                run_id=self.run_id, runner="load", journey_id=self.journey_id, borrower_id=self.borrower_id,
                phone_ref=phone_ref(self.run_id, b.phone), loan_id=self.loan_id, profile=self.profile,
                outcome=outcome, cause=cause, step=step, since=since, at=time.time(), taps=self.taps,
                false_rejection=self.false_rejected, detail=detail))
