"""Borrowers and half-walked journeys for the refapp integration tests (real HTTP, real server)."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import httpx

from loanqa.contract_client import JourneyClient, Step
from loanqa.synthetic import Borrower, make_borrower
from loanqa_devicetests.camera import Scenario, encode_jpeg, frames
from loanqa_refapp import decisions
from loanqa_refapp.settings import Settings

DEFAULTS = Settings()


@cache
def scenario_frames(scenario: Scenario) -> list[str]:
    return [base64.b64encode(encode_jpeg(f)).decode() for f in frames(scenario)]


def borrower(rng: random.Random, approvable: bool = True) -> Borrower:
    """A fresh synthetic borrower; `approvable` ones pass credit and multi-lending at default settings."""
    while True:
        b = make_borrower(rng)
        score_ok = decisions.bureau_score(b.id_number) >= DEFAULTS.credit_threshold
        multi_ok = decisions.open_loans_elsewhere(b.id_number) <= DEFAULTS.max_open_loans_elsewhere
        if not approvable or (score_ok and multi_ok):
            return b


def expect(step: Step, status: int, code: str | None = None) -> dict[str, Any]:
    assert step.error is None, step.error
    assert step.status == status, (step.name, step.status, step.body)
    if code is not None:
        assert step.code == code, step.body
    return step.body


def logged_in(http: httpx.Client, b: Borrower) -> JourneyClient:
    client = JourneyClient(http, poll_deadline_s=20)
    for step in client.login(b):
        expect(step, 200)
    return client


def onboarded(http: httpx.Client, b: Borrower) -> JourneyClient:
    """Logged in, identity verified and liveness passed: ready to apply."""
    client = logged_in(http, b)
    expect(client.identity(b), 200)
    expect(client.liveness(scenario_frames(Scenario.GOOD)), 200)
    return client


def signed_loan(http: httpx.Client, b: Borrower) -> tuple[JourneyClient, str]:
    client = onboarded(http, b)
    loan_id = str(expect(client.apply(b), 201)["loan_id"])
    contract = expect(client.call("contract", "GET", f"/v1/loans/{loan_id}/contract"), 200)
    expect(client.sign(loan_id, contract["sha256"]), 200)
    return client, loan_id


@contextmanager
def patched_settings(http: httpx.Client, **patch: Any) -> Iterator[dict[str, Any]]:
    """Change the server's settings for one test and always put the previous ones back."""
    before = http.get("/v1/admin/settings").json()
    resp = http.put("/v1/admin/settings", json=patch)
    assert resp.status_code == 200, resp.text
    try:
        yield resp.json()
    finally:
        assert http.put("/v1/admin/settings", json=before).status_code == 200
