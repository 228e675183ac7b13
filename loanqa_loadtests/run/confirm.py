"""Payouts not seen in time are asked about again, directly at the target, when the run stops.

A status poll that gets no answer over a weak link says nothing about the money: the target may well
have paid. So before anything is judged, every pending payout of this process is looked up on the target
itself (not through the borrower's proxy); only what is still not settled stays `unfinished` at `payout`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from loanqa.eventlog import EventLogWriter
from loanqa.journey_steps import PAYOUT
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.tally import Tally
from loanqa_loadtests.run.journey_state import JourneyState

RECHECK_BUDGET_S = 10.0
RECHECK_POLL_S = 0.25


def _json(target: str, path: str, timeout_s: float, token: str = "",
          body: dict[str, Any] | None = None) -> dict[str, Any] | None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{target}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            answer = json.loads(resp.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return answer if isinstance(answer, dict) else None


def _fresh_token(target: str, j: JourneyState, timeout_s: float) -> str:
    """The session may have expired while the payout was pending: log in again (sandbox OTP), as the app would."""
    b = j.borrower
    otp = _json(target, "/v1/auth/otp", timeout_s, body={"phone": b.phone}) or {}
    login = _json(target, "/v1/auth/login", timeout_s,
                  body={"phone": b.phone, "code": otp.get("sandbox_code", ""), "device_id": b.device_id}) or {}
    return str(login.get("access_token") or "")


def loan_status(target: str, j: JourneyState, timeout_s: float) -> dict[str, Any] | None:
    path = f"/v1/loans/{j.loan_id}"
    return _json(target, path, timeout_s, j.token or "") or _json(target, path, timeout_s,
                                                                   _fresh_token(target, j, timeout_s))


Lookup = Callable[[str, JourneyState, float], "dict[str, Any] | None"]


def confirm_pending(pending: list[JourneyState], target: str, tally: Tally, events: EventLogWriter | None,
                    lookup: Lookup = loan_status, budget_s: float = RECHECK_BUDGET_S) -> None:
    """Settle every pending payout: paid, failed, or unfinished when the target cannot say within the budget.

    A payout the target has queued or is processing is asked about again (it usually settles in moments),
    and so is one whose lookup got no answer (the target may well have paid); a loan the target says has
    no payout at all is unfinished at once: nothing is moving. A borrower may settle its own payout while
    a lookup is under way (its user is still polling): it then leaves `pending` by itself and is not
    recorded twice (JourneyState.record is once only).
    """
    deadline = time.monotonic() + budget_s
    while pending:
        for j in list(pending):
            if j.recorded:
                _drop(pending, j)
                continue
            left = deadline - time.monotonic()
            loan = lookup(target, j, min(5.0, left)) if left > 0.2 else None
            payout = (loan or {}).get("disbursement") or {}
            answered_nothing = loan is not None and not payout.get("status")
            if _settle(j, payout, tally, events, final=left <= 0.2 or answered_nothing, answered=loan is not None):
                _drop(pending, j)
        if pending:
            time.sleep(RECHECK_POLL_S)


def _drop(pending: list[JourneyState], j: JourneyState) -> None:
    if j in pending:
        pending.remove(j)


def _settle(j: JourneyState, payout: dict[str, Any], tally: Tally, events: EventLogWriter | None,
            final: bool, answered: bool = True) -> bool:
    status = payout.get("status")
    if j.recorded:  # its own user saw the outcome while the lookup was under way
        return True
    if status == "paid":
        j.reached.append("disbursed")
        j.record(tally, events, "paid_out", None, PAYOUT, "confirmed by the target when the run stopped")
    elif status == "failed":
        code = str(payout.get("failure_code") or "PAYOUT_FAILED")
        j.record(tally, events, "failed", Cause.SERVER_ERROR, PAYOUT, code)
    elif final and answered and not status and j.if_unpaid is not None:
        cause, step, detail = j.if_unpaid  # the press never reached the target, or it did nothing with it
        j.record(tally, events, "failed", cause, step, f"{detail}; the target made no payout")
    elif final:
        j.record(tally, events, "unfinished", None, j.on_step,
                 f"payout unconfirmed: target says {status or 'nothing'}" if answered
                 else "payout unconfirmed: the target did not answer within the re-check budget")
    else:
        return False
    return True
