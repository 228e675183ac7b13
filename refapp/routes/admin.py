"""Sandbox admin: live settings, counters, and the decision audit trail."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from loanqa.errors import ConfigError
from refapp.apierror import ApiError, bad_request, not_found
from refapp.routes.deps import St
from refapp.settings import updated

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/settings")
async def get_settings(st: St) -> dict[str, Any]:
    return st.settings.model_dump()


@router.put("/settings")
async def put_settings(request: Request, st: St) -> dict[str, Any]:
    try:
        patch = await request.json()
    except ValueError:
        raise bad_request("body must be JSON") from None
    try:
        st.settings = updated(st.settings, patch)
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
    return {"loan_id": loan_id, "borrower_id": row["borrower_id"], **audit}
