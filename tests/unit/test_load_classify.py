"""Every step outcome gets one cause; retries after timeouts turn fraud flags into network causes."""

from __future__ import annotations

import random

from loadtests.classify import Attempt, error_code, judge, retry_after, step_finished
from loadtests.retry import RetryPolicy
from loanqa.taxonomy import Cause, Outcome

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
