from __future__ import annotations

import re
from pathlib import Path

from loanqa.allure_labels import cause_from_message, cause_message
from loanqa.taxonomy import CODE_CAUSES, Cause, CauseClass, Outcome, cause_for_response, outcome_of

CONTRACT = Path(__file__).resolve().parents[2] / "refapp" / "CONTRACT.md"


def test_business_rejections_are_not_failures() -> None:
    for cause in (Cause.CREDIT_REJECTED, Cause.FRAUD_FLAGGED, Cause.MULTI_LENDING):
        assert outcome_of(cause) is Outcome.BUSINESS
    for cause in (Cause.NETWORK, Cause.OVERLOAD, Cause.FACE, Cause.ESIGN, Cause.INFRASTRUCTURE):
        assert outcome_of(cause) is Outcome.FAILURE
    assert outcome_of(None) is Outcome.SUCCESS


def test_every_cause_has_a_class() -> None:
    assert {c.cause_class for c in Cause} == set(CauseClass)


def test_codes_win_over_status() -> None:
    assert cause_for_response(503, "OVERLOADED") is Cause.OVERLOAD
    assert cause_for_response(422, "CREDIT_REJECTED") is Cause.CREDIT_REJECTED
    assert cause_for_response(504, "ESIGN_STALLED") is Cause.ESIGN
    assert cause_for_response(422, "FACE_TOO_DARK") is Cause.FACE


def test_unknown_codes_fall_back_on_status() -> None:
    assert cause_for_response(200, None) is None
    assert cause_for_response(429, None) is Cause.OVERLOAD
    assert cause_for_response(502, "WHATEVER") is Cause.SERVER_ERROR
    assert cause_for_response(500, None) is Cause.SERVER_ERROR


def test_every_contract_error_code_has_a_cause() -> None:
    """A code the service can answer but the taxonomy does not know would be misfiled as server_error."""
    text = CONTRACT.read_text(encoding="utf-8")
    codes = set(re.findall(r"`([A-Z][A-Z_]{4,})`", text)) - {"CODE_CAUSES", "DEVICE_SHARED", "VELOCITY"}
    assert codes, "no codes found in the contract"
    assert sorted(codes - set(CODE_CAUSES)) == []


def test_cause_message_round_trip() -> None:
    assert cause_from_message(cause_message(Cause.FACE, "hint missing")) is Cause.FACE
    assert cause_from_message("[nonsense] x") is None
    assert cause_from_message(None) is None


def test_a_bare_504_is_attributed_by_step_never_to_capacity() -> None:
    assert cause_for_response(504, None) is Cause.SERVER_ERROR
    assert cause_for_response(504, None, step="sign") is Cause.ESIGN
    assert cause_for_response(500, None, step="apply", retry_after=True) is Cause.OVERLOAD
