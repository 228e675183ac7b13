"""A server-side e-sign stall under a device test is `esign`, read from what the target answered.

Real Appium 3 + chromium, a private refapp with its e-sign stall knob on; the result, its loan id label and
the device runner's event log are read back from disk.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loanqa.config.project import StackConfig
from loanqa.eventlog import AttemptRecord, JourneyEnd, read_events
from loanqa.ports import free_port
from loanqa.stack.components import RefappOptions, refapp_spec
from loanqa.stack.process import ProcessManager

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "devicetests" / "matrices" / "ci-emulated.yaml"

pytestmark = [pytest.mark.slow, pytest.mark.appium]


@pytest.fixture
def stalling_refapp(tmp_path: Path) -> Iterator[str]:
    """Every signature stalls 2 s on the server and ends in 504 ESIGN_STALLED."""
    settings = tmp_path / "refapp.yaml"
    settings.write_text("esign_stall_s: 2\nfaults: {esign_stall_share: 1.0}\n", encoding="utf-8")
    cfg = StackConfig(refapp_port=free_port(), ready_timeout_s=60)
    pm = ProcessManager(tmp_path / "refapp")
    pm.start(refapp_spec(cfg, tmp_path / "refapp", RefappOptions(settings_file=settings)), ready_timeout=60)
    try:
        yield f"http://127.0.0.1:{cfg.refapp_port}"
    finally:
        pm.stop("refapp")


def test_server_side_esign_stall_is_esign_with_the_loan_id_and_its_event_log(
        tmp_path: Path, appium_url: str, stalling_refapp: str) -> None:
    results, run = tmp_path / "allure-results", tmp_path / "run"
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX), "-o", "addopts=",
            "--alluredir", str(results), "--device-state-dir", str(tmp_path / "state"), "-p", "no:cacheprovider",
            "-p", "no:randomly", "-q", "--appium-url", appium_url, "--target", stalling_refapp,
            "--device", "pixel-7", "-k", "esign", "--event-log-dir", str(run)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    found = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert len(found) == 1, proc.stdout[-3000:]
    (result,) = found
    labels = {lab["name"]: lab["value"] for lab in result["labels"]}
    message = result["statusDetails"]["message"]
    assert proc.returncode == 1 and result["status"] == "failed", message
    assert labels["cause"] == "esign" and "[esign] pixel-7: target answered sign: 504 ESIGN_STALLED" in message
    loan = labels["loan_id"]

    events = read_events(run)
    assert (run / "events.jsonl").is_file() and not (run / "events").exists(), "parts merged"
    signs = [e for e in events if isinstance(e, AttemptRecord) and e.step == "sign"]
    assert signs and all(e.loan_id == loan and e.runner == "device" and e.device == "pixel-7" for e in events)
    answered = [e for e in signs if e.status is not None]
    assert answered and all((e.status, e.code, e.cause) == (504, "ESIGN_STALLED", "esign") for e in answered)
    assert len({e.idempotency_key for e in signs}) == 1, "one signing action; retry taps reuse its key"
    assert max(e.attempt for e in signs) >= 2
    assert all(e.request_id for e in answered)
    (end,) = [e for e in events if isinstance(e, JourneyEnd)]
    assert (end.outcome, end.cause, end.step) == ("failed", "esign", "sign")
    _no_phone_numbers(run / "events.jsonl")


def _no_phone_numbers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "a phone number reached the event log"

