"""The borrower journey against a real refapp (uvicorn + SQLite) over real sockets, default settings."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from loanqa.contract_client import JourneyClient
from loanqa.eventlog import AttemptRecord, JourneyEnd, read_events
from loanqa.ports import free_port
from loanqa.synthetic import make_borrower
from loanqa_devicetests.camera import Scenario
from tests.integration.refapp_helpers import (
    borrower,
    expect,
    logged_in,
    onboarded,
    scenario_frames,
    signed_loan,
)


@pytest.fixture
def http(refapp_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=refapp_url, timeout=30) as client:
        yield client


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(f"{request.node.nodeid}")


def test_full_journey_pays_out_and_keeps_an_audit_trail(http: httpx.Client, rng: random.Random) -> None:
    journey = JourneyClient(http).walk(borrower(rng), scenario_frames(Scenario.GOOD))
    assert [s.name for s in journey.steps] == ["otp", "login", "identity", "liveness", "apply", "contract",
                                               "sign", "disburse", "status"]
    assert all(s.ok for s in journey.steps), [(s.name, s.status, s.body) for s in journey.steps]
    loan = journey.last.body
    assert loan["status"] == "disbursed" and loan["disbursement"]["status"] == "paid"
    audit = http.get(f"/v1/admin/decisions/{journey.loan_id}").json()
    assert audit["code"] is None and audit["inputs"]["bureau_score"] == loan["decision"]["score"]
    assert audit["settings"]["credit_threshold"] == 550


def test_loanqa_journey_cli_walks_the_target_and_explain_tells_each_loan(refapp_url: str, tmp_path: Path) -> None:
    loanqa = Path(sys.executable).with_name("loanqa")
    out = tmp_path / "walk"
    done = subprocess.run([str(loanqa), "journey", "--target", refapp_url, "--borrowers", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "liveness" in done.stdout and "2 journeys:" in done.stdout and "0 failed" in done.stdout
    records = read_events(out)
    ends = {r.journey_id: r for r in records if isinstance(r, JourneyEnd)}
    assert {r.runner for r in records} == {"journey"} and len(ends) == 2, "one end per borrower"
    for journey_id, end in ends.items():
        attempts = [r for r in records if isinstance(r, AttemptRecord) and r.journey_id == journey_id]
        assert all(a.request_id for a in attempts) and attempts[0].step == "otp"
        loan_id = end.loan_id or ""
        told = subprocess.run([str(loanqa), "explain", str(out), "--loan", loan_id] if loan_id else
                              [str(loanqa), "explain", str(out), "--journey", journey_id],
                              capture_output=True, text=True, timeout=60)
        assert told.returncode == 0, told.stderr
        if end.outcome == "paid_out":
            assert [a.step for a in attempts] == ["otp", "login", "identity", "liveness", "apply", "contract", "sign",
                                                  "disburse", *["status"] * (len(attempts) - 8)]
            assert attempts[4].idempotency_key and attempts[5].loan_id == loan_id and attempts[5].borrower_id
            assert told.stdout.splitlines()[-1] == "Paid out." and "decision record: code approved" in told.stdout
        else:
            assert end.outcome == "business_rejected" and end.step == "apply", end
            assert told.stdout.splitlines()[-1].startswith("Not paid out: "), told.stdout


def test_loanqa_journey_cli_fails_on_an_unreachable_target() -> None:
    loanqa = Path(sys.executable).with_name("loanqa")
    target = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run([str(loanqa), "journey", "--target", target, "--timeout", "2"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "network (ConnectError" in done.stdout
    assert "failed technically" in done.stderr and "Traceback" not in done.stderr


def test_borrower_b_gets_404_on_a_loan_of_a(http: httpx.Client, rng: random.Random) -> None:
    _, loan_id = signed_loan(http, borrower(rng))
    b = logged_in(http, borrower(rng))
    for method, path in [("GET", ""), ("GET", "/contract"), ("POST", "/disburse")]:
        step = b.call("peek", method, f"/v1/loans/{loan_id}{path}", {} if method == "POST" else None, key=True)
        expect(step, 404, "NOT_FOUND")
    expect(b.sign(loan_id, "0" * 64), 404, "NOT_FOUND")
    assert expect(b.call("list", "GET", "/v1/loans"), 200) == {"loans": []}


def test_requests_without_a_valid_token_are_401(http: httpx.Client) -> None:
    assert http.get("/v1/loans").json()["code"] == "UNAUTHORIZED"
    resp = http.get("/v1/loans", headers={"Authorization": "Bearer forged"})
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


def test_otp_is_rate_limited_per_phone(http: httpx.Client, rng: random.Random) -> None:
    phone = make_borrower(rng).phone
    answers = [http.post("/v1/auth/otp", json={"phone": phone}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["code"] == "RATE_LIMITED" and int(answers[-1].headers["Retry-After"]) >= 1
    assert http.post("/v1/auth/otp", json={"phone": "12345"}).json()["code"] == "BAD_REQUEST"


def test_wrong_otp_is_refused(http: httpx.Client, rng: random.Random) -> None:
    b = make_borrower(rng)
    http.post("/v1/auth/otp", json={"phone": b.phone})
    resp = http.post("/v1/auth/login", json={"phone": b.phone, "code": "xxxxxx", "device_id": b.device_id})
    assert resp.status_code == 401 and resp.json()["code"] == "OTP_INVALID"


@pytest.mark.parametrize(("mangle", "code"), [
    (lambda b: (b.name, b.id_number[:17]), "ID_FORMAT_INVALID"),
    (lambda b: (b.name, b.id_number[:17] + ("0" if b.id_number[17] != "0" else "1")), "ID_CHECKSUM_INVALID"),
    (lambda b: ("张三丰", b.id_number), "ID_NAME_MISMATCH"),
])
def test_identity_rejections(http: httpx.Client, rng: random.Random, mangle: object, code: str) -> None:
    b = make_borrower(rng)
    client = logged_in(http, b)
    name, id_number = mangle(b)  # type: ignore[operator]
    body = expect(client.call("identity", "POST", "/v1/kyc/identity", {"name": name, "id_number": id_number}),
                  422, code)
    assert body["hint"]


def test_steps_out_of_order_are_refused(http: httpx.Client, rng: random.Random) -> None:
    b = borrower(rng)
    client = logged_in(http, b)
    expect(client.liveness(scenario_frames(Scenario.GOOD)), 409, "KYC_REQUIRED")
    expect(client.identity(b), 200)
    expect(client.apply(b), 409, "LIVENESS_REQUIRED")
    expect(client.liveness(scenario_frames(Scenario.GOOD)), 200)
    loan_id = expect(client.apply(b), 201)["loan_id"]
    expect(client.disburse(loan_id), 409, "CONTRACT_NOT_SIGNED")


def test_apply_is_idempotent_and_a_second_application_is_a_duplicate(http: httpx.Client,
                                                                      rng: random.Random) -> None:
    b = borrower(rng)
    client = onboarded(http, b)
    body = {"amount": 5000, "term_months": 12, "device_id": b.device_id}
    headers = {"Authorization": f"Bearer {client.token}", "Idempotency-Key": "apply-1"}
    first, again = (http.post("/v1/loans", json=body, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    dup = expect(client.apply(b), 422, "DUPLICATE_APPLICATION")
    assert dup["loan_id"] == first.json()["loan_id"]
    missing = http.post("/v1/loans", json=body, headers={"Authorization": f"Bearer {client.token}"})
    assert missing.status_code == 400 and missing.json()["code"] == "BAD_REQUEST"


def test_a_device_shared_by_many_borrowers_is_flagged(http: httpx.Client, rng: random.Random) -> None:
    device = f"dev-shared-{rng.getrandbits(32):08x}"
    people = [replace(borrower(rng), device_id=device) for _ in range(4)]
    clients = [onboarded(http, b) for b in people[:3]]
    expect(clients[0].apply(people[0]), 201)  # three borrowers on one device: still allowed
    flagged = expect(onboarded(http, people[3]).apply(people[3]), 422, "FRAUD_FLAGGED")
    assert flagged["reasons"] == ["DEVICE_SHARED"]


def test_esign_checks_ink_and_contract_and_signing_twice_is_one_signature(http: httpx.Client,
                                                                          rng: random.Random) -> None:
    b = borrower(rng)
    client = onboarded(http, b)
    loan_id = expect(client.apply(b), 201)["loan_id"]
    sha = expect(client.call("contract", "GET", f"/v1/loans/{loan_id}/contract"), 200)["sha256"]
    blank = base64.b64encode(cv2.imencode(".png", np.full((120, 320, 4), 0, np.uint8))[1].tobytes()).decode()
    expect(client.sign(loan_id, sha, png=blank), 422, "ESIGN_EMPTY_SIGNATURE")
    expect(client.sign(loan_id, "f" * 64), 422, "ESIGN_REJECTED")
    first = expect(client.sign(loan_id, sha), 200)
    again = expect(client.sign(loan_id, sha), 200)
    assert first["signature_id"] == again["signature_id"]
    assert expect(client.call("loan", "GET", f"/v1/loans/{loan_id}"), 200)["status"] == "signed"


def _settled_payouts(http: httpx.Client) -> int:
    """Payouts once no disbursement is queued or running (earlier tests' payouts must not blur the count)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stats = http.get("/v1/admin/stats").json()
        if stats["queue_depth"] == 0 and not stats["loans"].get("disbursing"):
            return int(stats["payouts"])
        time.sleep(0.05)
    raise AssertionError(f"disbursements still running after 20 s: {stats}")


async def _storm(base: str, token: str, loan_id: str, keys: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(keys))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as ac:
        return await asyncio.gather(*(ac.post(f"/v1/loans/{loan_id}/disburse", json={}, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": k}) for k in keys))


def test_fifty_concurrent_disbursement_retries_pay_out_once(http: httpx.Client, refapp_url: str,
                                                            rng: random.Random) -> None:
    client, loan_id = signed_loan(http, borrower(rng))
    assert client.token is not None
    before = _settled_payouts(http)
    same = asyncio.run(_storm(refapp_url, client.token, loan_id, ["retry-key"] * 50))
    assert sorted({r.status_code for r in same}) == [202]
    assert len({r.json()["disbursement_id"] for r in same}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in same) == 49
    other = asyncio.run(_storm(refapp_url, client.token, loan_id, [f"k{i}" for i in range(20)]))
    assert {r.status_code for r in other} == {200}
    assert {r.json()["disbursement_id"] for r in other} == {same[0].json()["disbursement_id"]}
    loan = client.poll_status(loan_id)
    assert loan.body["status"] == "disbursed", loan.body
    assert _settled_payouts(http) == before + 1


def test_openapi_request_ids_and_h5_app(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    assert "/v1/loans/{loan_id}/disburse" in spec["paths"] and spec["openapi"].startswith("3.")
    assert http.get("/healthz").headers["X-Request-Id"]
    assert http.get("/x", headers={"X-Request-Id": "abc"}).headers["X-Request-Id"] == "abc"
    page = http.get("/app/")
    assert page.status_code == 200 and 'name="viewport"' in page.text


def test_loanqa_journey_without_target_walks_the_embedded_refapp_and_stops_it_again(tmp_path: Path) -> None:
    loanqa = Path(sys.executable).with_name("loanqa")
    port = free_port()
    cfg = tmp_path / "loanqa.yaml"
    cfg.write_text(f"stack:\n  refapp_port: {port}\n  ready_timeout_s: 60\n")
    base = [str(loanqa), "--config", str(cfg), "--state-dir", str(tmp_path / "state")]
    done = subprocess.run([*base, "journey", "--out", str(tmp_path / "walk")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 journeys:" in done.stdout and "0 failed" in done.stdout
    info = json.loads((tmp_path / "walk" / "eventlog-run.json").read_text())
    assert info["target"] == f"http://127.0.0.1:{port}", "the run records which target it walked"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)  # started for the walk, stopped after it
