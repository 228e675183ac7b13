"""The one journey definition: every runner walks the same steps in the same order with the same requests."""

from __future__ import annotations

import random
from typing import Any

import pytest

from loanqa import allure_labels
from loanqa.journey_steps import STEP_NAMES, STEPS, Application, StepDef, step, step_sent_as, walk
from loanqa.synthetic import make_borrower
from loanqa_devicetests.probe import Call


class Recorder:
    """A Caller that answers like a paying target and remembers what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, bool]] = []
        self.events: list[str] = []

    def think(self, s: StepDef) -> None:
        self.events.append(f"think {s.name}")

    def send(self, s: StepDef, body: dict[str, Any] | None, loan_id: str = "") -> dict[str, Any]:
        self.sent.append((s.name, s.method, s.url(loan_id), s.idempotent))
        return {"sandbox_code": "123456", "access_token": "t", "loan_id": "L1", "sha256": "abc"}

    def logged_in(self, answer: dict[str, Any]) -> None:
        self.events.append("logged in")

    def approved(self, loan_id: str) -> None:
        self.events.append(f"approved {loan_id}")

    def await_payout(self, loan_id: str) -> None:
        self.events.append(f"payout {loan_id}")


def test_the_walk_sends_the_contracts_journey_in_order_with_keys_on_writes() -> None:
    c = Recorder()
    assert walk(c, make_borrower(random.Random(1)), ["f"] * 3, "png", Application()) == "L1"
    assert c.sent == [("otp", "POST", "/v1/auth/otp", False), ("login", "POST", "/v1/auth/login", False),
                      ("identity", "POST", "/v1/kyc/identity", False), ("liveness", "POST", "/v1/kyc/liveness", False),
                      ("apply", "POST", "/v1/loans", True), ("contract", "GET", "/v1/loans/L1/contract", False),
                      ("sign", "POST", "/v1/loans/L1/sign", True), ("disburse", "POST", "/v1/loans/L1/disburse", True)]
    assert c.events[-1] == "payout L1" and "approved L1" in c.events and c.events.count("logged in") == 1


def test_every_step_has_an_allure_feature_and_names_are_unique() -> None:
    assert len(set(STEP_NAMES)) == len(STEP_NAMES)
    assert all(allure_labels.feature_for_step(name) in allure_labels.FEATURES for name in STEP_NAMES)
    assert {s.name for s in STEPS if not s.needs_login} == {"otp", "login"}
    assert step("status").url() == "/v1/loans", "without a loan: the borrower's loans"
    with pytest.raises(ValueError, match="unknown journey step 'bank_card'"):
        step("bank_card")


def test_a_request_the_app_made_is_named_by_the_one_definition_even_under_a_base_path() -> None:
    def name(method: str, path: str) -> str:
        return Call(method, path, None, 0.0, None, None, None, None, False, None, None, None).step

    assert name("POST", "/api/v1/loans/L_1/sign") == "sign"
    assert name("GET", "/v1/loans/L_1") == "status"
    assert name("GET", "/v1/loans/L_1/contract") == "contract"
    assert name("POST", "/v1/loans") == "apply"
    assert name("GET", "/v1/loans/L_1/sign") == "GET /v1/loans/L_1/sign"
    assert step_sent_as("DELETE", "/v1/auth/otp") is None
