"""A typed client of the journey contract (refapp/CONTRACT.md) for any target: smoke walks, tests, benchmarks.

It speaks only HTTP (httpx), so it walks refapp and a real staging target alike, through the one journey
definition (loanqa.journey_steps). Every request carries an `X-Request-Id`; every attempt can go to the
event log (runner `journey`). A journey stops at the first step that does not succeed and keeps the answer,
so the caller can name the cause; a payout not settled within the deadline is *unconfirmed*, never a
guessed overload.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from loanqa.attribution import Attempt, reasons_of, retry_after
from loanqa.eventlog import AttemptRecord, EventLogWriter, FinalOutcome, JourneyEnd, phone_ref
from loanqa.journey_steps import PAYOUT, SESSION_CODES, Application, StepDef, step, walk
from loanqa.signature import signature_b64
from loanqa.synthetic import Borrower

TERMINAL = frozenset({"disbursed", "payout_failed"})


@dataclass(frozen=True)
class Step:
    name: str
    status: int
    body: dict[str, Any]
    elapsed_ms: float
    error: str | None = None  # transport failure: no HTTP answer at all
    replayed: bool = False
    request_id: str = ""
    unconfirmed: bool = False  # the payout did not settle before the deadline: nothing is known about the money
    retry_after_s: float | None = None
    malformed: bool = False  # a success status whose body is not the contract's JSON

    @property
    def code(self) -> str | None:
        code = self.body.get("code")
        return str(code) if isinstance(code, str) else None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status < 400 and not self.unconfirmed and not self.malformed

    @property
    def attempt(self) -> Attempt:
        """The step as loanqa.attribution judges it."""
        return Attempt(self.status or None, self.code, error=self.error, retry_after_s=self.retry_after_s,
                       malformed=self.malformed, replayed=self.replayed, reasons=reasons_of(self.body),
                       step=self.name)


@dataclass
class Journey:
    borrower: Borrower
    steps: list[Step] = field(default_factory=list)
    loan_id: str | None = None
    journey_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    @property
    def last(self) -> Step:
        return self.steps[-1]


class _Stopped(Exception):
    """The journey ends at the step just recorded."""


@dataclass
class EventSink:
    """Where a client's attempts go: the run's event log, under the run's id."""

    writer: EventLogWriter
    run_id: str


class JourneyClient:
    def __init__(self, http: httpx.Client, poll_deadline_s: float = 30.0, events: EventSink | None = None) -> None:
        self.http = http
        self.poll_deadline_s = poll_deadline_s
        self.events = events
        self.token: str | None = None
        self.borrower_id: str | None = None
        self._journey: Journey | None = None

    def call(self, name: str, method: str, path: str, body: dict[str, Any] | None = None,
             key: bool = False) -> Step:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers["X-Request-Id"] = uuid.uuid4().hex
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        started, start = time.time(), time.perf_counter()
        try:
            resp = self.http.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            step_ = Step(name, 0, {}, (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}",
                         request_id=headers["X-Request-Id"])
        else:
            data = _json_object(resp.content)
            step_ = Step(name, resp.status_code, data or {}, (time.perf_counter() - start) * 1000,
                         replayed=resp.headers.get("Idempotent-Replayed", "").lower() == "true",
                         request_id=resp.headers.get("X-Request-Id", headers["X-Request-Id"]),
                         retry_after_s=retry_after(resp.headers.get("Retry-After")),
                         malformed=data is None and resp.status_code < 400)
        j = self._journey
        if j is not None and j.loan_id is None and step_.body.get("loan_id"):  # approved or rejected, it has an id
            j.loan_id = str(step_.body["loan_id"])
        self._log(step_, started, method, path, headers.get("Idempotency-Key"))
        return step_

    def _log(self, s: Step, started: float, method: str, path: str, key: str | None) -> None:
        j = self._journey
        if self.events is None or j is None:
            return
        a = s.attempt
        self.events.writer.write(AttemptRecord(
            run_id=self.events.run_id, runner="journey", journey_id=j.journey_id, borrower_id=self.borrower_id,
            phone_ref=phone_ref(self.events.run_id, j.borrower.phone), loan_id=j.loan_id, step=s.name, attempt=1,
            method=method, path=path, idempotency_key=key, request_id=s.request_id, started_at=started,
            duration_ms=round(s.elapsed_ms, 1), status=s.status or None, code=s.code, replayed=s.replayed,
            cause=a.cause, detail=s.error or ""))

    # -- loanqa.journey_steps.Caller ------------------------------------------------------------------
    def think(self, s: StepDef) -> None:
        """A smoke walk does not pause."""

    def send(self, s: StepDef, body: dict[str, Any] | None, loan_id: str = "") -> dict[str, Any]:
        return self._keep(self.call(s.name, s.method, s.url(loan_id), body, key=s.idempotent))

    def logged_in(self, answer: dict[str, Any]) -> None:
        self.token = answer.get("access_token")
        self.borrower_id = str(answer.get("borrower_id") or "") or None

    def approved(self, loan_id: str) -> None:
        if self._journey is not None:
            self._journey.loan_id = loan_id or None

    def await_payout(self, loan_id: str) -> None:
        self._keep(self.poll_status(loan_id))

    def _keep(self, s: Step) -> dict[str, Any]:
        if self._journey is not None:
            self._journey.steps.append(s)
        if not s.ok:
            raise _Stopped(s.name)
        return s.body

    # -- walks and single steps -----------------------------------------------------------------------
    def walk(self, b: Borrower, frames_b64: Sequence[str], amount: int = 3000, term_months: int = 6,
             signature_png_b64: str | None = None) -> Journey:
        j = self._journey = Journey(b)
        with contextlib.suppress(_Stopped):
            walk(self, b, frames_b64, signature_png_b64 or signature_b64(), Application(amount, term_months))
        self._end(j)
        return j

    def _end(self, j: Journey) -> None:
        """The journey's one outcome in the event log, judged like every runner judges it."""
        if self.events is None or not j.steps:
            return
        last = j.last
        cause = None if last.unconfirmed else last.attempt.cause
        outcome: FinalOutcome = ("unfinished" if last.unconfirmed else "paid_out" if cause is None
                                 else "business_rejected" if cause.is_business else "failed")
        self.events.writer.write(JourneyEnd(
            run_id=self.events.run_id, runner="journey", journey_id=j.journey_id, borrower_id=self.borrower_id,
            phone_ref=phone_ref(self.events.run_id, j.borrower.phone), loan_id=j.loan_id, outcome=outcome,
            cause=cause, step=last.name, at=time.time(),
            detail="payout unconfirmed at the deadline" if last.unconfirmed else (last.code or last.error or "")))

    def login(self, b: Borrower) -> Iterator[Step]:
        otp = self.call("otp", "POST", "/v1/auth/otp", {"phone": b.phone})
        yield otp
        s = step("login")
        login = self.call(s.name, s.method, s.path, {"phone": b.phone, "code": otp.body.get("sandbox_code", ""),
                                                     "device_id": b.device_id})
        self.logged_in(login.body)
        yield login

    def identity(self, b: Borrower) -> Step:
        return self.call("identity", "POST", step("identity").path, {"name": b.name, "id_number": b.id_number})

    def liveness(self, frames: Sequence[str]) -> Step:
        return self.call("liveness", "POST", step("liveness").path, {"frames": list(frames)})

    def apply(self, b: Borrower, amount: int = 3000, term: int = 6) -> Step:
        return self.call("apply", "POST", step("apply").path,
                         {"amount": amount, "term_months": term, "device_id": b.device_id}, key=True)

    def sign(self, loan_id: str, sha256: str, png: str | None = None) -> Step:
        body = {"contract_sha256": sha256, "signature_png": png or signature_b64(), "agreed": True}
        return self.call("sign", "POST", step("sign").url(loan_id), body, key=True)

    def disburse(self, loan_id: str) -> Step:
        return self.call("disburse", "POST", step("disburse").url(loan_id), {}, key=True)

    def poll_status(self, loan_id: str) -> Step:
        """GET the loan until it is paid out or failed; a payout failure is a failed step with its code,
        no settlement before the deadline an unconfirmed one (the money may well have moved). A poll that gets
        no answer, or an error, says nothing about the money either: polling goes on until the deadline, and an
        expired session during a walk means logging in again, as the app does."""
        deadline = time.monotonic() + self.poll_deadline_s
        while True:
            s = self.call("status", "GET", step("status").url(loan_id))
            status = s.body.get("status") if s.ok else None
            if s.code in SESSION_CODES and self._journey is not None:
                for _ in self.login(self._journey.borrower):
                    pass
            if status in TERMINAL or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # poll interval of a real condition (the loan's status), bounded by the deadline
        if status == "payout_failed":
            failure = s.body.get("disbursement", {}).get("failure_code", "PAYOUT_FAILED")
            return Step(PAYOUT, 502, {**s.body, "code": failure}, s.elapsed_ms, request_id=s.request_id)
        if status not in TERMINAL:
            return Step(PAYOUT, s.status, s.body, s.elapsed_ms, s.error, request_id=s.request_id,
                        unconfirmed=True)
        return s


def _json_object(content: bytes) -> dict[str, Any] | None:
    """The answer's JSON object; None for anything else (a gateway's HTML page, a truncated body). An empty
    body is an empty object: some answers carry only a status."""
    if not content:
        return {}
    try:
        parsed = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else {"value": parsed}
