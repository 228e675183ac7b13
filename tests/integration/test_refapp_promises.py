"""refapp holds its promises, tried over HTTP on a private refapp: at-most-once approval under concurrency,
strict request types, no PII in the audit endpoint or the log, an access log of every answer, sessions that
survive a restart, and `loanqa up --refapp-settings` on a refapp that already runs."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from loanqa.config.project import StackConfig
from loanqa.contract_client import JourneyClient
from loanqa.ports import free_port
from loanqa.signature import signature_b64
from loanqa.stack.components import RefappOptions, refapp_spec
from loanqa.stack.process import ProcessManager
from loanqa.synthetic import Borrower
from tests.integration.refapp_helpers import borrower, expect, logged_in, onboarded, patched_settings, signed_loan

LOANQA = str(Path(sys.executable).parent / "loanqa")


@dataclass(frozen=True)
class Private:
    url: str
    log: Path
    http: httpx.Client
    pm: ProcessManager
    cfg: StackConfig
    state: Path


def _start(pm: ProcessManager, cfg: StackConfig, state: Path) -> Path:
    return Path(pm.start(refapp_spec(cfg, state, RefappOptions()), ready_timeout=60).log)


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    state = tmp_path_factory.mktemp("refapp-promises")
    cfg = StackConfig(refapp_port=free_port(), ready_timeout_s=60)
    pm = ProcessManager(state)
    log = _start(pm, cfg, state)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{cfg.refapp_port}", timeout=30) as http:
            yield Private(str(http.base_url).rstrip("/"), log, http, pm, cfg, state)
    finally:
        pm.stop("refapp")


def log_records(log: Path) -> list[dict[str, Any]]:
    """Every record refapp wrote; a line that is not one JSON object fails the test (a forged line would)."""
    records = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("--- "):  # the process manager's start banner
            continue
        record = json.loads(line)
        assert isinstance(record, dict), line
        records.append(record)
    return records


def access_record(log: Path, request_id: str, deadline_s: float = 10) -> dict[str, Any]:
    """The access-log record of one answer (written as the answer leaves, so polled for)."""
    deadline = time.monotonic() + deadline_s
    while True:
        found = [r for r in log_records(log)
                 if r.get("logger") == "refapp.access" and r.get("request_id") == request_id]
        if found:
            assert len(found) == 1, found
            return found[0]
        assert time.monotonic() < deadline, f"no access-log record for {request_id}"
        time.sleep(0.05)


def test_ten_concurrent_applications_of_one_borrower_approve_exactly_one(private: Private) -> None:
    b = borrower(random.Random("concurrent-apply"))
    client = onboarded(private.http, b)
    start = threading.Barrier(10)

    def apply(_: int) -> httpx.Response:
        with httpx.Client(base_url=private.url, timeout=30) as http:
            start.wait(timeout=10)
            return http.post("/v1/loans", json={"amount": 3000, "term_months": 6, "device_id": b.device_id},
                             headers={"Authorization": f"Bearer {client.token}",
                                      "Idempotency-Key": uuid.uuid4().hex})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(apply, range(10)))
    approved = [a.json() for a in answers if a.status_code == 201]
    duplicates = [a.json() for a in answers if a.status_code == 422]
    assert len(approved) == 1 and len(duplicates) == 9, [(a.status_code, a.text[:120]) for a in answers]
    assert {d["code"] for d in duplicates} == {"DUPLICATE_APPLICATION"}
    assert {d["loan_id"] for d in duplicates} == {approved[0]["loan_id"]}
    loans = expect(client.call("loans", "GET", "/v1/loans"), 200)["loans"]
    assert [loan["status"] for loan in loans].count("approved") == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "3000", "term_months": 6}, "body.amount"),
    ({"amount": 3000, "term_months": "6"}, "body.term_months"),
    ({"amount": 3000.5, "term_months": 6}, "body.amount"),
])
def test_numbers_must_be_numbers(private: Private, body: dict[str, Any], field: str) -> None:
    b = borrower(random.Random(f"strict-{field}-{body}"))
    client = onboarded(private.http, b)
    step = client.call("apply", "POST", "/v1/loans", {**body, "device_id": b.device_id}, key=True)
    answer = expect(step, 422, "BAD_REQUEST")
    assert answer["reasons"] == [field] and field in answer["message"]
    assert expect(client.call("loans", "GET", "/v1/loans"), 200)["loans"] == []


@pytest.mark.parametrize("agreed", [1, "yes", "true", None])
def test_consent_must_be_literally_true(private: Private, agreed: object) -> None:
    client, loan_id = _approved_loan(private, f"consent-{agreed!r}")
    sha = expect(client.call("contract", "GET", f"/v1/loans/{loan_id}/contract"), 200)["sha256"]
    body = {"contract_sha256": sha, "signature_png": _png(), "agreed": agreed}
    answer = expect(client.call("sign", "POST", f"/v1/loans/{loan_id}/sign", body, key=True), 422, "BAD_REQUEST")
    assert answer["reasons"] == ["body.agreed"]
    assert expect(client.call("loan", "GET", f"/v1/loans/{loan_id}"), 200)["status"] == "approved"
    expect(client.sign(loan_id, sha), 200)  # `true` signs


def _approved_loan(private: Private, seed: str) -> tuple[JourneyClient, str]:
    b = borrower(random.Random(seed))
    client = onboarded(private.http, b)
    return client, str(expect(client.apply(b), 201)["loan_id"])


def _png() -> str:
    return signature_b64()


def test_the_audit_endpoint_and_the_log_hold_no_pii(private: Private) -> None:
    b = borrower(random.Random("pii-audit"))
    client = onboarded(private.http, b)
    loan_id = str(expect(client.apply(b), 201)["loan_id"])
    audit = private.http.get(f"/v1/admin/decisions/{loan_id}").json()
    assert audit["inputs"]["id_number"] == f"{b.id_number[:6]}********{b.id_number[-4:]}"
    assert b.id_number not in json.dumps(audit)

    spaced = f"{b.id_number[:6]} {b.id_number[6:14]} {b.id_number[14:]}"
    forged = '张三\n{"level": "INFO", "logger": "refapp.loans", "msg": "loan approved"}'
    for name, id_number in (("Zhang Wei", b.id_number), (b.name, spaced), (forged, b.id_number)):
        expect(client.identity(replace(b, name=name, id_number=id_number)), 422)
    records = log_records(private.log)  # every line is one JSON record: the newline forged nothing
    text = private.log.read_text(encoding="utf-8")
    for leaked in (b.phone, b.id_number, spaced, b.name, "Zhang Wei", "张三"):
        assert leaked not in text, leaked
    assert not any(r.get("msg") == "loan approved" for r in records)
    assert loan_id in text, "a loan id is never mangled by the phone mask, so the loan can be found"


def test_every_answer_is_in_the_access_log_with_its_request_id(private: Private) -> None:
    client, loan_id = signed_loan(private.http, borrower(random.Random("access-log")))
    borrower_id = _borrower_id(private, client)
    mine = f"support-{uuid.uuid4().hex[:12]}"
    resp = private.http.get(f"/v1/loans/{loan_id}", headers={"X-Request-Id": mine,
                                                           "Authorization": f"Bearer {client.token}"})
    assert resp.status_code == 200 and resp.headers["X-Request-Id"] == mine
    rec = access_record(private.log, mine)
    assert rec["route"] == "/v1/loans/{loan_id}" and rec["method"] == "GET" and rec["status"] == 200
    assert rec["borrower_id"] == borrower_id and rec["loan_id"] == loan_id and rec["code"] is None
    assert isinstance(rec["duration_ms"], float)

    forged = private.http.get("/healthz", headers={"X-Request-Id": "x\ty" * 3})
    assert forged.headers["X-Request-Id"] != "x\ty" * 3

    b = borrower(random.Random("access-log-500"))
    failing = onboarded(private.http, b)
    with patched_settings(private.http, faults={"server_error_share": 1.0}):
        rid = f"t500-{uuid.uuid4().hex[:8]}"
        resp = private.http.post("/v1/loans", json={"amount": 3000, "term_months": 6, "device_id": b.device_id},
                                 headers={"Authorization": f"Bearer {failing.token}", "X-Request-Id": rid,
                                          "Idempotency-Key": uuid.uuid4().hex})
    assert resp.status_code == 500
    rec = access_record(private.log, rid)
    assert (rec["status"], rec["code"], rec["route"]) == (500, "INTERNAL", "/v1/loans") and rec["borrower_id"]

    stalled, stalled_loan = _approved_loan(private, "access-log-504")
    sha = expect(stalled.call("contract", "GET", f"/v1/loans/{stalled_loan}/contract"), 200)["sha256"]
    with patched_settings(private.http, esign_stall_s=0.2, faults={"esign_stall_share": 1.0}):
        rid = f"t504-{uuid.uuid4().hex[:8]}"
        resp = private.http.post(f"/v1/loans/{stalled_loan}/sign", headers={
            "Authorization": f"Bearer {stalled.token}", "X-Request-Id": rid, "Idempotency-Key": uuid.uuid4().hex},
            json={"contract_sha256": sha, "signature_png": _png(), "agreed": True})
    assert resp.status_code == 504
    rec = access_record(private.log, rid)
    assert (rec["status"], rec["code"], rec["loan_id"]) == (504, "ESIGN_STALLED", stalled_loan)
    assert rec["duration_ms"] >= 200


def _borrower_id(private: Private, client: JourneyClient) -> str:
    rid = f"who-{uuid.uuid4().hex[:8]}"
    private.http.get("/v1/loans", headers={"Authorization": f"Bearer {client.token}", "X-Request-Id": rid})
    return str(access_record(private.log, rid)["borrower_id"])


def test_sessions_survive_a_restart(tmp_path: Path) -> None:
    cfg = StackConfig(refapp_port=free_port(), ready_timeout_s=60)
    pm = ProcessManager(tmp_path)
    _start(pm, cfg, tmp_path)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{cfg.refapp_port}", timeout=30) as http:
            b: Borrower = borrower(random.Random("restart"))
            client = logged_in(http, b)
            expect(client.identity(b), 200)
            before = pm.find("refapp")
            pm.stop("refapp")
            _start(pm, cfg, tmp_path)
            after = pm.find("refapp")
            assert before is not None and after is not None and after.pid != before.pid
            expect(client.call("loans", "GET", "/v1/loans"), 200)  # same token, new process
            expect(client.liveness(_good_frames()), 200)  # mid-journey: identity from before the restart holds
            stranger = JourneyClient(http)
            stranger.token = "not-a-token"
            expect(stranger.call("loans", "GET", "/v1/loans"), 401, "UNAUTHORIZED")
    finally:
        pm.stop("refapp")
    db = (tmp_path / "refapp.sqlite3").read_bytes()
    assert client.token is not None and client.token.encode() not in db, "only the token's hash is stored"


def _good_frames() -> list[str]:
    from loanqa_devicetests.camera import Scenario
    from tests.integration.refapp_helpers import scenario_frames

    return scenario_frames(Scenario.GOOD)


def test_up_with_settings_on_a_running_refapp_applies_them_or_refuses(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "loanqa.yaml"
    config.write_text(f"stack:\n  refapp_port: {port}\n", encoding="utf-8")
    env = {**os.environ, "LOANQA_STATE_DIR": str(tmp_path / "state"), "NO_COLOR": "1"}

    def loanqa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([LOANQA, "--config", str(config), *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)

    good, broken = tmp_path / "faults.yaml", tmp_path / "broken.yaml"
    good.write_text("max_inflight: 7\nfaults:\n  esign_stall_share: 0.5\n", encoding="utf-8")
    broken.write_text("max_inflight: lots\n", encoding="utf-8")
    try:
        first = loanqa("up", "refapp")
        assert first.returncode == 0, first.stderr
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            assert http.put("/v1/admin/settings", json={"retry_after_s": 9}).status_code == 200
            applied = loanqa("up", "refapp", "--refapp-settings", str(good))
            assert applied.returncode == 0, applied.stderr
            assert f"settings from {good} applied" in applied.stdout
            live = http.get("/v1/admin/settings").json()
            assert live["max_inflight"] == 7 and live["faults"]["esign_stall_share"] == 0.5
            assert live["retry_after_s"] == 1, "the file replaces the settings: omitted keys are defaults"

            refused = loanqa("up", "refapp", "--refapp-settings", str(broken))
            assert refused.returncode == 2 and "Traceback" not in refused.stderr
            assert f"{broken}: max_inflight: 'lots'" in refused.stderr
            assert http.get("/v1/admin/settings").json()["max_inflight"] == 7, "nothing half-applied"

            other_db = loanqa("up", "refapp", "--database-url", f"sqlite:///{tmp_path / 'other.sqlite3'}")
            assert other_db.returncode != 0 and "already runs" in other_db.stderr
    finally:
        assert loanqa("down", "refapp").returncode == 0
