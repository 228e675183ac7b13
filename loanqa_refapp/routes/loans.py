"""Loan application (decision), contract, e-sign and disbursement."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from loanqa_refapp import decisions, esign, loans
from loanqa_refapp.apierror import ApiError
from loanqa_refapp.faults import hit
from loanqa_refapp.idempotency import idempotent, require_key
from loanqa_refapp.routes.deps import BorrowerId, IdemKey, St
from loanqa_refapp.state import Answer, AppState, new_id

router = APIRouter(prefix="/v1/loans", tags=["loans"])
log = logging.getLogger("refapp.loans")

REJECTION_HINTS = {
    "CREDIT_REJECTED": "很抱歉，您的综合信用评分暂未达到借款要求",
    "FRAUD_FLAGGED": "您的申请存在风险，暂无法借款",
    "MULTI_LENDING": "您在其他机构的借款较多，暂无法借款",
    "DUPLICATE_APPLICATION": "您已有一笔待签约的借款，请先完成签约",
}


class ApplyRequest(BaseModel):
    """Strict: `"3000"` is not an amount (a client that sends strings has a bug worth seeing)."""

    model_config = ConfigDict(strict=True)
    amount: int = Field(ge=500, le=200_000)
    term_months: Literal[3, 6, 12, 24]
    device_id: str = Field(min_length=1, max_length=128)


class SignRequest(BaseModel):
    """Strict: consent is the JSON literal `true`; `1` or `"yes"` is not a signature on a loan contract."""

    model_config = ConfigDict(strict=True)
    contract_sha256: str = Field(max_length=128)
    signature_png: str
    agreed: bool


def _inputs(st: AppState, borrower: str, id_number: str, device_id: str) -> decisions.Inputs:
    now = time.time()
    recent = st.store.one("SELECT count(*) AS n FROM loans WHERE borrower_id = ? AND created_at > ?",
                          borrower, now - 3600)
    dup = st.store.one("""SELECT id FROM loans WHERE borrower_id = ? AND status = 'approved' AND created_at > ?
                          ORDER BY created_at DESC LIMIT 1""", borrower, now - st.settings.duplicate_window_s)
    return decisions.Inputs(
        id_number=id_number, bureau_score=decisions.bureau_score(id_number),
        open_loans_elsewhere=decisions.open_loans_elsewhere(id_number),
        device_borrowers=st.store.link_device(device_id, borrower),
        applications_last_hour=int(recent["n"]) if recent else 0,
        duplicate_of=str(dup["id"]) if dup else None)


def _store_loan(st: AppState, borrower: str, body: ApplyRequest, inp: decisions.Inputs,
                verdict: decisions.Decision) -> tuple[str, float]:
    loan_id, apr = new_id("L"), decisions.apr_for(verdict.score)
    status = "approved" if verdict.code is None else "rejected"
    st.store.run("INSERT INTO loans(id, borrower_id, status, amount, term_months, apr, device_id, created_at, decision)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", loan_id, borrower, status, body.amount, body.term_months,
                 apr, body.device_id, time.time(), json.dumps(verdict.public()))
    st.store.run("INSERT INTO decisions VALUES (?, ?, ?)", loan_id, borrower,
                 json.dumps(verdict.audit(inp, st.settings), ensure_ascii=False))
    return loan_id, apr


async def _apply(st: AppState, borrower: str, body: ApplyRequest) -> Answer:
    row = st.store.borrower(borrower)
    if row is None or row["liveness_at"] is None:
        raise ApiError(409, "LIVENESS_REQUIRED", "pass liveness first", hint="请先完成人脸识别")
    id_number = str(row["id_number"])
    if hit(id_number, "server-error", st.settings.faults.server_error_share):
        raise ApiError(500, "INTERNAL", "injected server error (faults.server_error_share)")
    async with st.borrower_lock(borrower):  # counts read, bureau awaited, decision stored: one at a time
        inp = _inputs(st, borrower, id_number, body.device_id)
        await asyncio.sleep(st.settings.bureau_latency_ms / 1000)
        verdict = decisions.decide(inp, st.settings)
        loan_id, apr = _store_loan(st, borrower, body, inp, verdict)
    log.info("loan %s for %s: %s %s", loan_id, borrower, verdict.code or "approved", verdict.reasons)
    if verdict.code is not None:
        raise ApiError(422, verdict.code, f"application rejected: {', '.join(verdict.reasons)}",
                       hint=REJECTION_HINTS[verdict.code], reasons=verdict.reasons,
                       loan_id=inp.duplicate_of or loan_id)
    return 201, {"loan_id": loan_id, "status": "approved", "amount": body.amount, "term_months": body.term_months,
                 "apr": apr, "decision": verdict.public()}, {}


@router.post("", status_code=201)
async def apply(body: ApplyRequest, st: St, borrower: BorrowerId, key: IdemKey = None) -> JSONResponse:
    return await idempotent(st, borrower, "apply", require_key(key), lambda: _apply(st, borrower, body))


@router.get("")
async def list_loans(st: St, borrower: BorrowerId) -> dict[str, Any]:
    return {"loans": [loans.view(r) for r in loans.of_borrower(st.store, borrower)]}


@router.get("/{loan_id}")
async def get_loan(loan_id: str, st: St, borrower: BorrowerId) -> dict[str, Any]:
    return loans.view(loans.owned(st.store, loan_id, borrower))


def _approved(row: sqlite3.Row) -> None:
    if row["status"] == "rejected":
        raise ApiError(409, "LOAN_NOT_APPROVED", "the application was rejected; there is no contract")


@router.get("/{loan_id}/contract")
async def contract(loan_id: str, st: St, borrower: BorrowerId) -> dict[str, Any]:
    row = loans.owned(st.store, loan_id, borrower)
    _approved(row)
    text = esign.contract_text(row)
    return {"loan_id": loan_id, "contract_id": f"C-{loan_id}", "text": text, "sha256": esign.sha256_hex(text)}


def _signed(row: sqlite3.Row) -> Answer:
    return 200, {"signed": True, "signature_id": row["signature_id"], "signed_at": loans.iso(row["signed_at"])}, {}


async def _sign(st: AppState, borrower: str, loan_id: str, body: SignRequest) -> Answer:
    row = loans.owned(st.store, loan_id, borrower)
    if row["signature_id"] is not None:
        return _signed(row)
    _approved(row)
    who = st.store.borrower(borrower)
    if who is not None and hit(who["id_number"], "esign-stall", st.settings.faults.esign_stall_share):
        await asyncio.sleep(st.settings.esign_stall_s)
        raise ApiError(504, "ESIGN_STALLED", "e-sign provider did not answer (faults.esign_stall_share)",
                       hint="签约服务繁忙，请稍后重试")
    if not body.agreed or body.contract_sha256 != esign.sha256_hex(esign.contract_text(row)):
        raise ApiError(422, "ESIGN_REJECTED", "contract not agreed or contract_sha256 does not match the contract",
                       hint="请阅读并同意借款合同后再签署")
    if await run_in_threadpool(esign.ink_pixels, body.signature_png) < esign.MIN_INK_PIXELS:
        raise ApiError(422, "ESIGN_EMPTY_SIGNATURE", "signature image has no ink", hint="请在签名区域手写签名")
    st.store.run("UPDATE loans SET signature_id = ?, signed_at = ?, status = 'signed' "
                 "WHERE id = ? AND signature_id IS NULL", new_id("S"), time.time(), loan_id)
    log.info("loan %s signed by %s", loan_id, borrower)
    return _signed(loans.owned(st.store, loan_id, borrower))


@router.post("/{loan_id}/sign")
async def sign(loan_id: str, body: SignRequest, st: St, borrower: BorrowerId, key: IdemKey = None) -> JSONResponse:
    return await idempotent(st, borrower, f"sign:{loan_id}", require_key(key),
                            lambda: _sign(st, borrower, loan_id, body))


def _existing(st: AppState, loan_id: str) -> Answer | None:
    d = st.store.one("SELECT * FROM disbursements WHERE loan_id = ?", loan_id)
    if d is None:
        return None
    return 200, loans.disbursement_view(d["id"], d["status"], d["paid_at"], d["failure_code"]), {}


async def _disburse(st: AppState, borrower: str, loan_id: str) -> Answer:
    row = loans.owned(st.store, loan_id, borrower)
    existing = _existing(st, loan_id)
    if existing is not None:
        return existing
    if row["status"] != "signed":
        raise ApiError(409, "CONTRACT_NOT_SIGNED", "sign the contract first", hint="请先签署借款合同")
    assert st.disburser is not None
    if st.disburser.full():
        raise ApiError(503, "OVERLOADED", "disbursement queue is full", hint="放款排队中，请稍后再试",
                       headers={"Retry-After": str(st.settings.retry_after_s)})
    d_id = new_id("D")
    try:
        st.store.run("INSERT INTO disbursements(id, loan_id, status, created_at) VALUES (?, ?, 'queued', ?)",
                     d_id, loan_id, time.time())
    except sqlite3.IntegrityError:
        return _existing(st, loan_id) or (500, ApiError(500, "INTERNAL", "disbursement vanished").body(), {})
    st.store.run("UPDATE loans SET status = 'disbursing' WHERE id = ?", loan_id)
    st.queue.put_nowait(d_id)
    return 202, {"disbursement_id": d_id, "status": "queued"}, {}


@router.post("/{loan_id}/disburse", status_code=202)
async def disburse(loan_id: str, st: St, borrower: BorrowerId, key: IdemKey = None) -> JSONResponse:
    return await idempotent(st, borrower, f"disburse:{loan_id}", require_key(key),
                            lambda: _disburse(st, borrower, loan_id))
