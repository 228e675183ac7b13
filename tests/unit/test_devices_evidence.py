"""A device failure's cause comes from what the target answered; the device journey's event-log records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from loanqa.eventlog import AttemptRecord, JourneyEnd, read_events
from loanqa.taxonomy import Cause
from loanqa_devicetests.journey_log import DeviceJourneyLog
from loanqa_devicetests.probe import Call, answered_cause

SIGN = Call(method="POST", path="/v1/loans/L_1/sign", key="k1", started_s=100.0, duration_ms=2000.0, status=504,
            code="ESIGN_STALLED", request_id="r1", replayed=False, error=None, loan_id=None, borrower_id=None)


def test_a_stalled_signature_is_esign_even_while_a_retry_is_still_waiting() -> None:
    pending_retry = replace(SIGN, started_s=103.0, duration_ms=None, status=None, code=None)
    found = answered_cause([SIGN, pending_retry])
    assert found is not None and found[0] is Cause.ESIGN and found[1].step == "sign"


def test_no_answer_is_network_and_a_good_last_answer_is_no_evidence() -> None:
    aborted = replace(SIGN, status=None, code=None, error="AbortError")
    assert answered_cause([aborted]) == (Cause.NETWORK, aborted)
    ok = replace(SIGN, started_s=110.0, status=200, code=None)
    assert answered_cause([SIGN, ok]) is None
    assert answered_cause([]) is None
    face_hint = replace(SIGN, path="/v1/kyc/liveness", status=422, code="FACE_TOO_DARK")
    assert answered_cause([face_hint]) is None, "a 4xx the app shows in place is not the failure's cause"


def test_device_answers_get_the_load_runners_causes_step_and_retry_after_included() -> None:
    gateway_504 = replace(SIGN, code=None)
    assert gateway_504.cause is Cause.ESIGN, "a gateway's 504 at sign is the e-sign step's, as in load runs"
    busy = replace(SIGN, path="/v1/loans", status=500, code=None, retry_after=True)
    assert busy.cause is Cause.OVERLOAD
    assert replace(busy, retry_after=False).cause is Cause.SERVER_ERROR


def test_steps_follow_the_contract_also_under_a_base_path() -> None:
    assert replace(SIGN, path="/api/v1/loans/L_1/sign").step == "sign"
    assert replace(SIGN, method="GET", path="/v1/loans/L_1").step == "status"
    assert replace(SIGN, path="/v1/loans").step == "apply"


def test_journey_log_writes_attempts_with_keys_and_taps_and_one_end(tmp_path: Path) -> None:
    apply = replace(SIGN, path="/v1/loans", key="a1", status=201, code=None, started_s=90.0, loan_id="L_1")
    retry = replace(SIGN, started_s=103.0)
    log = DeviceJourneyLog(tmp_path, "devices-x", "3g", "device-main-1")
    loan = log.record([apply, SIGN, retry], device="pixel-7", journey_id="j1", phone="13812345678", passed=False,
                      cause=Cause.ESIGN, detail="[esign] pixel-7: target answered sign: 504 ESIGN_STALLED")
    log.close(merge_parts=True)
    events = read_events(tmp_path)
    attempts = [e for e in events if isinstance(e, AttemptRecord)]
    assert loan == "L_1" and [(a.step, a.attempt, a.tap) for a in attempts] == [("apply", 1, 1), ("sign", 1, 1),
                                                                              ("sign", 2, 1)]
    assert all(a.loan_id == "L_1" and a.profile == "3g" and a.device == "pixel-7" for a in events)
    (end,) = [e for e in events if isinstance(e, JourneyEnd)]
    assert (end.outcome, end.cause, end.step) == ("failed", Cause.ESIGN, "sign")
    assert "13812345678" not in (tmp_path / "events.jsonl").read_text()
