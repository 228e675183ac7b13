"""POST /v1/kyc/identity and /v1/kyc/liveness."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from loanqa.masking import mask_id_number, mask_name
from loanqa_refapp import liveness
from loanqa_refapp.apierror import ApiError
from loanqa_refapp.identity import check_identity
from loanqa_refapp.routes.deps import BorrowerId, St

router = APIRouter(prefix="/v1/kyc", tags=["kyc"])
log = logging.getLogger("refapp.kyc")


class IdentityRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(max_length=64)


class LivenessRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    frames: list[str]


@router.post("/identity")
async def identity(body: IdentityRequest, st: St, borrower: BorrowerId) -> dict[str, Any]:
    try:
        check_identity(body.name, body.id_number)
    except ApiError as err:
        log.info("identity of %s rejected %s: %s %s", borrower, err.code, mask_name(body.name),
                 mask_id_number(body.id_number))
        raise
    st.store.run("UPDATE borrowers SET name = ?, id_number = ?, kyc_at = ? WHERE id = ?",
                 body.name.strip(), body.id_number.upper(), time.time(), borrower)
    log.info("identity of %s verified: %s %s", borrower, mask_name(body.name), mask_id_number(body.id_number))
    return {"verified": True}


def _judge(frames: list[str]) -> liveness.Verdict:
    try:
        grays = liveness.decode_frames(frames)
    except liveness.FramesInvalid as err:
        raise _face_error("FACE_FRAMES_INVALID", str(err)) from None
    return liveness.assess(grays)


def _face_error(code: str, message: str) -> ApiError:
    return ApiError(422, code, message, hint=liveness.HINTS[code])


@router.post("/liveness")
async def check_liveness(body: LivenessRequest, st: St, borrower: BorrowerId) -> dict[str, Any]:
    row = st.store.borrower(borrower)
    if row is None or row["kyc_at"] is None:
        raise ApiError(409, "KYC_REQUIRED", "verify identity first", hint="请先完成实名认证")
    verdict = await run_in_threadpool(_judge, body.frames)
    log.info("liveness of %s: %s score=%s", borrower, verdict.code or "passed", verdict.score)
    if verdict.code is not None:
        raise _face_error(verdict.code, f"liveness failed on {verdict.frames} frames")
    st.store.run("UPDATE borrowers SET liveness_at = ? WHERE id = ?", time.time(), borrower)
    return {"passed": True, "score": verdict.score, "frames": verdict.frames}
