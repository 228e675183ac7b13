"""A small typed client of the journey contract, for smoke walks (`loanqa journey`), tests and benchmarks.

It speaks only HTTP, so it walks refapp and any real target alike. It stops a journey at the first step
that does not succeed and keeps the answer, so the caller can name the cause.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import httpx
import numpy as np

from loanqa.synthetic import Borrower

TERMINAL = frozenset({"disbursed", "payout_failed"})


@dataclass(frozen=True)
class Step:
    name: str
    status: int
    body: dict[str, Any]
    elapsed_ms: float
    error: str | None = None  # transport failure: no HTTP answer at all

    @property
    def code(self) -> str | None:
        code = self.body.get("code")
        return str(code) if isinstance(code, str) else None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status < 400


@dataclass
class Journey:
    borrower: Borrower
    steps: list[Step] = field(default_factory=list)
    loan_id: str | None = None

    @property
    def last(self) -> Step:
        return self.steps[-1]


def signature_png() -> str:
    """A hand-signature-like stroke on a white canvas, base64 PNG, as the H5 canvas would send."""
    canvas = np.full((120, 320, 3), 255, np.uint8)
    xs = np.linspace(20, 300, 60)
    pts = np.stack([xs, 60 + 30 * np.sin(xs / 25)], axis=1).astype(np.int32)
    cv2.polylines(canvas, [pts], False, (20, 20, 20), 3)
    _, buf = cv2.imencode(".png", canvas)
    return base64.b64encode(buf.tobytes()).decode()


class JourneyClient:
    def __init__(self, http: httpx.Client, poll_deadline_s: float = 30.0) -> None:
        self.http = http
        self.poll_deadline_s = poll_deadline_s
        self.token: str | None = None

    def call(self, name: str, method: str, path: str, body: dict[str, Any] | None = None,
             key: bool = False) -> Step:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        start = time.perf_counter()
        try:
            resp = self.http.request(method, path, json=body, headers=headers)
            parsed = resp.json() if resp.content else {}
        except (httpx.HTTPError, ValueError) as exc:
            return Step(name, 0, {}, (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}")
        data = parsed if isinstance(parsed, dict) else {"value": parsed}
        return Step(name, resp.status_code, data, (time.perf_counter() - start) * 1000)

    def walk(self, b: Borrower, frames_b64: Sequence[str], amount: int = 3000, term_months: int = 6) -> Journey:
        j = Journey(b)
        for step in self._steps(j, frames_b64, amount, term_months):
            j.steps.append(step)
            if not step.ok:
                break
        return j

    def _steps(self, j: Journey, frames: Sequence[str], amount: int, term: int) -> Iterator[Step]:
        b = j.borrower
        yield from self.login(b)
        yield self.identity(b)
        yield self.liveness(frames)
        applied = self.apply(b, amount, term)
        j.loan_id = applied.body.get("loan_id")
        yield applied
        contract = self.call("contract", "GET", f"/v1/loans/{j.loan_id}/contract")
        yield contract
        yield self.sign(j.loan_id or "", contract.body.get("sha256", ""))
        yield self.disburse(j.loan_id or "")
        yield self.poll_status(j.loan_id or "")

    def login(self, b: Borrower) -> Iterator[Step]:
        otp = self.call("otp", "POST", "/v1/auth/otp", {"phone": b.phone})
        yield otp
        login = self.call("login", "POST", "/v1/auth/login",
                          {"phone": b.phone, "code": otp.body.get("sandbox_code", ""), "device_id": b.device_id})
        self.token = login.body.get("access_token")
        yield login

    def identity(self, b: Borrower) -> Step:
        return self.call("identity", "POST", "/v1/kyc/identity", {"name": b.name, "id_number": b.id_number})

    def liveness(self, frames: Sequence[str]) -> Step:
        return self.call("liveness", "POST", "/v1/kyc/liveness", {"frames": list(frames)})

    def apply(self, b: Borrower, amount: int = 3000, term: int = 6) -> Step:
        return self.call("apply", "POST", "/v1/loans",
                         {"amount": amount, "term_months": term, "device_id": b.device_id}, key=True)

    def sign(self, loan_id: str, sha256: str, png: str | None = None) -> Step:
        body = {"contract_sha256": sha256, "signature_png": png or signature_png(), "agreed": True}
        return self.call("sign", "POST", f"/v1/loans/{loan_id}/sign", body, key=True)

    def disburse(self, loan_id: str) -> Step:
        return self.call("disburse", "POST", f"/v1/loans/{loan_id}/disburse", {}, key=True)

    def poll_status(self, loan_id: str) -> Step:
        """GET the loan until it is paid out or failed; a payout failure is a failed step with its code."""
        deadline = time.monotonic() + self.poll_deadline_s
        while True:
            step = self.call("status", "GET", f"/v1/loans/{loan_id}")
            status = step.body.get("status")
            if not step.ok or status in TERMINAL or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # poll interval of a real condition (the loan's status), bounded by the deadline
        if step.ok and status == "payout_failed":
            failure = step.body.get("disbursement", {}).get("failure_code", "PAYOUT_FAILED")
            return Step("status", 502, {**step.body, "code": failure}, step.elapsed_ms)
        if step.ok and status not in TERMINAL:
            return Step("status", 504, {**step.body, "code": "QUEUE_TIMEOUT"}, step.elapsed_ms)
        return step
