"""refapp's pure logic: decision rules, fault selection, settings patches, identity, PII masking, e-sign ink."""

from __future__ import annotations

import base64
import io
import logging
import random
import sys
from dataclasses import replace

import cv2
import numpy as np
import pytest

from loanqa.errors import ConfigError
from loanqa.synthetic import make_borrower, make_id_number, registry_name
from loanqa_refapp import decisions
from loanqa_refapp.apierror import ApiError
from loanqa_refapp.esign import MIN_INK_PIXELS, ink_pixels
from loanqa_refapp.faults import hit
from loanqa_refapp.identity import check_identity
from loanqa_refapp.pii import PiiFilter, mask
from loanqa_refapp.settings import Faults, Settings, updated

S = Settings()
CLEAN = decisions.Inputs(id_number="11010519491231002X", bureau_score=700, open_loans_elsewhere=0,
                         device_borrowers=1, applications_last_hour=0)


@pytest.mark.parametrize(("change", "code", "reasons"), [
    ({}, None, []),
    ({"bureau_score": 549}, "CREDIT_REJECTED", ["SCORE_BELOW_THRESHOLD"]),
    ({"open_loans_elsewhere": 4}, "MULTI_LENDING", ["OPEN_LOANS_ELSEWHERE"]),
    ({"device_borrowers": 4}, "FRAUD_FLAGGED", ["DEVICE_SHARED"]),
    ({"applications_last_hour": 5}, "FRAUD_FLAGGED", ["VELOCITY"]),
    ({"device_borrowers": 9, "applications_last_hour": 9}, "FRAUD_FLAGGED", ["DEVICE_SHARED", "VELOCITY"]),
    ({"duplicate_of": "L_1", "bureau_score": 300}, "DUPLICATE_APPLICATION", ["APPROVED_APPLICATION_PENDING"]),
    ({"bureau_score": 300, "open_loans_elsewhere": 5}, "MULTI_LENDING", ["OPEN_LOANS_ELSEWHERE"]),
])
def test_decision_rules(change: dict[str, object], code: str | None, reasons: list[str]) -> None:
    d = decisions.decide(replace(CLEAN, **change), S)  # type: ignore[arg-type]
    assert (d.code, d.reasons) == (code, reasons)


def test_limits_are_exclusive_at_the_boundary() -> None:
    edge = replace(CLEAN, bureau_score=550, open_loans_elsewhere=3, device_borrowers=3, applications_last_hour=4)
    assert decisions.decide(edge, S).code is None


def test_audit_holds_inputs_settings_and_outcome() -> None:
    d = decisions.decide(replace(CLEAN, bureau_score=400), S)
    audit = d.audit(replace(CLEAN, bureau_score=400), S)
    assert audit["inputs"]["bureau_score"] == 400 and audit["settings"]["credit_threshold"] == 550
    assert audit["rules"] == ["credit"] and audit["code"] == "CREDIT_REJECTED"


def test_fault_share_hits_exactly_the_hashed_borrowers() -> None:
    ids = [make_id_number(random.Random(i)) for i in range(1000)]
    hit_ids = [i for i in ids if hit(i, "credit-reject", 0.2)]
    assert 150 < len(hit_ids) < 250
    s = Settings(faults=Faults(credit_reject_share=0.2))
    rejected = [i for i in ids if decisions.decide(replace(CLEAN, id_number=i), s).code == "CREDIT_REJECTED"]
    assert rejected == hit_ids
    assert not hit(ids[0], "x", None) and not hit(None, "x", 1.0) and hit(ids[0], "x", 1.0)


def test_synthetic_population_is_mostly_creditworthy() -> None:
    rng = random.Random(3)
    people = [make_borrower(rng).id_number for _ in range(2000)]
    approved = sum(decisions.bureau_score(i) >= 550 and decisions.open_loans_elsewhere(i) <= 3 for i in people)
    assert 0.75 < approved / len(people) < 0.95
    assert all(300 <= decisions.bureau_score(i) <= 850 for i in people)


def test_apr_falls_with_the_score() -> None:
    assert decisions.apr_for(550) == 0.24 and decisions.apr_for(850) == 0.072
    assert decisions.apr_for(600) > decisions.apr_for(700)


def test_settings_patch_merges_faults_and_names_bad_keys() -> None:
    s = updated(Settings(faults=Faults(fraud_share=0.1)), {"faults": {"payout_fail_share": 0.5}, "max_inflight": 8})
    assert (s.faults.fraud_share, s.faults.payout_fail_share, s.max_inflight) == (0.1, 0.5, 8)
    with pytest.raises(ConfigError, match=r"faults\.fraud_share: 2: "):
        updated(s, {"faults": {"fraud_share": 2}})
    with pytest.raises(ConfigError, match=r"max_inflght.*unknown key"):
        updated(s, {"max_inflght": 3})


@pytest.mark.parametrize(("name", "id_number", "code"), [
    (None, "1101051949123100", "ID_FORMAT_INVALID"),
    (None, "\uff11\uff11\uff10\uff11\uff10\uff15\uff11\uff19\uff14\uff19\uff11\uff12\uff13\uff11\uff10\uff10\uff12X",
     "ID_FORMAT_INVALID"),  # full-width digits, as an input method types them: a 422, never a crash
    (None, "110105194912310021", "ID_CHECKSUM_INVALID"),
    ("张三", "11010519491231002X", "ID_NAME_MISMATCH"),
])
def test_identity_codes(name: str | None, id_number: str, code: str) -> None:
    with pytest.raises(ApiError) as err:
        check_identity(name or registry_name(id_number), id_number)
    assert err.value.code == code and err.value.hint


def test_identity_accepts_the_registry_name() -> None:
    check_identity(registry_name("11010519491231002X"), "11010519491231002x")


def test_masking_of_ids_phones_and_names() -> None:
    text = mask("login 13812345678 id 11010519491231002X name 王小明 amount 3000 loan L_1a2b")
    assert text == "login 138****5678 id 110105********002X name 王** amount 3000 loan L_1a2b"


def test_log_filter_masks_arguments_too() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "otp to %s for %s", ("13912345678", "李娜"), None)
    assert PiiFilter().filter(record) and record.getMessage() == "otp to 139****5678 for 李*"


def test_log_filter_masks_exception_text() -> None:
    try:
        raise ValueError("no registry entry for 11010519491231002X (13912345678)")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    handler_output = io.StringIO()
    handler = logging.StreamHandler(handler_output)
    handler.addFilter(PiiFilter())
    handler.handle(record)
    logged = handler_output.getvalue()
    assert "ValueError: no registry entry for 110105********002X (139****5678)" in logged
    assert "11010519491231002X" not in logged and "13912345678" not in logged


def _png(img: np.ndarray) -> str:
    return base64.b64encode(cv2.imencode(".png", img)[1].tobytes()).decode()


def test_signature_needs_ink() -> None:
    white = np.full((100, 300, 3), 255, np.uint8)
    transparent = np.zeros((100, 300, 4), np.uint8)
    signed = white.copy()
    cv2.line(signed, (10, 50), (290, 60), (0, 0, 0), 3)
    assert ink_pixels(_png(white)) == 0 and ink_pixels(_png(transparent)) == 0
    assert ink_pixels("data:image/png;base64," + _png(signed)) >= MIN_INK_PIXELS
    assert ink_pixels("not base64 !!") == 0
