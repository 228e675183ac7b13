"""One cause per step outcome, decided from evidence: the taxonomy applied to what the client actually saw.

Only the client knows that a request was retried after a timeout. Retries and taps resend the same
Idempotency-Key, so on a contract-following target a retry only replays the first decision
(`Idempotent-Replayed: true`) and keeps its cause. A rejection is blamed on the network (a false rejection)
only when the answer itself shows the target saw the borrower twice: DUPLICATE_APPLICATION, or a fraud
reason naming velocity or a pending application, and the answer is not a replay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from loanqa.taxonomy import Cause, cause_for_response

DUPLICATE_EVIDENCE = frozenset({"VELOCITY", "APPROVED_APPLICATION_PENDING", "DUPLICATE"})


@dataclass(slots=True)
class Attempt:
    """One HTTP attempt: a response (status, error code) or a client-side error (no complete response).

    A value, never changed once made; not `frozen` only because a frozen dataclass costs four times as much to
    build, and the borrower builds one per request."""

    status: int | None
    code: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    malformed: bool = False  # a complete answer that is not the contract's JSON
    replayed: bool = False  # `Idempotent-Replayed: true`: the first answer to this key, sent again
    reasons: tuple[str, ...] = ()
    step: str | None = None
    # Decided once, here: a press reads it on every retry, tap and judgement (the borrower's hot path).
    cause: Cause | None = field(init=False, compare=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if self.error is not None or not self.status:
            cause: Cause | None = Cause.NETWORK
        elif self.malformed:
            cause = Cause.SERVER_ERROR
        else:
            cause = cause_for_response(self.status, self.code, self.step, self.retry_after_s is not None)
        self.cause = cause

    @property
    def duplicate_evidence(self) -> bool:
        """The answer itself says the target saw this borrower apply twice."""
        return not self.replayed and (self.code == "DUPLICATE_APPLICATION"
                                      or bool(DUPLICATE_EVIDENCE.intersection(self.reasons)))


def error_body(body: bytes | str | None) -> dict[str, Any]:
    """The contract's error JSON; anything else (HTML from a proxy, truncated JSON) is empty."""
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def error_code(body: bytes | str | None) -> str | None:
    code = error_body(body).get("code")
    return code if isinstance(code, str) else None


def reasons_of(body: dict[str, Any]) -> tuple[str, ...]:
    reasons = body.get("reasons")
    return tuple(str(r) for r in reasons) if isinstance(reasons, list) else ()


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
    """The step's cause is its last attempt's, except a duplicate the network provably caused."""
    if not attempts:
        raise ValueError("a step has at least one attempt")
    last = attempts[-1]
    cause = last.cause
    if cause is Cause.FRAUD_FLAGGED and last.duplicate_evidence and any(a.cause is Cause.NETWORK
                                                                        for a in attempts[:-1]):
        return Verdict(Cause.NETWORK, True)
    return _PLAIN[cause]


_PLAIN = {c: Verdict(c, False) for c in (None, *Cause)}  # judge's common answer, made once
