"""The load side of attribution (loanqa.attribution): a step's attempts turned into one StepFinished."""

from __future__ import annotations

from loanqa.attribution import Attempt, error_code, judge, retry_after
from loanqa.events import StepFinished

__all__ = ["Attempt", "error_code", "judge", "retry_after", "step_finished"]


def step_finished(step: str, attempts: list[Attempt], elapsed_ms: float, profile: str | None,
                  journey_id: str | None, detail: str = "") -> StepFinished:
    """Positional, and judged only when there was more than one attempt: once per request under load."""
    last = attempts[-1]
    retried = len(attempts) > 1
    cause, false_rejection = last.cause, False
    if retried:
        verdict = judge(attempts)
        cause, false_rejection = verdict.cause, verdict.false_rejection
    return StepFinished(step, cause, elapsed_ms, last.code, last.status or None, profile, None, journey_id, retried,
                        false_rejection, detail or last.error or "")


NO_ANSWER = (None, 0, 504)  # no answer from the target itself: a press it may have acted on


def may_have_landed(attempts: list[Attempt]) -> bool:
    """A press with an attempt the target never answered (timed out, reset, a gateway's 504) may have been acted
    on: for a payout, only the target can say whether the money moved."""
    return any(a.status in NO_ANSWER for a in attempts)
