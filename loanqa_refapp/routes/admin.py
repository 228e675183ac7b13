"""Sandbox admin: live settings, counters, and the decision audit trail."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from loanqa.errors import ConfigError
from loanqa.masking import mask_id_number
from loanqa_refapp.apierror import ApiError, bad_request, not_found
from loanqa_refapp.routes.deps import St
from loanqa_refapp.settings import Settings, updated

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/settings")
async def get_settings(st: St) -> dict[str, Any]:
    return st.settings.model_dump()


@router.put("/settings")
async def put_settings(request: Request, st: St, replace: bool = False) -> dict[str, Any]:
    """A partial patch of the live settings; `?replace=true`: the body is a whole settings file (keys it omits
    take their defaults), which is how `loanqa up --refapp-settings F` applies F to a running refapp."""
    try:
        patch = await request.json()
    except ValueError:
        raise bad_request("body must be JSON") from None
    try:
        st.settings = updated(Settings() if replace else st.settings, patch)
    except ConfigError as err:
        raise ApiError(422, "BAD_REQUEST", str(err), reasons=[err.key]) from None
    if st.disburser is not None:
        st.disburser.resize(st.settings.disburse_workers)
    return st.settings.model_dump()


@router.get("/stats")
async def stats(st: St) -> dict[str, Any]:
    return {"inflight": st.inflight, "shed": st.shed, "payouts": st.store.payout_count(),
            "queue_depth": st.queue.qsize(), "loans": st.store.loan_counts()}


@router.get("/decisions/{loan_id}")
async def decision(loan_id: str, st: St) -> dict[str, Any]:
    row = st.store.one("SELECT * FROM decisions WHERE loan_id = ?", loan_id)
    if row is None:
        raise not_found("decision")
    audit: dict[str, Any] = json.loads(row["audit"])
    inputs = audit.get("inputs")
    if isinstance(inputs, dict) and isinstance(inputs.get("id_number"), str):
        # The stored record keeps the ID (a decision must be replayable); the operator's view does not need it.
        inputs["id_number"] = mask_id_number(inputs["id_number"])
    return {"loan_id": loan_id, "borrower_id": row["borrower_id"], **audit}
