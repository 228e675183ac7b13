"""`loanqa run` end to end, as a new user runs it: real stack, Locust, Appium, gate and Allure report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.ports import free_port
from loanqa.stack.process import http_ready

LOANQA = str(Path(sys.executable).parent / "loanqa")


@pytest.mark.slow
@pytest.mark.appium
@pytest.mark.toxiproxy
def test_run_ends_in_report_and_verdict_and_leaves_nothing_running(tmp_path: Path) -> None:
    ports = {"refapp_port": free_port(), "toxiproxy_port": free_port(), "appium_port": free_port()}
    config = tmp_path / "loanqa.yaml"
    config.write_text("stack:\n" + "".join(f"  {k}: {v}\n" for k, v in ports.items()))
    out, state = tmp_path / "run", tmp_path / "state"
    env = {**os.environ, "LOANQA_STATE_DIR": str(state), "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("TOXIPROXY_URL", None)
    done = subprocess.run(
        [LOANQA, "--config", str(config), "run", "--out", str(out), "--duration", "45s",
         "--device", "android-small-360", "--device", "iphone-se"],
        capture_output=True, text=True, env=env, timeout=900, check=False)
    log = done.stdout + done.stderr

    verdict = json.loads((out / "verdict.json").read_text())
    assert done.returncode == verdict["exit_code"] in (0, 1), log
    assert "Traceback" not in log
    assert f"report:  {out / 'report' / 'index.html'}" in done.stdout
    assert (out / "report" / "index.html").stat().st_size > 0
    assert "Release gate" in (out / "verdict.md").read_text()
    summary = json.loads((out / "load" / "summary.json").read_text())
    assert summary["network_mix"] == "cn-2026" and summary["funnel"]["started"] > 0
    device_results = list((out / "devices" / "allure-results").glob("*-result.json"))
    assert len(device_results) >= 2 * 4, "every flow on both devices"
    assert verdict["stats"]["summaries"] == 1
    assert verdict["stats"]["tests"] == len(device_results) + len(list((out / "load" / "allure-results").glob(
        "*-result.json"))), "the gate saw every result of both steps"
    rules = {r["rule"] for r in verdict["rules"]}
    assert "critical.Disbursement" in rules

    assert not list((state / "pids").glob("*.json")), "run stops what it started"
    for name, port in ports.items():
        path = {"refapp_port": "/healthz", "toxiproxy_port": "/version", "appium_port": "/status"}[name]
        assert not http_ready(f"http://127.0.0.1:{port}{path}"), f"{name} still answers"
