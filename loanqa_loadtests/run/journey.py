"""The borrower, as Locust sees it: one FastHttpUser walking the journey (loanqa.journey_steps) like the app does.

Each journey is a new synthetic borrower put on one network profile by the mix's weights; between steps
the borrower thinks (reads the contract, waits for the SMS). Status checks outnumber applications, as on a
real holiday peak. Every attempt is written to the event log with its evidence (request id, replay), every
press is classified once (loanqa.attribution) and reported as a StepFinished, and every journey that starts
ends with exactly one outcome (loanqa_loadtests.run.journey_state), unfinished ones included.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import gevent
from gevent import GreenletExit
from locust import task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser
from locust.exception import CatchResponseError

from loanqa import allure_labels
from loanqa.eventlog import FinalOutcome
from loanqa.events import StepFinished
from loanqa.journey_steps import PAYOUT, SESSION_CODES, Application, StepDef, login, step, walk
from loanqa.liveness_frames import blinking_frames
from loanqa.signature import signature_b64
from loanqa.taxonomy import Cause
from loanqa_loadtests.model.routing import Route, pick_route
from loanqa_loadtests.run import answers, runtime
from loanqa_loadtests.run.classify import Attempt, may_have_landed, step_finished
from loanqa_loadtests.run.journey_state import JourneyState

PAYOUT_POLL_S = 0.25
PAYOUT_DEADLINE_S = 30.0


class JourneyAborted(Exception):
    """The journey ends at this step (failure or business rejection), as it would in the app."""


class PayoutUnconfirmed(Exception):
    """The payout's status could not be seen in time; the run re-checks it before judging
    (loanqa_loadtests.run.confirm)."""


def _close(session: Any) -> None:
    """Close a session's pooled connections (geventhttpclient's pool; Locust's session has no close of its own)."""
    session.client.clientpool.close()


class HeldRequest:
    """The borrower's session fires Locust's request event into this, and the borrower fires the real one once the
    answer is judged: a business rejection or an expired session is a success for Locust, a technical failure
    carries its cause. Locust's own way, `catch_response`, copies every response into a context manager and costs
    five Python calls per request; this `fire` is a dict's update, which runs no Python at all."""

    __slots__ = ("fire", "meta")

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.fire = self.meta.update


class BorrowerBase(FastHttpUser):
    """The machinery: borrower, route, classified calls with retries; no tasks of its own."""

    abstract = True
    host = "http://127.0.0.1"  # replaced per borrower by the chosen route
    network_timeout = 15.0
    connection_timeout = 15.0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.ctx = runtime.context(environment)
        self.held = HeldRequest()
        self.client.request_event = self.held  # every request is judged before Locust counts it
        self.j: JourneyState | None = None
        self.route = Route("direct", "http://127.0.0.1")

    @property
    def journey(self) -> JourneyState:
        if self.j is None:
            raise RuntimeError("no journey started")
        return self.j

    def _new_borrower(self) -> None:
        """A new phone: its own connection, no cookies. The last borrower's connection is closed here, not left
        to the garbage collector (an unclosed socket cost ~0.3 ms in its finalizer and held the target's and
        the proxy's connection open until a collection)."""
        ctx = self.ctx
        route = pick_route(ctx.routes, ctx.rng)
        _close(self.client)
        self.client = FastHttpSession(
            base_url=route.base_url, request_event=self.held, user=self,
            network_timeout=ctx.options.request_timeout_s, connection_timeout=ctx.options.request_timeout_s,
            max_retries=0, insecure=True, concurrency=1, **route.client_options())
        self.route = route
        self.j = JourneyState(ctx.factory.run_id, os.urandom(8).hex(), ctx.factory.next(), route.profile)
        ctx.tally.started += 1

    # -- loanqa.journey_steps.Caller ------------------------------------------------------------------
    def think(self, s: StepDef) -> None:
        """The borrower is on `s` from here: reading, typing, waiting for the SMS."""
        self.journey.on(s.name)
        gevent.sleep(self.ctx.think_s(*s.think_s))

    def send(self, s: StepDef, body: dict[str, Any] | None, loan_id: str = "") -> dict[str, Any]:
        """A step the journey cannot go on without: on a technical failure the borrower may tap retry;
        an expired session means logging in again, as the app does, then the same step once more."""
        j = self.j
        if j is None:
            raise RuntimeError("no journey started")
        if s.name == "disburse" and j not in self.ctx.pending:
            self.ctx.pending.append(j)  # from here the money may move: re-checked if the run ends
        data = self._press_until_done(j, s, body, loan_id)
        if data is None:
            login(self, j.borrower)
            data = self._press_until_done(j, s, body, loan_id)
            if data is None:
                raise JourneyAborted(s.name, Cause.SERVER_ERROR, "a fresh login was refused again")
        if s.name == "sign":
            j.reached.append("signed")
        return data

    def logged_in(self, answer: dict[str, Any]) -> None:
        self.journey.token = str(answer.get("access_token", ""))
        self.journey.borrower_id = str(answer.get("borrower_id") or "") or None

    def approved(self, loan_id: str) -> None:
        self.journey.loan_id = loan_id
        self.journey.reached.append("approved")

    def await_payout(self, loan_id: str) -> None:
        """Poll like the status page does until the money moved or failed; no answer in time is unconfirmed."""
        j = self.journey
        j.on(PAYOUT)
        start = time.perf_counter()
        while time.perf_counter() < start + PAYOUT_DEADLINE_S:
            attempts, data, _ = self._press(j, step("status"), None, loan_id, None, 0, [])
            if attempts[-1].code in SESSION_CODES:
                try:
                    login(self, j.borrower)
                except JourneyAborted as stop:  # the money may have moved all the same: asked at the target
                    j.if_unpaid = (stop.args[1], stop.args[0], stop.args[2])
                    raise PayoutUnconfirmed(loan_id) from None
            payout = data.get("disbursement") or {}
            if payout.get("status") in ("paid", "failed"):
                self._payout_seen(payout, (time.perf_counter() - start) * 1000)
                return
            gevent.sleep(PAYOUT_POLL_S)
        raise PayoutUnconfirmed(loan_id)

    # -- presses, attempts ----------------------------------------------------------------------------
    def _payout_seen(self, payout: dict[str, Any], elapsed_ms: float) -> None:
        paid = payout.get("status") == "paid"
        attempt = Attempt(200) if paid else Attempt(500, str(payout.get("failure_code") or "PAYOUT_FAILED"))
        j = self.journey
        self._emit(j, step_finished(PAYOUT, [attempt], elapsed_ms, j.profile, j.journey_id))
        self.environment.events.request.fire(  # the outcome borrowers care about, as its own Locust entry
            request_type="PAYOUT", name=PAYOUT, response_time=elapsed_ms, response_length=0, context={},
            exception=None if paid else RuntimeError(allure_labels.cause_message(Cause.SERVER_ERROR,
                                                                                 attempt.code or "")))
        if not paid:
            raise JourneyAborted(PAYOUT, attempt.cause, attempt.code or "")
        self.journey.reached.append("disbursed")

    def _press_until_done(self, j: JourneyState, s: StepDef, body: dict[str, Any] | None,
                          loan_id: str) -> dict[str, Any] | None:
        """None: the session expired. Taps resend the same Idempotency-Key; the journey ends on a failure."""
        if j.on_step != s.name:  # mostly it is: `think` came first
            j.on(s.name)
        key = uuid.uuid4().hex if s.idempotent else None
        attempts, data, cause = self._press(j, s, body, loan_id, key, 0, [])
        if attempts[-1].cause is None:  # most presses: answered at once
            return data
        ctx, taps = self.ctx, 0
        while attempts[-1].cause is not None and ctx.taps.should_tap(attempts[-1].cause, taps):
            gevent.sleep(ctx.taps.pause(ctx.rng, ctx.options.think_scale))
            taps += 1
            attempts, data, cause = self._press(j, s, body, loan_id, key, taps, attempts)
        j.taps += taps
        last = attempts[-1]
        if last.code in SESSION_CODES and s.needs_login:
            return None
        if cause is None:
            return data
        if s.name == "disburse" and may_have_landed(attempts):
            # it may have reached the target, which may have paid: re-checked there, failed only if it says so
            j.if_unpaid = (cause, s.name, last.code or last.error or "")
            raise PayoutUnconfirmed(loan_id)
        raise JourneyAborted(s.name, cause, last.code or last.error or "")

    def call(self, s: StepDef, loan_id: str = "") -> dict[str, Any]:
        """One press whose failure does not end the journey (status checks)."""
        return self._press(self.journey, s, None, loan_id, None, 0, [])[1]

    def _press(self, j: JourneyState, s: StepDef, body: dict[str, Any] | None, loan_id: str, key: str | None,
               tap: int, earlier: list[Attempt]) -> tuple[list[Attempt], dict[str, Any], Cause | None]:
        """One press of the button, as the app sends it: bounded retries, backoff ≥ Retry-After. Returns every
        attempt of the step so far, the last answer and the step's judged cause."""
        start = time.perf_counter()
        attempt, data = self._attempt(j, s, body, loan_id, key, tap, 1)
        attempts = [attempt]
        if attempt.cause is not None:
            policy, rng = self.ctx.policy, self.ctx.rng
            while attempt.cause is not None and policy.should_retry(attempt.cause, len(attempts)):
                gevent.sleep(policy.delay_s(len(attempts), attempt.retry_after_s, rng))
                attempt, data = self._attempt(j, s, body, loan_id, key, tap, len(attempts) + 1)
                attempts.append(attempt)
        elapsed_ms = (time.perf_counter() - start) * 1000
        tally = self.ctx.tally
        tally.attempts += len(attempts)
        if attempt.cause is None and attempt.code is None and len(attempts) == 1 and not earlier:
            tally.count(j.profile or "direct", s.name, elapsed_ms, time.time(), None)  # most: answered at once
            return attempts, data, None
        seen = earlier + attempts if earlier else attempts
        ev = step_finished(s.name, seen, elapsed_ms, j.profile, j.journey_id)
        if attempt.code in SESSION_CODES and s.needs_login:
            ev = StepFinished(s.name, None, ev.elapsed_ms, ev.code, ev.status, ev.profile,
                              journey_id=ev.journey_id, detail="session expired: logging in again")
        self._emit(j, ev)
        return seen, data, ev.cause

    def _attempt(self, j: JourneyState, s: StepDef, body: dict[str, Any] | None, loan_id: str, key: str | None,
                 tap: int, n: int) -> tuple[Attempt, dict[str, Any]]:
        headers = {"X-Request-Id": j.next_request_id()}
        if key:
            headers["Idempotency-Key"] = key
        if j.token and s.needs_login:
            headers["Authorization"] = f"Bearer {j.token}"
        events = self.ctx.events
        path, started = s.url(loan_id), time.time() if events is not None else 0.0
        resp = self.client.request(s.method, path, name=s.name, json=body, headers=headers)
        attempt, data = answers.read(resp, s.name, keyed=key is not None)
        if j.loan_id is None and data.get("loan_id"):  # approved or rejected, the target named the loan
            j.loan_id = str(data["loan_id"])
        cause, meta = attempt.cause, self.held.meta
        if cause is None or cause.is_business or attempt.code in SESSION_CODES:
            meta["exception"] = None
        else:
            meta["exception"] = CatchResponseError(
                allure_labels.cause_message(cause, attempt.code or attempt.error or str(attempt.status)))
        self.environment.events.request.fire(**meta)  # meta is kept: the next request's fields overwrite it unresized
        if events is not None:
            rid = answers.header(resp, "X-Request-Id") or headers["X-Request-Id"]
            events.write(j.attempt(attempt, step=s.name, n=n, tap=tap, key=key, request_id=rid,
                                   started_at=started, duration_ms=(time.time() - started) * 1000,
                                   method=s.method, path=path, phase=self.route.phase_at(started)))
        return attempt, data

    def _emit(self, j: JourneyState, ev: StepFinished) -> None:
        self.ctx.tally.add(ev)
        if ev.false_rejection:
            j.false_rejected = True

    def _end(self, outcome: FinalOutcome, cause: Cause | None, at: str, detail: str = "") -> None:
        self.journey.record(self.ctx.tally, self.ctx.events, outcome, cause, at, detail)
        if self.journey in self.ctx.pending:
            self.ctx.pending.remove(self.journey)


class BorrowerUser(BorrowerBase):
    """A borrower on the app: applies now and then, checks the loan's status far more often."""

    def wait_time(self) -> float:
        return self.ctx.think_s(*step("status").think_s)

    @task(1)
    def apply_for_loan(self) -> None:
        """A new borrower from OTP to payout; the journey's end (whichever step) is recorded once."""
        self._new_borrower()
        frames = list(blinking_frames(self.ctx.options.liveness_frames))
        app = Application(self.ctx.rng.choice((1000, 3000, 5000, 8000, 20000)), self.ctx.rng.choice((3, 6, 12)))
        try:
            walk(self, self.journey.borrower, frames, signature_b64(), app)
        except JourneyAborted as stop:
            at, cause, detail = stop.args
            self._end("business_rejected" if cause and cause.is_business else "failed", cause, at, detail)
        except PayoutUnconfirmed:
            pass  # stays pending: re-checked when the run stops, before anything is judged
        except GreenletExit:  # the run ended, or the shape stopped this user, mid-journey
            if self.journey not in self.ctx.pending:  # a payout under way is asked about when the run stops
                self._end("unfinished", None, self.journey.on_step)
            raise
        else:
            self._end("paid_out", None, PAYOUT)

    @task(3)
    def check_status(self) -> None:
        if self.j is None or self.j.token is None:
            return self.apply_for_loan()
        self.call(step("status"), self.j.loan_id or "")
        return None
