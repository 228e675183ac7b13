"""The borrower journey, written once: its steps (DESIGN.md, refapp/CONTRACT.md) and the order they are walked in.

Every runner (`loanqa journey`, the Locust borrower, the device flows) reads these definitions and walks
`walk` through its own `Caller`, so adding a step means one `StepDef`, one line in `walk` and the target's
route, not an edit in every runner. The runner decides how a step is sent (retries, taps, a real phone);
this module decides what is sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from loanqa.synthetic import Borrower

PAYOUT = "payout"  # not a request: the money moving (or not) after `disburse`, seen by polling `status`
SESSION_CODES = frozenset({"TOKEN_EXPIRED", "UNAUTHORIZED"})


@dataclass(frozen=True, slots=True)
class StepDef:
    name: str
    method: str
    path: str  # `{loan_id}` is filled in by `url`
    idempotent: bool  # a write sent with an Idempotency-Key: a retry or tap must never act twice
    feature: str  # the product feature it exercises, as Allure names it (loanqa.allure_labels)
    think_s: tuple[float, float]  # the borrower's pause before it: reading, typing, waiting for the SMS
    needs_login: bool = field(init=False)  # a field, not a property: the load borrower reads it on every request

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs_login", self.feature != "Login")

    def url(self, loan_id: str = "") -> str:
        """Without a loan id, a loan step's path is the borrower's loans (`GET /v1/loans`)."""
        path = self.path
        if "{loan_id}" not in path:
            return path
        if not loan_id:
            return path.split("/{loan_id}")[0]
        return path.replace("{loan_id}", loan_id)

    def sent_as(self, method: str, path: str) -> bool:
        """Whether a request the app made is this step; a target's base path may come before the path."""
        pattern = re.escape(self.path).replace(re.escape("{loan_id}"), "[^/]+") + "$"
        return method.upper() == self.method and re.search(pattern, path) is not None


STEPS: tuple[StepDef, ...] = (
    StepDef("otp", "POST", "/v1/auth/otp", False, "Login", (0.0, 0.0)),
    StepDef("login", "POST", "/v1/auth/login", False, "Login", (5.0, 15.0)),
    StepDef("identity", "POST", "/v1/kyc/identity", False, "Identity", (10.0, 30.0)),
    StepDef("liveness", "POST", "/v1/kyc/liveness", False, "Face recognition", (3.0, 8.0)),
    StepDef("apply", "POST", "/v1/loans", True, "Loan application", (5.0, 20.0)),
    StepDef("contract", "GET", "/v1/loans/{loan_id}/contract", False, "E-sign", (3.0, 8.0)),
    StepDef("sign", "POST", "/v1/loans/{loan_id}/sign", True, "E-sign", (10.0, 40.0)),
    StepDef("disburse", "POST", "/v1/loans/{loan_id}/disburse", True, "Disbursement", (2.0, 5.0)),
    StepDef("status", "GET", "/v1/loans/{loan_id}", False, "Disbursement", (20.0, 60.0)),
)
PAYOUT_FEATURE = "Disbursement"
# the steps of an approved loan: a journey lost on one of them counts against the disbursement SLO
AFTER_APPROVAL: frozenset[str] = frozenset({"contract", "sign", "disburse", "status", PAYOUT})
BY_NAME: dict[str, StepDef] = {s.name: s for s in STEPS}
STEP_NAMES: tuple[str, ...] = (*(s.name for s in STEPS), PAYOUT)


def step_sent_as(method: str, path: str) -> StepDef | None:
    """The step a recorded request was (the device probe sees only method and path)."""
    return next((s for s in STEPS if s.sent_as(method, path)), None)


def step(name: str) -> StepDef:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown journey step {name!r}; known: {', '.join(BY_NAME)}") from None


class Caller(Protocol):
    """How one runner sends the journey's steps; `send` returns the answer's JSON or ends the journey."""

    def think(self, step: StepDef) -> None: ...

    def send(self, step: StepDef, body: dict[str, Any] | None, loan_id: str = "") -> dict[str, Any]: ...

    def logged_in(self, answer: dict[str, Any]) -> None: ...

    def approved(self, loan_id: str) -> None: ...

    def await_payout(self, loan_id: str) -> None: ...


@dataclass(frozen=True)
class Application:
    amount: int = 3000
    term_months: int = 6


def login(c: Caller, b: Borrower) -> None:
    """OTP then login; also what a borrower does again when the session expires mid-journey."""
    otp = c.send(step("otp"), {"phone": b.phone})
    c.think(step("login"))
    c.logged_in(c.send(step("login"), {"phone": b.phone, "code": otp.get("sandbox_code", ""),
                                       "device_id": b.device_id}))


def walk(c: Caller, b: Borrower, frames: Sequence[str], signature_png: str, app: Application) -> str:
    """The whole journey from OTP to the payout; returns the loan id the target gave."""
    login(c, b)
    c.think(step("identity"))
    c.send(step("identity"), {"name": b.name, "id_number": b.id_number})
    c.think(step("liveness"))
    c.send(step("liveness"), {"frames": list(frames)})
    c.think(step("apply"))
    loan = c.send(step("apply"), {"amount": app.amount, "term_months": app.term_months, "device_id": b.device_id})
    loan_id = str(loan.get("loan_id", ""))
    c.approved(loan_id)
    c.think(step("contract"))
    contract = c.send(step("contract"), None, loan_id)
    c.think(step("sign"))
    c.send(step("sign"), {"contract_sha256": contract.get("sha256", ""), "signature_png": signature_png,
                          "agreed": True}, loan_id)
    c.think(step("disburse"))
    c.send(step("disburse"), {}, loan_id)
    c.await_payout(loan_id)
    return loan_id
