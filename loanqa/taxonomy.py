"""Why a disbursement failed: every failed step gets exactly one cause from this table (DESIGN.md).

Business outcomes are expected answers, not errors; a load test must never count a credit denial as a
failure, nor a timeout as a denial. The service's error codes map to causes here, once, for every
component (load users, device tests, the gate, Allure categories).
"""

from __future__ import annotations

from enum import StrEnum


class CauseClass(StrEnum):
    TECHNICAL = "technical"
    BUSINESS = "business"
    PROCESS = "process"
    INFRASTRUCTURE = "infrastructure"


class Cause(StrEnum):
    NETWORK = "network"
    OVERLOAD = "overload"
    COMPATIBILITY = "compatibility"
    SERVER_ERROR = "server_error"
    CREDIT_REJECTED = "credit_rejected"
    FRAUD_FLAGGED = "fraud_flagged"
    MULTI_LENDING = "multi_lending"
    IDENTITY = "identity"
    FACE = "face"
    ESIGN = "esign"
    # Device-lab trouble (device offline, Appium down, session not created): never a product defect.
    INFRASTRUCTURE = "infrastructure"

    @property
    def cause_class(self) -> CauseClass:
        return _CLASS[self]

    @property
    def is_business(self) -> bool:
        return _CLASS[self] is CauseClass.BUSINESS


_CLASS: dict[Cause, CauseClass] = {
    Cause.NETWORK: CauseClass.TECHNICAL,
    Cause.OVERLOAD: CauseClass.TECHNICAL,
    Cause.COMPATIBILITY: CauseClass.TECHNICAL,
    Cause.SERVER_ERROR: CauseClass.TECHNICAL,
    Cause.CREDIT_REJECTED: CauseClass.BUSINESS,
    Cause.FRAUD_FLAGGED: CauseClass.BUSINESS,
    Cause.MULTI_LENDING: CauseClass.BUSINESS,
    Cause.IDENTITY: CauseClass.PROCESS,
    Cause.FACE: CauseClass.PROCESS,
    Cause.ESIGN: CauseClass.PROCESS,
    Cause.INFRASTRUCTURE: CauseClass.INFRASTRUCTURE,
}


class Outcome(StrEnum):
    SUCCESS = "success"
    BUSINESS = "business"  # an expected rejection: credit, fraud, multi-lending
    FAILURE = "failure"


def outcome_of(cause: Cause | None) -> Outcome:
    if cause is None:
        return Outcome.SUCCESS
    return Outcome.BUSINESS if cause.is_business else Outcome.FAILURE


# Error codes of the journey contract (refapp/CONTRACT.md) and the cause each one means.
CODE_CAUSES: dict[str, Cause] = {
    "OVERLOADED": Cause.OVERLOAD,
    "RATE_LIMITED": Cause.OVERLOAD,
    "QUEUE_TIMEOUT": Cause.OVERLOAD,
    "INTERNAL": Cause.SERVER_ERROR,
    "PAYOUT_FAILED": Cause.SERVER_ERROR,
    "BAD_REQUEST": Cause.SERVER_ERROR,
    "NOT_FOUND": Cause.SERVER_ERROR,
    "LOAN_NOT_APPROVED": Cause.SERVER_ERROR,
    "CREDIT_REJECTED": Cause.CREDIT_REJECTED,
    "FRAUD_FLAGGED": Cause.FRAUD_FLAGGED,
    "DUPLICATE_APPLICATION": Cause.FRAUD_FLAGGED,
    "MULTI_LENDING": Cause.MULTI_LENDING,
    "OTP_INVALID": Cause.IDENTITY,
    "UNAUTHORIZED": Cause.IDENTITY,
    "TOKEN_EXPIRED": Cause.IDENTITY,
    "FORBIDDEN": Cause.IDENTITY,
    "ID_FORMAT_INVALID": Cause.IDENTITY,
    "ID_CHECKSUM_INVALID": Cause.IDENTITY,
    "ID_NAME_MISMATCH": Cause.IDENTITY,
    "ID_NOT_FOUND": Cause.IDENTITY,
    "KYC_REQUIRED": Cause.IDENTITY,
    "FACE_NOT_FOUND": Cause.FACE,
    "FACE_TOO_DARK": Cause.FACE,
    "FACE_NO_BLINK": Cause.FACE,
    "FACE_BAD_ANGLE": Cause.FACE,
    "FACE_FRAMES_INVALID": Cause.FACE,
    "LIVENESS_REQUIRED": Cause.FACE,
    "ESIGN_STALLED": Cause.ESIGN,
    "ESIGN_REJECTED": Cause.ESIGN,
    "ESIGN_EMPTY_SIGNATURE": Cause.ESIGN,
    "ESIGN_DUPLICATE": Cause.ESIGN,
    "CONTRACT_NOT_SIGNED": Cause.ESIGN,
    # Client-side codes the H5 app shows when no usable answer arrived (CONTRACT.md, H5 app).
    "NETWORK": Cause.NETWORK,
    "BAD_RESPONSE": Cause.SERVER_ERROR,
    "CAMERA_UNAVAILABLE": Cause.COMPATIBILITY,
}


# A 5xx without a contract code, by the step it answered: a gateway timeout in front of the e-sign service
# is e-sign trouble, not capacity (overload needs 503/429, Retry-After or OVERLOADED).
STEP_CAUSES: dict[str, Cause] = {"contract": Cause.ESIGN, "sign": Cause.ESIGN}


def cause_for_response(status: int, code: str | None, step: str | None = None,
                       retry_after: bool = False) -> Cause | None:
    """Cause of an HTTP answer; None means success. Unknown codes fall back on the status and the step."""
    if code and code in CODE_CAUSES:
        return CODE_CAUSES[code]
    if status < 400:
        return None
    if status in (429, 503) or (status >= 500 and retry_after):
        return Cause.OVERLOAD
    if status >= 500 and step in STEP_CAUSES:
        return STEP_CAUSES[step]
    return Cause.SERVER_ERROR
