"""The device suite for real: Appium 3 + chromium, the refapp, allure-results JSON read back."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from loanqa.config.project import StackConfig
from loanqa.eventlog import AttemptRecord, JourneyEnd, read_events
from loanqa.ports import free_port
from loanqa.stack.components import appium_spec
from loanqa.stack.process import ProcessManager
from loanqa.stack.stack import Stack
from loanqa_devicetests.lab_status import LAB_DOWN_EXIT
from tests.interrupt import ctrl_c, ctrl_c_blocked_or_ignored, reaped, takes_ctrl_c

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "devicetests" / "matrices" / "ci-emulated.yaml"
INFRA = re.compile(r"^(?:[\w.]+: )?\[infrastructure\] ")  # allure-pytest puts the exception type first
PII = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{17}[\dX](?!\d)")

pytestmark = [pytest.mark.slow, pytest.mark.appium]


def _run_suite(tmp_path: Path, *args: str, timeout: float) -> tuple[int, list[dict[str, Any]], Path]:
    results = tmp_path / "allure-results"
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX),
            "--alluredir", str(results), "--device-state-dir", str(tmp_path / "state"), "-o", "addopts=",
            "-p", "no:cacheprovider", "-p", "no:randomly", "-q", *args]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    found = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert found, f"no allure results written; pytest said:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
    return proc.returncode, found, results


def _labels(result: dict[str, Any]) -> dict[str, str]:
    return {lab["name"]: lab["value"] for lab in result["labels"]}


def test_full_ci_matrix_passes_on_every_device(tmp_path: Path, appium_url: str, refapp_url: str) -> None:
    code, results, outdir = _run_suite(tmp_path, "--appium-url", appium_url, "--target", refapp_url,
                                       "-n", "2", "--dist", "loadgroup", timeout=420)
    devices = {_labels(r)["device"] for r in results}
    assert len(devices) == 6 and len(results) == 36, sorted(r["name"] for r in results)
    bad = [(r["name"], r["status"], r.get("statusDetails", {}).get("message", "")[:300])
           for r in results if r["status"] != "passed"]
    assert code == 0 and not bad, bad
    sample = results[0]
    labels = _labels(sample)
    assert {"epic", "feature", "story", "severity", "kind", "platform", "tier"} <= set(labels)
    assert labels["kind"] == "device"
    assert any(p["name"] == "device" for p in sample["parameters"])
    assert "matrix=ci-emulated\n" in (outdir / "environment.properties").read_text()
    assert len(list(outdir.glob("*-attachment.png"))) >= 36 * 3
    for text in outdir.glob("*-attachment.*"):
        if text.suffix in (".txt", ".html"):
            assert not PII.search(text.read_text(errors="replace")), text.name


def test_dead_appium_is_broken_infrastructure_never_failed(tmp_path: Path, refapp_url: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    code, results, _ = _run_suite(tmp_path, "--appium-url", dead, "--target", refapp_url, "--device", "pixel-7",
                                  "--device", "iphone-se", "-k", "no_blink or esign", timeout=120)
    assert code == LAB_DOWN_EXIT and len(results) == 4
    for r in results:
        assert r["status"] == "broken", r["name"]
        assert INFRA.match(r["statusDetails"]["message"]), r["statusDetails"]["message"]
        assert _labels(r)["cause"] == "infrastructure"
        assert "is not answering" in r["statusDetails"]["message"]


def test_appium_dying_mid_run_turns_the_rest_broken_and_the_run_finishes(tmp_path: Path, refapp_url: str) -> None:
    pm = ProcessManager(tmp_path / "own-appium")
    cfg = StackConfig(appium_port=free_port())
    running = pm.start(appium_spec(cfg), ready_timeout=90)
    results = tmp_path / "allure-results"
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX), "-o", "addopts=",
            "--alluredir", str(results), "--device-state-dir", str(tmp_path / "state"), "-p", "no:cacheprovider",
            "-p", "no:randomly", "-q", "--appium-url", running.url.removesuffix("/status"), "--target", refapp_url,
            "--device", "pixel-7", "-k", "bad_face"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    drivers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not list(results.glob("*-result.json")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)  # polling the results dir for the first finished test
        drivers = [pid for pid in _tree([running.pid]) if pid != running.pid]  # chromedriver and its browser
        assert pm.stop("appium"), "Appium was not running when the first result appeared"
        code = proc.wait(timeout=120)
    finally:
        pm.stop("appium")
        # A killed Appium cannot end its chromedriver (in a real lab it dies with the host); the browser may be
        # spawned after the snapshot and reparented, so it is found by this test's camera file too.
        _kill_left(_tree(drivers) + _marked(str(tmp_path)))
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    found = sorted((json.loads(p.read_text()) for p in results.glob("*-result.json")), key=lambda r: r["start"])
    assert len(found) == 3
    assert [r["status"] for r in found[1:]] == ["broken", "broken"]
    assert all(_labels(r)["cause"] == "infrastructure" for r in found[1:])
    assert found[0]["status"] in ("passed", "broken")
    assert code == (LAB_DOWN_EXIT if found[0]["status"] == "broken" else 1)


def test_esign_through_a_3g_profile_completes_signs_once_and_removes_its_proxy(
        tmp_path: Path, appium_url: str, refapp_url: str, toxiproxy_url: str) -> None:
    """The app's traffic goes through the profile's proxy; the test's own server check goes direct."""
    code, results, outdir = _run_suite(tmp_path, "--appium-url", appium_url, "--target", refapp_url,
                                       "--toxiproxy-url", toxiproxy_url, "--net-profile", "3g",
                                       "--device", "pixel-7", "-k", "esign", "--event-log-dir",
                                       str(tmp_path / "run"), timeout=240)
    (result,) = results
    assert code == 0 and result["status"] == "passed", result.get("statusDetails")
    assert _labels(result)["network_profile"] == "3g"
    events = read_events(tmp_path / "run")
    (end,) = [e for e in events if isinstance(e, JourneyEnd)]
    assert (end.outcome, end.profile, end.loan_id) == ("paid_out", "3g", _labels(result)["loan_id"])
    steps = [e.step for e in events if isinstance(e, AttemptRecord)]
    assert {"login", "liveness", "apply", "sign", "disburse", "status"} <= set(steps), steps
    env = dict(line.split("=", 1) for line in (outdir / "environment.properties").read_text().splitlines())
    assert env["network_profile"] == "3g" and env["app_url"] != env["target"], env
    with urllib.request.urlopen(f"{toxiproxy_url}/proxies", timeout=5) as resp:
        assert not [name for name in json.loads(resp.read()) if name.startswith("loanqa-devices-")]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _children(parents: list[int], name: str) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            comm, rest = stat.read_text().split(") ", 1)
        except (OSError, ValueError):
            continue
        if int(rest.split()[1]) in parents and comm.endswith(f"({name}"):
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_on_loanqa_devices_ends_the_session_and_stops_what_it_started(tmp_path: Path) -> None:
    state, results = tmp_path / "state", tmp_path / "allure-results"
    pids_dir = state / "devices" / "stack" / "pids"
    argv = [str(Path(sys.executable).with_name("loanqa")), "--state-dir", str(state), "devices", "--matrix",
            str(MATRIX), "--device", "pixel-7", "-n", "0", "--alluredir", str(results)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=takes_ctrl_c)
    with reaped(proc):
        _until_a_phone_session_is_live(results, proc)
        started = [json.loads(p.read_text())["pid"] for p in pids_dir.glob("*.json")]
        drivers = _children(started, "chromedriver")
        _, err = ctrl_c(proc, timeout=180)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert len(started) == 2 and drivers, (started, drivers)
    assert [pid for pid in started + drivers if _running(pid)] == [], "Appium, refapp or chromedriver left running"
    assert not list(pids_dir.glob("*.json"))



# The suite's session end hangs after a Ctrl-C (a WebDriver call that never returns): the user, or CI 7.5 s
# later, interrupts again, and pytest is killed before its own clean-up.
_HUNG_END = """
import os, time

def pytest_sessionfinish(session):
    open(os.environ["LOANQA_TEST_HUNG"], "w").close()
    time.sleep(120)
"""


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM], ids=["second-ctrl-c", "ci-cancel"])
def test_a_second_interrupt_still_leaves_nothing_running(tmp_path: Path, second: signal.Signals) -> None:
    """Ctrl-C twice, or a CI cancel (SIGINT, then SIGTERM): pytest is killed before it ends its stack, so the
    CLI stops Appium, refapp, chromedriver and chromium itself."""
    state, results, hung = tmp_path / "state", tmp_path / "allure-results", tmp_path / "hung"
    (tmp_path / "hung_end.py").write_text(_HUNG_END)
    pids_dir = state / "devices" / "stack" / "pids"
    argv = [str(Path(sys.executable).with_name("loanqa")), "--state-dir", str(state), "devices", "--matrix",
            str(MATRIX), "--device", "pixel-7", "-n", "0", "--alluredir", str(results)]
    env = {**os.environ, "PYTEST_PLUGINS": "hung_end", "LOANQA_TEST_HUNG": str(hung),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=takes_ctrl_c)
    family: list[int] = []
    try:
        _until_a_phone_session_is_live(results, proc)
        started = [json.loads(p.read_text())["pid"] for p in pids_dir.glob("*.json")]
        family = _tree(started)  # Appium, refapp and their children: chromedriver, chromium
        assert not ctrl_c_blocked_or_ignored(proc.pid), ctrl_c_blocked_or_ignored(proc.pid)
        proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 60
        while not hung.exists():  # pytest took the first interrupt and is stuck ending its session
            assert proc.poll() is None and time.monotonic() < deadline, "pytest never began to end its session"
            time.sleep(0.1)  # polling interval for the condition above
        proc.send_signal(second)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        left = [pid for pid in _tree(family) if _running(pid)]
        _kill_left(left)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert len(started) == 2, started
    assert len(family) > 3, family  # Appium, refapp, chromedriver, chromium and its helpers
    assert left == [], "left running: " + ", ".join(_comm(pid) for pid in left)
    assert not list(pids_dir.glob("*.json"))



def _tree(roots: list[int]) -> list[int]:
    """The roots and all their descendants (chromedriver's chromium processes)."""
    found, frontier = list(roots), list(roots)
    while frontier:
        frontier = [pid for stat in Path("/proc").glob("[0-9]*/stat") if (pid := int(stat.parent.name)) not in found
                    and _ppid(stat) in frontier]
        found += frontier
    return found


def _ppid(stat: Path) -> int:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1



# Faults a lab really has, injected into the device suite's own hooks: the camera command is rejected, or the
# evidence of a failed test cannot be gathered.
_FAULTS = """
import os
import pytest
from loanqa_devicetests.camera.chromium_file import ChromiumFakeFile
from loanqa_devicetests.evidence import Evidence

def _camera_rejected(self, driver, scenario):
    raise RuntimeError("injected: the lab rejected the camera feed")

def _log_unreadable(self):
    raise RuntimeError("injected: the Appium log cannot be read")

if os.environ["LOANQA_TEST_FAULT"] == "camera":
    ChromiumFakeFile.activate = _camera_rejected
else:
    Evidence.appium_log_lines = _log_unreadable

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(item):
        yield
        raise AssertionError("injected: the test failed")
"""


@pytest.mark.parametrize("fault", ["camera", "evidence"])
def test_a_failed_camera_setup_or_evidence_still_ends_the_appium_session(
        tmp_path: Path, stack: Stack, appium_url: str, refapp_url: str, fault: str) -> None:
    (tmp_path / "lab_faults.py").write_text(_FAULTS)
    results = tmp_path / "allure-results"
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX), "-o", "addopts=",
            "--alluredir", str(results), "--device-state-dir", str(tmp_path / "state"), "-p", "no:cacheprovider",
            "-p", "no:randomly", "-p", "lab_faults", "-q", "--appium-url", appium_url, "--target", refapp_url,
            "--device", "pixel-7", "-k", "good_face"]
    env = {**os.environ, "LOANQA_TEST_FAULT": fault,
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=180, check=False)
    (result,) = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert result["status"] in ("failed", "broken"), done.stdout[-2000:]
    assert "injected" in result["statusDetails"]["message"], result["statusDetails"]
    appium = stack.pm.find("appium")
    assert appium is not None
    deadline = time.monotonic() + 15
    while (left := [pid for pid in _tree([appium.pid]) if pid != appium.pid and _running(pid)]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)  # polling interval: Appium ends chromedriver when the session is deleted
    _kill_left(left)
    assert left == [], "the test's Appium session was left open: " + ", ".join(_comm(pid) for pid in left)


def _marked(marker: str) -> list[int]:
    """Processes whose command line names `marker` (e.g. the test's own temp dir)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return [pid for pid in found if pid != os.getpid()]


def _kill_left(pids: list[int]) -> None:
    for pid in pids:
        if _running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _comm(pid: int) -> str:
    try:
        return f"{Path(f'/proc/{pid}/comm').read_text().strip()} ({pid})"
    except OSError:
        return str(pid)


def _until_a_phone_session_is_live(results: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 150
    while not list(results.glob("*-attachment.png")):  # a step screenshot: the phone session is live
        assert proc.poll() is None and time.monotonic() < deadline, "the first device test never got going"
        time.sleep(0.2)  # polling interval for the condition above
