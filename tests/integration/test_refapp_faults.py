"""Fault knobs, overload, token expiry, settings errors and PII masking on a private refapp.

These tests change settings at runtime, so they get their own refapp (started like `loanqa up` starts
one) instead of the shared session fixture; each test puts the settings back.
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from loanqa.config.project import StackConfig
from loanqa.contract_client import JourneyClient
from loanqa.ports import free_port
from loanqa.stack.components import RefappOptions, refapp_spec
from loanqa.stack.process import ProcessManager
from loanqa.synthetic import Borrower
from loanqa_devicetests.camera import Scenario
from tests.integration.refapp_helpers import (
    borrower,
    expect,
    logged_in,
    onboarded,
    patched_settings,
    scenario_frames,
    signed_loan,
)


@dataclass(frozen=True)
class Private:
    url: str
    log: Path
    http: httpx.Client


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    state = tmp_path_factory.mktemp("refapp-private")
    settings = state / "refapp.yaml"
    settings.write_text("duplicate_window_s: 0\nfraud_max_applications_per_hour: 1000\n", encoding="utf-8")
    cfg = StackConfig(refapp_port=free_port(), ready_timeout_s=60)
    pm = ProcessManager(state)
    running = pm.start(refapp_spec(cfg, state, RefappOptions(settings_file=settings)), ready_timeout=60)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{cfg.refapp_port}", timeout=30) as http:
            yield Private(str(http.base_url).rstrip("/"), Path(running.log), http)
    finally:
        pm.stop("refapp")


@pytest.fixture(scope="module")
def applicant(private: Private) -> tuple[JourneyClient, Borrower]:
    """One onboarded borrower who may apply again and again (duplicates and velocity are off here)."""
    b = borrower(random.Random("faults"))
    return onboarded(private.http, b), b


@pytest.mark.parametrize(("knob", "code"), [
    ("credit_reject_share", "CREDIT_REJECTED"),
    ("multi_lending_share", "MULTI_LENDING"),
    ("fraud_share", "FRAUD_FLAGGED"),
])
def test_rejection_knobs_reject_with_an_audited_reason(private: Private, applicant: tuple[JourneyClient, Borrower],
                                                        knob: str, code: str) -> None:
    client, b = applicant
    with patched_settings(private.http, faults={knob: 1.0}):
        body = expect(client.apply(b), 422, code)
    assert body["reasons"] == ["FAULT_INJECTED"] and body["hint"]
    audit = private.http.get(f"/v1/admin/decisions/{body['loan_id']}").json()
    assert audit["code"] == code and audit["settings"]["faults"][knob] == 1.0
    with patched_settings(private.http, faults={knob: 0.0}):
        expect(client.apply(b), 201)


def test_velocity_flags_too_many_applications(private: Private, applicant: tuple[JourneyClient, Borrower]) -> None:
    client, b = applicant
    with patched_settings(private.http, fraud_max_applications_per_hour=1):
        body = expect(client.apply(b), 422, "FRAUD_FLAGGED")
    assert "VELOCITY" in body["reasons"]


def test_server_error_knob_answers_500(private: Private, applicant: tuple[JourneyClient, Borrower]) -> None:
    client, b = applicant
    with patched_settings(private.http, faults={"server_error_share": 1.0}):
        expect(client.apply(b), 500, "INTERNAL")


def test_esign_stall_knob_times_out_after_the_configured_stall(private: Private) -> None:
    b = borrower(random.Random("stall"))
    client = onboarded(private.http, b)
    loan_id = expect(client.apply(b), 201)["loan_id"]
    sha = expect(client.call("contract", "GET", f"/v1/loans/{loan_id}/contract"), 200)["sha256"]
    with patched_settings(private.http, esign_stall_s=0.3, faults={"esign_stall_share": 1.0}):
        step = client.sign(loan_id, sha)
    expect(step, 504, "ESIGN_STALLED")
    assert step.elapsed_ms >= 300
    expect(client.sign(loan_id, sha), 200)  # the stall is gone with the knob


def test_payout_fail_knob_fails_the_payout_and_pays_nothing(private: Private) -> None:
    client, loan_id = signed_loan(private.http, borrower(random.Random("payout")))
    before = private.http.get("/v1/admin/stats").json()["payouts"]
    with patched_settings(private.http, faults={"payout_fail_share": 1.0}):
        expect(client.disburse(loan_id), 202)
        final = client.poll_status(loan_id)
    assert final.code == "PAYOUT_FAILED" and final.body["status"] == "payout_failed"
    assert final.body["disbursement"]["failure_code"] == "PAYOUT_FAILED"
    assert private.http.get("/v1/admin/stats").json()["payouts"] == before


def test_a_session_that_expires_while_the_payout_is_polled_ends_paid_not_failed_at_status(private: Private) -> None:
    """`loanqa journey`'s walk: the token expires during a slow payout; the status poll logs in again and keeps
    polling until the money moved (it broke off at the first 401 and reported the paid loan failed)."""
    with patched_settings(private.http, token_ttl_s=3, core_banking_latency_ms=6000):
        journey = JourneyClient(private.http, poll_deadline_s=30).walk(borrower(random.Random("ttl-poll")),
                                                                       scenario_frames(Scenario.GOOD))
    assert journey.last.name == "status" and journey.last.ok, (journey.last.status, journey.last.body)
    assert journey.last.body["status"] == "disbursed"


def test_status_polls_refused_until_the_deadline_leave_the_payout_unconfirmed_not_failed(private: Private) -> None:
    """No session to renew (a bare client with a stale token): every poll is refused; polling goes on until the
    deadline and the payout is unconfirmed (the money may have moved), never a failed status step."""
    client, loan_id = signed_loan(private.http, borrower(random.Random("stale-poll")))
    expect(client.disburse(loan_id), 202)
    bare = JourneyClient(private.http, poll_deadline_s=2)
    bare.token = "stale"
    started = time.monotonic()
    final = bare.poll_status(loan_id)
    assert final.unconfirmed and final.name == "payout", (final.name, final.status, final.body)
    assert time.monotonic() - started >= 2, "polled until the deadline"


def _hold(url: str, n: int) -> list[socket.socket]:
    """Requests whose body never finishes arriving (a weak uplink): each holds one in-flight slot."""
    port = int(url.rsplit(":", 1)[1])
    held = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /v1/auth/otp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"phone\":")
        held.append(s)
    return held


def _wait_inflight(http: httpx.Client, want: int) -> None:
    deadline = time.monotonic() + 10
    while (got := http.get("/v1/admin/stats").json()["inflight"]) != want:
        assert time.monotonic() < deadline, f"inflight stayed {got}, wanted {want}"
        time.sleep(0.02)


def test_overload_sheds_at_once_with_retry_after(private: Private) -> None:
    with patched_settings(private.http, max_inflight=3, retry_after_s=2):
        held = _hold(private.url, 3)
        try:
            _wait_inflight(private.http, 3)
            shed_before = private.http.get("/v1/admin/stats").json()["shed"]
            timings, answers = [], []
            for _ in range(7):
                start = time.perf_counter()
                answers.append(private.http.get("/v1/loans"))
                timings.append(time.perf_counter() - start)
            assert {a.status_code for a in answers} == {503}
            assert {a.json()["code"] for a in answers} == {"OVERLOADED"}
            assert answers[0].headers["Retry-After"] == "2"
            assert statistics.median(timings) < 0.1, timings
            assert private.http.get("/v1/admin/stats").json()["shed"] == shed_before + 7
        finally:
            for s in held:
                s.close()
        _wait_inflight(private.http, 0)
        assert private.http.get("/v1/loans").json()["code"] == "UNAUTHORIZED"  # served again


def test_tokens_expire(private: Private) -> None:
    with patched_settings(private.http, token_ttl_s=1):
        client = logged_in(private.http, borrower(random.Random("ttl")))
    expect(client.call("loans", "GET", "/v1/loans"), 200)
    deadline = time.monotonic() + 5
    while (step := client.call("loans", "GET", "/v1/loans")).status == 200:
        assert time.monotonic() < deadline, "token still valid 5 s after a 1 s TTL"
        time.sleep(0.05)
    expect(step, 401, "TOKEN_EXPIRED")


def test_bad_settings_are_refused_with_the_key_named(private: Private) -> None:
    resp = private.http.put("/v1/admin/settings", json={"max_inflight": 0})
    assert resp.status_code == 422 and "max_inflight" in resp.json()["message"]
    resp = private.http.put("/v1/admin/settings", json={"faults": {"payout_fail_shar": 0.5}})
    assert resp.status_code == 422 and "faults.payout_fail_shar" in resp.json()["message"]
    assert private.http.get("/v1/admin/settings").json()["max_inflight"] == 64


def test_bad_settings_file_stops_refapp_with_file_key_and_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_inflight: lots\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "loanqa_refapp", "--port", str(free_port()), "--settings", str(bad),
                           "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{bad}: max_inflight: 'lots'" in done.stderr and "Traceback" not in done.stderr


def test_pii_is_masked_in_the_log(private: Private) -> None:
    b = borrower(random.Random("pii"))
    client = onboarded(private.http, b)
    expect(client.identity(replace(b, name="王小明")), 422, "ID_NAME_MISMATCH")
    log = private.log.read_text(encoding="utf-8")
    assert f"{b.phone[:3]}****{b.phone[-4:]}" in log and f"{b.id_number[:6]}********" in log
    for secret in (b.phone, b.id_number, b.name, "王小明"):
        assert secret not in log
    assert scenario_frames(Scenario.GOOD)[0][:40] not in log  # nor camera frames


def test_a_full_disbursement_queue_answers_503(private: Private) -> None:
    loans = [signed_loan(private.http, borrower(random.Random(f"queue-{i}"))) for i in range(3)]
    with patched_settings(private.http, disburse_workers=1, disburse_queue_size=1, core_banking_latency_ms=1500):
        (c0, l0), (c1, l1), (c2, l2) = loans
        expect(c0.disburse(l0), 202)
        deadline = time.monotonic() + 10
        while expect(c0.call("loan", "GET", f"/v1/loans/{l0}"), 200)["disbursement"]["status"] != "processing":
            assert time.monotonic() < deadline, "the only worker never picked up the payout"
            time.sleep(0.02)
        expect(c1.disburse(l1), 202)  # waits in the queue: now full
        full = c2.disburse(l2)
        expect(full, 503, "OVERLOADED")
        assert expect(c2.call("loan", "GET", f"/v1/loans/{l2}"), 200)["status"] == "signed"
    assert c1.poll_status(l1).body["status"] == "disbursed"
    expect(c2.disburse(l2), 202)  # room again: a retry goes through
