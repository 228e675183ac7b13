"""POST /v1/auth/otp and /v1/auth/login."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from loanqa.masking import mask_phone
from loanqa_refapp.auth import OTP_TTL_S
from loanqa_refapp.routes.deps import St
from loanqa_refapp.state import new_id

router = APIRouter(prefix="/v1/auth", tags=["auth"])
log = logging.getLogger("refapp.auth")
PHONE = r"^1[3-9]\d{9}$"


class OtpRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    phone: str = Field(pattern=PHONE)


class LoginRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    phone: str = Field(pattern=PHONE)
    code: str = Field(min_length=1, max_length=12)
    device_id: str = Field(min_length=1, max_length=128)


@router.post("/otp")
async def send_otp(body: OtpRequest, st: St) -> dict[str, Any]:
    code = st.auth.send_otp(body.phone, st.settings.otp_per_minute)
    log.info("otp sent to %s", mask_phone(body.phone))
    return {"sent": True, "expires_in": OTP_TTL_S, "sandbox_code": code}


@router.post("/login")
async def login(body: LoginRequest, st: St) -> dict[str, Any]:
    st.auth.verify_otp(body.phone, body.code)
    borrower_id = st.store.borrower_for_phone(body.phone, new_id("b"))
    st.store.link_device(body.device_id, borrower_id)
    ttl = st.settings.token_ttl_s
    log.info("login %s as %s", mask_phone(body.phone), borrower_id)
    return {"access_token": st.auth.issue(borrower_id, ttl), "token_type": "bearer", "expires_in": ttl,
            "borrower_id": borrower_id}
