"""How one attempt's answer is read (loanqa_loadtests.run.answers), on stand-ins for geventhttpclient's response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from loanqa.taxonomy import Cause
from loanqa_loadtests.run import answers


@dataclass
class Answer:
    status_code: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class CutOff:
    status_code = 200
    headers: ClassVar[dict[str, str]] = {}

    @property
    def content(self) -> bytes:
        raise ConnectionResetError("connection reset mid-body")


def test_a_plain_answer_is_a_success_with_its_json() -> None:
    attempt, data = answers.read(Answer(200, b'{"loan_id": "L1", "status": "approved"}'), "apply")
    assert attempt.cause is None and attempt.status == 200 and data == {"loan_id": "L1", "status": "approved"}


def test_the_same_plain_answer_is_one_attempt_value_but_steps_and_replays_are_kept_apart() -> None:
    first, _ = answers.read(Answer(200, b"{}"), "status", keyed=False)
    again, _ = answers.read(Answer(200, b'{"x": 1}'), "status", keyed=False)
    other_step, _ = answers.read(Answer(200, b"{}"), "apply", keyed=False)
    replay, _ = answers.read(Answer(200, b"{}", {"Idempotent-Replayed": "true"}), "status")
    assert first is again
    assert other_step.step == "apply" and other_step is not first
    assert replay.replayed and not first.replayed


def test_a_byte_order_mark_is_tolerated_and_an_empty_body_is_an_empty_answer() -> None:
    attempt, data = answers.read(Answer(200, b'\xef\xbb\xbf{"ok": true}'), "otp")
    assert attempt.cause is None and data == {"ok": True}
    attempt, data = answers.read(Answer(204), "otp")
    assert attempt.cause is None and data == {}


def test_an_answer_that_is_not_the_contracts_json_is_malformed() -> None:
    for body in (b"<html>gateway</html>", b"[1, 2]", b'{"x": NaN}', b'{"x": "\xff"}'):
        attempt, data = answers.read(Answer(200, body), "apply")
        assert attempt.malformed and attempt.cause is Cause.SERVER_ERROR and data == {}, body


def test_an_error_answer_keeps_its_code_reasons_and_retry_after() -> None:
    body = b'{"code": "RATE_LIMITED", "reasons": ["peak"]}'
    attempt, data = answers.read(Answer(429, body, {"Retry-After": "2"}), "apply")
    assert (attempt.status, attempt.code, attempt.retry_after_s) == (429, "RATE_LIMITED", 2.0)
    assert attempt.cause is Cause.OVERLOAD and data["code"] == "RATE_LIMITED"


def test_no_answer_and_a_cut_off_body_are_network_failures() -> None:
    attempt, _ = answers.read(Answer(0), "apply")
    assert attempt.status is None and attempt.cause is Cause.NETWORK
    attempt, data = answers.read(CutOff(), "apply")
    assert attempt.cause is Cause.NETWORK and "ConnectionResetError" in (attempt.error or "") and data == {}
