"""`loanqa run` end to end, as a user runs it: real stack, Locust, Appium, gate and Allure report.

The same run is the leak test (issue 14): a canary borrower (name, phone, ID number) walks the load and the
device journeys, a canary access key is in the environment and in the matrix, the refapp runs an e-sign
fault experiment (so device results fail) and one camera feed cannot be prepared (so device results are
broken); afterwards no file the run wrote, nor its terminal output, holds any canary value.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from loanqa.ports import free_port
from loanqa.stack.process import http_ready
from loanqa.synthetic import make_id_number, registry_name
from tests.interrupt import ctrl_c, reaped, takes_ctrl_c

LOANQA = str(Path(sys.executable).parent / "loanqa")
MATRIX = Path(__file__).resolve().parents[2] / "devicetests" / "matrices" / "ci-emulated.yaml"
CANARY_PHONE = "13017760422"  # '0' after '13': a load run's phones (1, salt digit, salt, ...) never take it
TARGET_DB = ("refapp.sqlite3",)  # the target's own data store holds borrowers by design; not loanqa's output


def _encodings(value: str) -> set[str]:
    """The forms a value takes in the files: as is, JSON-escaped (ensure_ascii), URL-encoded."""
    return {value, json.dumps(value)[1:-1], urllib.parse.quote(value)}


def _hits(root: Path, canaries: dict[str, str], extra: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(TARGET_DB)]
    texts = {str(p.relative_to(root)): p.read_bytes().decode("utf-8", errors="replace") for p in files} | extra
    hits = [(where, what) for where, text in texts.items() for what, value in canaries.items()
            if any(form in text for form in _encodings(value))]
    return len(texts), hits


@pytest.mark.slow
@pytest.mark.appium
@pytest.mark.toxiproxy
def test_run_ends_in_report_and_verdict_leaves_nothing_running_and_leaks_nothing(tmp_path: Path) -> None:
    config, ports = _stack_on_free_ports(tmp_path)
    out, state = tmp_path / "run", tmp_path / "state"
    canary_id = make_id_number(random.Random(secrets.token_hex(4)))
    canaries = {"name": registry_name(canary_id), "phone": CANARY_PHONE, "id_number": canary_id,
                "access_key": f"AK-canary-{secrets.token_hex(8)}"}
    matrix = tmp_path / "canary-emulated.yaml"
    matrix.write_text(MATRIX.read_text(encoding="utf-8") + '\nauth:\n  username: "loanqa-ci"\n'
                      '  access_key: "${CLOUD_ACCESS_KEY}"\n', encoding="utf-8")
    faults = tmp_path / "esign-stall.yaml"
    faults.write_text("esign_stall_s: 2\nfaults:\n  esign_stall_share: 1.0\n", encoding="utf-8")
    (state / "devices" / "camera" / "no_blink.y4m.lock").mkdir(parents=True)  # a lab disk fault: broken
    env = {**os.environ, "LOANQA_STATE_DIR": str(state), "NO_COLOR": "1", "COLUMNS": "120",
           "LOANQA_CANARY_BORROWER": f"{CANARY_PHONE}:{canary_id}", "CLOUD_ACCESS_KEY": canaries["access_key"]}
    env.pop("TOXIPROXY_URL", None)
    env.pop("LOANQA_SHOW_PII", None)

    def loanqa(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([LOANQA, "--config", str(config), *args], capture_output=True, text=True, env=env,
                              timeout=timeout, check=False)

    experiment = loanqa("up", "refapp", "--refapp-settings", str(faults))
    assert experiment.returncode == 0, experiment.stderr
    try:
        done = loanqa("run", "--out", str(out), "--duration", "45s", "--matrix", str(matrix),
                      "--device", "android-small-360", "--device", "iphone-se", timeout=900)
        left = sorted(p.stem for p in (state / "pids").glob("*.json"))
    finally:
        down = loanqa("down", "refapp")
    log = done.stdout + done.stderr

    verdict = json.loads((out / "verdict.json").read_text())
    shown = f"{log}\n--- verdict.md\n{(out / 'verdict.md').read_text()}"
    failed = {r["rule"] for r in verdict["rules"] if not r["passed"]}
    # The e-sign stall fails every device signing flow (and every loan at sign): the verdict is a failure
    # because of that, never because a rare profile was starved of borrowers.
    assert done.returncode == verdict["exit_code"] == 1, shown
    assert "max_failures" in failed, shown
    assert "Traceback" not in log
    assert f"report:  {out / 'report' / 'index.html'}" in done.stdout
    assert (out / "report" / "index.html").stat().st_size > 0
    assert "Release gate" in (out / "verdict.md").read_text()
    summary = json.loads((out / "load" / "summary.json").read_text())
    assert summary["network_mix"] == "cn-2026" and summary["funnel"]["started"] > 0
    device_results = [json.loads(p.read_text()) for p in (out / "devices" / "allure-results").glob("*-result.json")]
    assert len(device_results) >= 2 * 4, "every flow on both devices"
    statuses = [r["status"] for r in device_results]
    assert "failed" in statuses and "broken" in statuses, statuses
    assert verdict["stats"]["summaries"] == 1
    assert verdict["stats"]["tests"] == len(device_results) + len(list((out / "load" / "allure-results").glob(
        "*-result.json"))), "the gate saw every result of both steps"
    rules = {r["rule"]: r for r in verdict["rules"]}
    assert "critical.Disbursement" in rules
    missed = [s["name"] for s in summary["slos"] if s["verdict"] == "failed"]
    short = [s["name"] for s in summary["slos"] if s["verdict"] == "insufficient"]
    slo_rule = rules["load.slo_results"]
    assert slo_rule["passed"] is (not missed), shown  # the default policy: too few samples only warns
    assert slo_rule["warning"] is (not missed and bool(short)), shown
    assert all(any(o.startswith(f"{name}: too few samples") for o in slo_rule["offenders"]) for name in short), shown
    (manifest_file,) = (out / "devices" / "allure-results").glob("loanqa-run-*.json")
    manifest = json.loads(manifest_file.read_text())
    assert manifest["run_id"] == summary["run_id"], "one run id for the whole pipeline"
    assert rules["run.same_run"]["passed"] and rules["run.complete"]["passed"], shown

    assert left == ["refapp"], "run stops what it started, and only that"
    assert down.returncode == 0
    _nothing_answers(ports)

    scanned, hits = _hits(tmp_path, canaries, {"terminal": log})
    print(f"canary scan: {scanned} files (terminal included), {len(hits)} hits")
    assert hits == [], hits


def _live_journeys(live: Path) -> int:
    try:
        return int(json.loads(live.read_text())["journeys_started"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
@pytest.mark.appium
@pytest.mark.toxiproxy
def test_ctrl_c_during_the_load_step_ends_the_whole_run_with_130_and_stops_the_stack(tmp_path: Path) -> None:
    config, ports = _stack_on_free_ports(tmp_path)
    out, state = tmp_path / "run", tmp_path / "state"
    env = {**os.environ, "LOANQA_STATE_DIR": str(state), "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("TOXIPROXY_URL", None)
    proc = subprocess.Popen([LOANQA, "--config", str(config), "run", "--out", str(out), "--duration", "60s",
                             "--think-scale", "0.02", "--device", "android-small-360"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=takes_ctrl_c)
    with reaped(proc):
        deadline = time.monotonic() + 240
        while _live_journeys(out / "load" / ".loanqa-partial" / "live.json") < 2:  # the load step is under way
            assert proc.poll() is None and time.monotonic() < deadline, "the load step never got going"
            time.sleep(0.3)  # polling interval for the condition above
        stdout, err = ctrl_c(proc, timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in stdout + err, stdout + err
    assert "== devices ==" not in stdout and not (out / "devices").exists(), "the device matrix ran after Ctrl-C"
    assert not (out / "verdict.json").exists(), "an interrupted run is not gated"
    assert not list((state / "pids").glob("*.json")), "the stack the run started is still recorded"
    _nothing_answers(ports)


def _stack_on_free_ports(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A project config whose refapp, Toxiproxy and Appium take free ports: runs never collide with others."""
    ports = {"refapp_port": free_port(), "toxiproxy_port": free_port(), "appium_port": free_port()}
    config = tmp_path / "loanqa.yaml"
    config.write_text("stack:\n" + "".join(f"  {k}: {v}\n" for k, v in ports.items()))
    return config, ports


def _nothing_answers(ports: dict[str, int]) -> None:
    for name, port in ports.items():
        path = {"refapp_port": "/healthz", "toxiproxy_port": "/version", "appium_port": "/status"}[name]
        assert not http_ready(f"http://127.0.0.1:{port}{path}"), f"{name} still answers"
