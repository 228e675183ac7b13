"""Every step outcome gets one cause; retries after timeouts turn fraud flags into network causes."""

from __future__ import annotations

import random

from loanqa.attribution import Verdict
from loanqa.taxonomy import Cause, Outcome
from loanqa_loadtests.model.retry import RetryPolicy
from loanqa_loadtests.run.classify import Attempt, error_code, judge, retry_after, step_finished

TIMEOUT = Attempt(None, error="timed out")


def test_client_errors_are_network_and_answers_follow_the_taxonomy() -> None:
    assert TIMEOUT.cause is Cause.NETWORK
    assert Attempt(0, error=None).cause is Cause.NETWORK
    assert Attempt(503, "OVERLOADED").cause is Cause.OVERLOAD
    assert Attempt(422, "CREDIT_REJECTED").cause is Cause.CREDIT_REJECTED
    assert Attempt(504, "ESIGN_STALLED").cause is Cause.ESIGN
    assert Attempt(502).cause is Cause.SERVER_ERROR
    assert Attempt(201).cause is None
    assert Attempt(200, malformed=True).cause is Cause.SERVER_ERROR


def test_fraud_flag_after_a_timeout_is_a_network_false_rejection() -> None:
    verdict = judge([TIMEOUT, Attempt(422, "DUPLICATE_APPLICATION")])
    assert verdict.cause is Cause.NETWORK and verdict.false_rejection
    first_time = judge([Attempt(422, "FRAUD_FLAGGED")])
    assert first_time.cause is Cause.FRAUD_FLAGGED and not first_time.false_rejection
    after_overload = judge([Attempt(503, "OVERLOADED"), Attempt(422, "FRAUD_FLAGGED")])
    assert after_overload.cause is Cause.FRAUD_FLAGGED


def test_a_replayed_fraud_decision_keeps_its_own_cause_even_after_a_lost_first_answer() -> None:
    """The first apply timed out client-side; the target had decided FRAUD_FLAGGED; the retry got the replay."""
    replay = Attempt(422, "FRAUD_FLAGGED", replayed=True, reasons=("FAULT_INJECTED",))
    assert judge([TIMEOUT, replay]) == Verdict(Cause.FRAUD_FLAGGED, False)
    no_evidence = Attempt(422, "FRAUD_FLAGGED", reasons=("DEVICE_SHARED",))
    assert judge([TIMEOUT, no_evidence]) == Verdict(Cause.FRAUD_FLAGGED, False)
    seen_twice = Attempt(422, "FRAUD_FLAGGED", reasons=("VELOCITY",))
    assert judge([TIMEOUT, seen_twice]) == Verdict(Cause.NETWORK, True)
    replayed_duplicate = Attempt(422, "DUPLICATE_APPLICATION", replayed=True)
    assert judge([TIMEOUT, replayed_duplicate]) == Verdict(Cause.FRAUD_FLAGGED, False), "the first answer's cause"


def test_false_rejection_precision_over_every_evidence_combination() -> None:
    """Network is blamed exactly when a network failure came first AND the answer shows two applications."""
    for replayed in (False, True):
        for reasons in ((), ("FAULT_INJECTED",), ("DEVICE_SHARED",), ("VELOCITY",), ("APPROVED_APPLICATION_PENDING",)):
            for code in ("FRAUD_FLAGGED", "DUPLICATE_APPLICATION"):
                for first in (TIMEOUT, Attempt(503, "OVERLOADED"), None):
                    answer = Attempt(422, code, replayed=replayed, reasons=reasons)
                    verdict = judge([first, answer] if first else [answer])
                    evidence = not replayed and (code == "DUPLICATE_APPLICATION" or reasons[:1] in (
                        ("VELOCITY",), ("APPROVED_APPLICATION_PENDING",)))
                    expected = first is TIMEOUT and evidence
                    assert verdict.false_rejection is expected, (replayed, reasons, code, first)
                    assert verdict.cause is (Cause.NETWORK if expected else Cause.FRAUD_FLAGGED)


def test_a_bare_5xx_is_overload_only_with_an_overload_answer() -> None:
    assert Attempt(504, step="sign").cause is Cause.ESIGN, "a gateway timeout in front of e-sign"
    assert Attempt(504, step="apply").cause is Cause.SERVER_ERROR
    assert Attempt(504, retry_after_s=2.0, step="apply").cause is Cause.OVERLOAD
    assert Attempt(503).cause is Cause.OVERLOAD and Attempt(429).cause is Cause.OVERLOAD
    assert Attempt(502, step="sign").cause is Cause.ESIGN


def test_business_outcome_is_not_a_failure() -> None:
    ev = step_finished("apply", [Attempt(422, "MULTI_LENDING")], 12.0, profile="4g", journey_id="j1")
    assert ev.outcome is Outcome.BUSINESS and ev.code == "MULTI_LENDING" and not ev.retried
    retried = step_finished("apply", [TIMEOUT, Attempt(201)], 900.0, profile="3g", journey_id="j2")
    assert retried.outcome is Outcome.SUCCESS and retried.retried


def test_error_body_and_retry_after_parsing() -> None:
    assert error_code(b'{"code": "OVERLOADED", "message": "busy"}') == "OVERLOADED"
    assert error_code(b"<html>bad gateway</html>") is None
    assert error_code(b'{"code": "OVER') is None
    assert retry_after("2") == 2.0 and retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None


def test_retries_are_bounded_and_honour_retry_after() -> None:
    policy = RetryPolicy(max_attempts=3, base_s=0.1, cap_s=5.0)
    assert policy.should_retry(Cause.NETWORK, 1) and policy.should_retry(Cause.OVERLOAD, 2)
    assert not policy.should_retry(Cause.OVERLOAD, 3)
    assert not policy.should_retry(Cause.CREDIT_REJECTED, 1) and not policy.should_retry(None, 1)
    rng = random.Random(1)
    assert policy.delay_s(1, 2.0, rng) == 2.0
    assert policy.delay_s(1, 60.0, rng) == 5.0
    assert 0.05 <= policy.delay_s(1, None, rng) <= 0.1
