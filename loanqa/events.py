"""The typed step event of a borrower journey, with the cause of a step that did not succeed.

Today the Locust borrower emits it and the load tally reads it; summary.json and the load run's
allure-results are built from that tally, and the gate reads those files. Device runs and `loanqa journey`
do not emit it (they record per-loan attempts in `loanqa.eventlog` instead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from loanqa.taxonomy import Cause, Outcome, outcome_of


@dataclass(slots=True)
class StepFinished:
    """One step of one borrower's journey ended, with its cause if it did not succeed. A value, never changed once
    made (not `frozen`: that costs four times as much to build, once per request under load).

    `false_rejection` marks a business rejection (fraud flag, duplicate) that only happened because
    the request was retried after a network failure: the cause is then `network`, not fraud.
    """

    step: str
    cause: Cause | None
    elapsed_ms: float
    code: str | None = None
    status: int | None = None
    profile: str | None = None
    device: str | None = None
    journey_id: str | None = None
    retried: bool = False
    false_rejection: bool = False
    detail: str = ""
    at: float = field(default_factory=time.time)

    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.cause)
