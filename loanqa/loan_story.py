"""One loan's story from the event log: its attempts in order, its end, and why it was not paid out, in words.

Pure functions over `loanqa.eventlog` records, so `loanqa explain` (and tests) can answer for one loan what
a support engineer would ask: what did the borrower's phone send, what came back, and what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from loanqa.eventlog import AttemptRecord, JourneyEnd
from loanqa.taxonomy import Cause

Record = AttemptRecord | JourneyEnd

_WHY: dict[Cause, str] = {
    Cause.NETWORK: "the borrower's network gave no usable answer",
    Cause.OVERLOAD: "the target turned requests away for load (an overload answer)",
    Cause.COMPATIBILITY: "the app did not work on the borrower's device",
    Cause.SERVER_ERROR: "the target failed",
    Cause.CREDIT_REJECTED: "the lender declined the borrower's credit",
    Cause.FRAUD_FLAGGED: "anti-fraud flagged the application",
    Cause.MULTI_LENDING: "the borrower has too many open loans elsewhere",
    Cause.IDENTITY: "the borrower's identity could not be verified",
    Cause.FACE: "the liveness check failed",
    Cause.ESIGN: "the contract could not be signed",
    Cause.INFRASTRUCTURE: "the test lab failed (not the product)",
}


@dataclass
class LoanStory:
    journey_id: str
    attempts: list[AttemptRecord] = field(default_factory=list)
    end: JourneyEnd | None = None

    @property
    def loan_id(self) -> str | None:
        ids = [r.loan_id for r in (*self.attempts, *([self.end] if self.end else [])) if r.loan_id]
        return ids[-1] if ids else None

    @property
    def profile(self) -> str | None:
        return self.end.profile if self.end else (self.attempts[0].profile if self.attempts else None)

    @property
    def started_at(self) -> float:
        return self.attempts[0].started_at if self.attempts else (self.end.at if self.end else 0.0)

    @property
    def lost(self) -> bool:
        return self.end is None or self.end.outcome != "paid_out"


def stories(records: Iterable[Record]) -> dict[str, LoanStory]:
    out: dict[str, LoanStory] = {}
    for r in records:
        story = out.setdefault(r.journey_id, LoanStory(r.journey_id))
        if isinstance(r, AttemptRecord):
            story.attempts.append(r)
        else:
            story.end = r
    return out


def _last_answer(story: LoanStory, step: str) -> AttemptRecord | None:
    mine = [a for a in story.attempts if a.step == step]
    return mine[-1] if mine else None


def why(story: LoanStory) -> str:
    """One plain line: why this loan was (or was not yet) paid out."""
    end = story.end
    if end is None:
        return "No end recorded: the run was interrupted while this borrower was on the journey."
    if end.outcome == "paid_out":
        return "Paid out" + (f" ({end.detail})." if end.detail else ".")
    if end.outcome == "unfinished":
        detail = f"; {end.detail}" if end.detail else ""
        return f"Not paid out yet: the run ended while the borrower was on '{end.step}'{detail}."
    cause = end.cause or Cause.SERVER_ERROR
    last = _last_answer(story, end.step)
    tries = [a for a in story.attempts if a.step == end.step]
    answer = _answer(last) if last else end.detail
    text = f"Not paid out: {_WHY[cause]} at '{end.step}' ({answer}"
    text += f"; {len(tries)} attempts, {end.taps} retry taps)" if len(tries) > 1 else ")"
    if end.false_rejection:
        text += "; the target saw the application twice only because the network lost the first answer"
    if last is not None and last.replayed:
        text += "; the answer was a replay of the target's first decision"
    return text + "."


def _answer(a: AttemptRecord) -> str:
    if a.status is None:
        return f"no answer: {a.detail}" if a.detail else "no answer"
    return f"{a.status} {a.code}" if a.code else f"HTTP {a.status}"


def timeline_lines(story: LoanStory) -> list[str]:
    """Each attempt up to the journey's end; the borrower's later status checks are only counted."""
    t0 = story.started_at
    end_at = story.end.at if story.end else float("inf")
    later = [a for a in story.attempts if a.started_at > end_at]
    lines = []
    for a in story.attempts[: len(story.attempts) - len(later)]:
        phase = f" [{a.phase}]" if a.phase else ""
        replay = " replayed" if a.replayed else ""
        cause = f"  -> {a.cause.value}" if a.cause else ""
        lines.append(f"+{a.started_at - t0:7.2f}s  {a.step:<9} tap {a.tap} try {a.attempt}{phase}  "
                     f"{_answer(a)}{replay} in {a.duration_ms:.0f} ms{cause}  (request {a.request_id})")
    if story.end is not None:
        e = story.end
        lines.append(f"+{e.at - t0:7.2f}s  end: {e.outcome}" + (f" ({e.cause.value})" if e.cause else "")
                     + f" at {e.step}" + (f": {e.detail}" if e.detail else ""))
    if later:
        lines.append(f"          ({len(later)} later requests of this borrower, e.g. status checks, not shown)")
    return lines


def one_line(story: LoanStory) -> str:
    return f"{story.journey_id}  loan {story.loan_id or '-'}  {story.profile or '-'}  {why(story)}"
