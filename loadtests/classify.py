"""One cause per step outcome, decided once: the taxonomy applied to what the client actually saw.

Only the client knows that a request was retried after a timeout, so only here can a fraud flag or
duplicate on such a retry be recognised as a false rejection caused by the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from loanqa.events import StepFinished
from loanqa.taxonomy import Cause, cause_for_response


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP attempt: a response (status, error code) or a client-side error (no complete response)."""

    status: int | None
    code: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    malformed: bool = False  # a complete answer that is not the contract's JSON

    @property
    def cause(self) -> Cause | None:
        if self.error is not None or not self.status:
            return Cause.NETWORK
        if self.malformed:
            return Cause.SERVER_ERROR
        return cause_for_response(self.status, self.code)


def error_code(body: bytes | str | None) -> str | None:
    """The contract's `{"code": ...}`; anything else (HTML from a proxy, truncated JSON) has no code."""
    if not body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


def retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # HTTP-date form: fall back on our own backoff
    return seconds if seconds >= 0 else None


@dataclass(frozen=True, slots=True)
class Verdict:
    cause: Cause | None
    false_rejection: bool


def judge(attempts: list[Attempt]) -> Verdict:
    """The step's cause is its last attempt's, except a fraud flag after a network failure."""
    if not attempts:
        raise ValueError("a step has at least one attempt")
    cause = attempts[-1].cause
    after_network = any(a.cause is Cause.NETWORK for a in attempts[:-1])
    if cause is Cause.FRAUD_FLAGGED and after_network:
        return Verdict(Cause.NETWORK, True)
    return Verdict(cause, False)


def step_finished(step: str, attempts: list[Attempt], elapsed_ms: float, *, profile: str | None,
                  journey_id: str | None, detail: str = "") -> StepFinished:
    verdict = judge(attempts)
    last = attempts[-1]
    return StepFinished(step=step, cause=verdict.cause, elapsed_ms=elapsed_ms, code=last.code,
                        status=last.status or None, profile=profile, journey_id=journey_id,
                        retried=len(attempts) > 1, false_rejection=verdict.false_rejection,
                        detail=detail or (last.error or ""))
