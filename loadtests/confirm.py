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

from loadtests.runtime import LoadContext
from loanqa.journey_steps import PAYOUT
from loanqa.taxonomy import Cause

RECHECK_BUDGET_S = 10.0


def loan_status(target: str, loan_id: str, token: str, timeout_s: float) -> dict[str, Any] | None:
    req = urllib.request.Request(f"{target}/v1/loans/{loan_id}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            data = json.loads(resp.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return data if isinstance(data, dict) else None


def confirm_pending(ctx: LoadContext) -> None:
    """Settle every pending payout: paid, failed, or unfinished (unconfirmed) when the target cannot say."""
    deadline = time.monotonic() + RECHECK_BUDGET_S
    for j in list(ctx.pending):
        left = deadline - time.monotonic()
        loan = loan_status(ctx.target, j.loan_id or "", j.token or "", min(5.0, left)) if left > 0.2 else None
        payout = (loan or {}).get("disbursement") or {}
        if payout.get("status") == "paid":
            j.reached.append("disbursed")
            j.record(ctx.tally, ctx.events, "paid_out", None, PAYOUT, "confirmed by the target after the run")
        elif payout.get("status") == "failed":
            code = str(payout.get("failure_code") or "PAYOUT_FAILED")
            j.record(ctx.tally, ctx.events, "failed", Cause.SERVER_ERROR, PAYOUT, code)
        else:
            j.record(ctx.tally, ctx.events, "unfinished", None, PAYOUT,
                     f"payout unconfirmed: target says {payout.get('status') or 'nothing'}")
        ctx.pending.remove(j)
