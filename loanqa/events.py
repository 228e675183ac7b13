"""Typed events every run emits; the console, summary.json, allure-results and the gate all read them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from loanqa.taxonomy import Cause, Outcome, outcome_of


@dataclass(frozen=True, slots=True)
class StepFinished:
    """One step of one borrower's journey ended, with its cause if it did not succeed.

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
