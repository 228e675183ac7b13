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
from typing import Any

from loadtests.journey_state import JourneyState
from loadtests.tally import Tally
from loanqa.eventlog import EventLogWriter
from loanqa.journey_steps import PAYOUT
from loanqa.taxonomy import Cause

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


def confirm_pending(pending: list[JourneyState], target: str, tally: Tally, events: EventLogWriter | None) -> None:
    """Settle every pending payout: paid, failed, or unfinished when the target cannot say within the budget.

    A payout the target has queued or is processing is asked about again (it usually settles in moments);
    a loan with no payout at all is unfinished at once: nothing is moving.
    """
    deadline = time.monotonic() + RECHECK_BUDGET_S
    while pending:
        for j in list(pending):
            left = deadline - time.monotonic()
            loan = loan_status(target, j, min(5.0, left)) if left > 0.2 else None
            status = str(((loan or {}).get("disbursement") or {}).get("status") or "")
            if _settle(j, (loan or {}).get("disbursement") or {}, tally, events, final=left <= 0.2 or not status):
                pending.remove(j)
        if pending:
            time.sleep(RECHECK_POLL_S)


def _settle(j: JourneyState, payout: dict[str, Any], tally: Tally, events: EventLogWriter | None,
            final: bool) -> bool:
    status = payout.get("status")
    if status == "paid":
        j.reached.append("disbursed")
        j.record(tally, events, "paid_out", None, PAYOUT, "confirmed by the target when the run stopped")
    elif status == "failed":
        code = str(payout.get("failure_code") or "PAYOUT_FAILED")
        j.record(tally, events, "failed", Cause.SERVER_ERROR, PAYOUT, code)
    elif final:
        j.record(tally, events, "unfinished", None, j.on_step,
                 f"payout unconfirmed: target says {status or 'nothing'}")
    else:
        return False
    return True
