"""The borrower, as Locust sees it: one FastHttpUser walking the journey of DESIGN.md like the app does.

Each journey is a new synthetic borrower put on one network profile by the mix's weights; between steps
the borrower thinks (reads the contract, waits for the SMS). Status checks outnumber applications, as on a
real holiday peak. Every request is classified once (loadtests.classify) and reported as a StepFinished.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import gevent
from gevent import GreenletExit
from locust import task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser

from loadtests import runtime
from loadtests.classify import Attempt, error_code, retry_after, step_finished
from loadtests.face_frames import blinking_frames
from loadtests.routing import Route, pick_route
from loadtests.signature import signature_b64
from loanqa import allure_labels
from loanqa.events import StepFinished
from loanqa.taxonomy import Cause

THINK_S: dict[str, tuple[float, float]] = {
    "login": (5, 15), "identity": (10, 30), "liveness": (3, 8), "apply": (5, 20), "contract": (3, 8),
    "sign": (10, 40), "disburse": (2, 5), "status": (20, 60),
}
PAYOUT_POLL_S = 0.25
PAYOUT_DEADLINE_S = 30.0


@dataclass
class Answer:
    ok: bool
    data: dict[str, Any]
    attempts: list[Attempt]


class JourneyAborted(Exception):
    """The journey ends at this step (failure or business rejection), as it would in the app."""


class BorrowerBase(FastHttpUser):
    """The machinery: borrower, route, classified calls with retries; no tasks of its own."""

    abstract = True
    host = "http://127.0.0.1"  # replaced per borrower by the chosen route
    network_timeout = 15.0
    connection_timeout = 15.0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.ctx = runtime.context(environment)
        self.route: Route | None = None
        self.token: str | None = None
        self.loans: list[str] = []
        self.journey_id = ""
        self.reached: list[str] = []
        self.false_rejected = False
        self.taps = 0
        self.on_step = ""
        self.step_since = 0.0
        self._last_cause: Cause | None = None

    def _new_borrower(self) -> None:
        ctx = self.ctx
        self.borrower = ctx.factory.next()
        self.route = pick_route(ctx.routes, ctx.rng)
        self.client = FastHttpSession(
            base_url=self.route.base_url, request_event=self.environment.events.request, user=self,
            network_timeout=ctx.options.request_timeout_s, connection_timeout=ctx.options.request_timeout_s,
            max_retries=0, insecure=True, concurrency=1, **self.route.client_options())
        self.token, self.loans, self.reached, self.false_rejected, self.taps = None, [], ["started"], False, 0
        self.journey_id = uuid.uuid4().hex[:16]
        self._on("otp")

    def _walk(self) -> None:
        b = self.borrower
        otp = self.must("otp", "POST", "/v1/auth/otp", {"phone": b.phone})
        self.think("login")
        login = self.must("login", "POST", "/v1/auth/login",
                          {"phone": b.phone, "code": otp.get("sandbox_code", ""), "device_id": b.device_id})
        self.token = str(login.get("access_token", ""))
        self.think("identity")
        self.must("identity", "POST", "/v1/kyc/identity", {"name": b.name, "id_number": b.id_number})
        self.think("liveness")
        frames = list(blinking_frames(self.ctx.options.liveness_frames))
        self.must("liveness", "POST", "/v1/kyc/liveness", {"frames": frames})
        self.think("apply")
        self._apply_sign_disburse()

    def _apply_sign_disburse(self) -> None:
        amount = self.ctx.rng.choice((1000, 3000, 5000, 8000, 20000))
        loan = self.must("apply", "POST", "/v1/loans",
                         {"amount": amount, "term_months": self.ctx.rng.choice((3, 6, 12)),
                          "device_id": self.borrower.device_id}, key=True)
        loan_id = str(loan.get("loan_id", ""))
        self.loans.append(loan_id)
        self.reached.append("approved")
        self.think("contract")
        contract = self.must("contract", "GET", f"/v1/loans/{loan_id}/contract")
        self.think("sign")
        self.must("sign", "POST", f"/v1/loans/{loan_id}/sign",
                  {"contract_sha256": contract.get("sha256", ""), "signature_png": signature_b64(),
                   "agreed": True}, key=True)
        self.reached.append("signed")
        self.think("disburse")
        self.must("disburse", "POST", f"/v1/loans/{loan_id}/disburse", {}, key=True)
        self._await_payout(loan_id)

    def _await_payout(self, loan_id: str) -> None:
        """Poll like the status page does until the money moved or failed; a stuck queue is overload."""
        start = time.perf_counter()
        deadline = start + PAYOUT_DEADLINE_S
        while time.perf_counter() < deadline:
            answer = self.call("status", "GET", f"/v1/loans/{loan_id}")
            payout = answer.data.get("disbursement") or {}
            if payout.get("status") in ("paid", "failed"):
                break
            gevent.sleep(PAYOUT_POLL_S)
        else:
            payout = {"status": "timeout"}
        elapsed = (time.perf_counter() - start) * 1000
        if payout.get("status") == "paid":
            attempt = Attempt(200)
        else:
            code = payout.get("failure_code") or ("QUEUE_TIMEOUT" if payout["status"] == "timeout" else "PAYOUT_FAILED")
            attempt = Attempt(503 if code == "QUEUE_TIMEOUT" else 500, str(code))
        self._emit(step_finished("payout", [attempt], elapsed, profile=self._profile(), journey_id=self.journey_id))
        if attempt.cause is not None:
            raise JourneyAborted("payout", attempt.cause)
        self.reached.append("disbursed")

    def think(self, step: str) -> None:
        """The borrower is on `step` from here: reading, typing, waiting for the SMS."""
        self._on(step)
        gevent.sleep(self.ctx.think_s(*THINK_S[step]))

    def _on(self, step: str) -> None:
        if step != self.on_step:
            self.on_step, self.step_since = step, time.time()

    def must(self, step: str, method: str, path: str, body: dict[str, Any] | None = None,
             key: bool = False) -> dict[str, Any]:
        """A step the journey cannot go on without: on a technical failure the borrower may tap retry."""
        self._on(step)
        headers = self._headers(key)
        answer = self._round(step, method, path, body, headers, [])
        taps = 0
        while not answer.ok and self.ctx.taps.should_tap(answer.attempts[-1].cause, taps):
            gevent.sleep(self.ctx.taps.pause(self.ctx.rng, self.ctx.options.think_scale))
            taps += 1
            answer = self._round(step, method, path, body, headers, answer.attempts)
        self.taps += taps
        if not answer.ok:
            raise JourneyAborted(step, self._last_cause)
        return answer.data

    def call(self, step: str, method: str, path: str, body: dict[str, Any] | None = None,
             key: bool = False) -> Answer:
        return self._round(step, method, path, body, self._headers(key), [])

    def _headers(self, key: bool) -> dict[str, str]:
        """Fixed for the user's action: every retry and every tap resends the same Idempotency-Key."""
        headers = {"Idempotency-Key": uuid.uuid4().hex} if key else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _round(self, step: str, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str],
               earlier: list[Attempt]) -> Answer:
        """One press of the button, as the app sends it: bounded retries, backoff ≥ Retry-After.

        Each press is its own step outcome, so a failed one keeps its cause; `earlier` presses only
        decide whether a fraud flag or duplicate is a false rejection caused by the network.
        """
        attempts: list[Attempt] = []
        start = time.perf_counter()
        while True:
            attempt, data = self._attempt(step, method, path, body, headers)
            attempts.append(attempt)
            if not self.ctx.policy.should_retry(attempt.cause, len(attempts)):
                break
            gevent.sleep(self.ctx.policy.delay_s(len(attempts), attempt.retry_after_s, self.ctx.rng))
        seen = earlier + attempts if earlier else attempts
        ev = step_finished(step, seen, (time.perf_counter() - start) * 1000, profile=self._profile(),
                           journey_id=self.journey_id)
        self._emit(ev)
        self.ctx.tally.attempts += len(attempts)
        self._last_cause = ev.cause
        return Answer(ev.cause is None, data, seen)

    def _attempt(self, step: str, method: str, path: str, body: dict[str, Any] | None,
                 headers: dict[str, str]) -> tuple[Attempt, dict[str, Any]]:
        with self.client.request(method, path, name=step, json=body, headers=headers,
                                 catch_response=True) as resp:
            attempt, data = _read(resp)
            cause = attempt.cause
            if cause is None or cause.cause_class.value == "business":
                resp.success()
            else:
                resp.failure(allure_labels.cause_message(cause, attempt.code or attempt.error or str(attempt.status)))
        return attempt, data

    def _emit(self, ev: StepFinished) -> None:
        self.ctx.tally.add(ev)
        self.false_rejected |= ev.false_rejection

    def _profile(self) -> str:
        return self.route.profile if self.route else "direct"

    def _record_journey(self, last: str, cause: Cause | None, outcome: str) -> None:
        """Every borrower who started is counted once, finished or not: the worst profile must not vanish."""
        profile = self._profile()
        for stage in self.reached:
            self.ctx.tally.stage(profile, stage)
        self.ctx.tally.tapped(profile, self.taps, disbursed=self.reached[-1] == "disbursed")
        self.ctx.tally.ended(profile, outcome, last if outcome == "unfinished" else cause.value if cause else "")
        b = self.borrower
        self.ctx.tally.journey({
            "journey_id": self.journey_id, "profile": profile, "phone": b.phone, "id_number": b.id_number,
            "device_id": b.device_id, "loan_id": self.loans[-1] if self.loans else "", "outcome": outcome,
            "stage": self.reached[-1], "last_step": last, "cause": cause.value if cause else "",
            "since": round(self.step_since, 3) if outcome == "unfinished" else "",
            "false_rejection": int(self.false_rejected), "taps": self.taps})



class BorrowerUser(BorrowerBase):
    """A borrower on the app: applies now and then, checks the loan's status far more often."""

    def wait_time(self) -> float:
        return self.ctx.think_s(*THINK_S["status"])

    @task(1)
    def apply_for_loan(self) -> None:
        """A new borrower from OTP to payout; the journey's end (whichever step) is recorded once."""
        self._new_borrower()
        try:
            self._walk()
        except JourneyAborted as stop:
            last, cause = stop.args
            self._record_journey(last, cause, "business_rejected" if cause and cause.is_business else "failed")
        except GreenletExit:  # the run ended (or the user was stopped) mid-journey
            self._record_journey(self.on_step, None, "unfinished")
            raise
        else:
            self._record_journey("payout", None, "paid_out")

    @task(3)
    def check_status(self) -> None:
        if self.token is None:
            return self.apply_for_loan()
        path = f"/v1/loans/{self.loans[-1]}" if self.loans else "/v1/loans"
        self.call("status", "GET", path)
        return None

def _read(resp: Any) -> tuple[Attempt, dict[str, Any]]:
    """What one attempt got: an answer with its code and Retry-After, or a client-side error."""
    if not resp.status_code:  # no answer at all: refused, reset, timed out
        err = getattr(resp, "error", None)
        return Attempt(None, error=f"{type(err).__name__}: {err}"), {}
    try:
        content = resp.content
    except Exception as exc:  # a body cut off mid-way by the link
        return Attempt(None, error=f"{type(exc).__name__}: {exc}"), {}
    status = int(resp.status_code)
    if status >= 400:
        wait = retry_after(resp.headers.get("Retry-After") if resp.headers else None)
        return Attempt(status, error_code(content), retry_after_s=wait), {}
    data = _json(content)
    if data is None:
        return Attempt(status, malformed=True), {}
    return Attempt(status), data


def _json(content: bytes | None) -> dict[str, Any] | None:
    try:
        data = json.loads(content or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
