"""The report as release managers get it: one HTML file opened from disk, a few MB, with the gate's verdict.

A `loanqa run`-sized result set (6 phones x 6 device tests with full-size PNG screenshots, 14 load SLOs
with charts) is gated and reported through the CLI as the release-gate pipeline does, then opened from
disk in headless Chromium.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import Chrome, ChromeOptions, ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from loanqa import tools
from loanqa.cli.main import main
from loanqa.faces import photo
from loanqa.ports import free_port
from tests.unit.gate_factory import device, write_result

PHONES = ("android-small-360", "pixel-7", "galaxy-s23", "redmi-note-12", "iphone-se", "iphone-15-pro-max")
FLOWS = ("face_good", "face_dark", "face_no_blink", "esign", "layout", "disburse")
SCREENS_PER_TEST = 5
LIMIT_BYTES = 5 * 1024 * 1024


def _screenshot(seed: int, camera: bool) -> bytes:
    """A phone screenshot at 1080x2400 (DPR 3): header, a camera preview on face pages, text rows, a button."""
    rng = np.random.default_rng(seed)
    img = np.full((2400, 1080, 3), 250, np.uint8)
    cv2.rectangle(img, (0, 0), (1080, 180), (40, 90, 200), -1)
    if camera:
        img[300:1200, 90:990] = cv2.resize(photo(), (900, 900))
    for row in range(14):
        y = 1300 + row * 70
        width = int(rng.integers(300, 900))
        cv2.putText(img, "loan 50000 CNY, 12 months " + "x" * (width // 40), (60, y), cv2.FONT_HERSHEY_SIMPLEX,
                    1.2, (30, 30, 30), 2)
    cv2.rectangle(img, (60, 2250), (1020, 2370), (0, 140, 80), -1)
    ok, png = cv2.imencode(".png", img)
    assert ok
    return png.tobytes()


def _chart(seed: int) -> bytes:
    img = np.full((600, 1200, 3), 255, np.uint8)
    points = np.cumsum(np.random.default_rng(seed).normal(0, 8, 1100)) + 300
    cv2.polylines(img, [np.stack([np.arange(50, 1150), points.clip(20, 580)], 1).astype(np.int32)], False,
                  (200, 60, 30), 2)
    ok, png = cv2.imencode(".png", img)
    assert ok
    return png.tobytes()


def _attach(result: Path, pictures: list[bytes]) -> None:
    data = json.loads(result.read_text())
    data["attachments"] = []
    for i, picture in enumerate(pictures):
        name = f"{data['uuid']}-{i}-attachment.png"
        (result.parent / name).write_bytes(picture)
        data["attachments"].append({"name": f"screen {i}", "source": name, "type": "image/png"})
    result.write_text(json.dumps(data))


def _run_sized_results(root: Path) -> tuple[Path, Path]:
    devices, load = root / "devices", root / "load"
    face_screens = [_screenshot(i, camera=True) for i in range(SCREENS_PER_TEST)]
    other_screens = [_screenshot(i, camera=False) for i in range(SCREENS_PER_TEST)]
    for phone in PHONES:
        for flow in FLOWS:
            screens = face_screens if flow.startswith("face") else other_screens
            broken = phone == "redmi-note-12" and flow == "esign"
            result = write_result(devices, f"test_{flow}[{phone}]", "failed" if broken else "passed",
                                  message="[esign] signing stalled" if broken else None,
                                  labels=device("ios" if phone.startswith("iphone") else "android", dev=phone))
            _attach(result, screens)
    for i in range(14):
        result = write_result(load, f"slo_{i}", labels={"kind": "load", "network_profile": "all"})
        _attach(result, [_chart(i)])
    return devices, load


def _embedded(html: str) -> dict[str, Any]:
    return {name: json.loads(base64.b64decode(data)) for name, data in
            re.findall(r'd\("(widgets/[^"]+\.json)","([A-Za-z0-9+/=]+)"\)', html)}


@contextmanager
def _browser(tmp: Path) -> Iterator[WebDriver]:
    """Headless Chromium through Debian's chromedriver, as a release manager's browser opening a file."""
    options = ChromeOptions()
    options.binary_location = str(tools.chromium())
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                f"--user-data-dir={tmp / 'profile'}"):
        options.add_argument(arg)
    service = ChromeService(executable_path=str(tools.chromedriver()), port=free_port())
    driver = Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def _shows(driver: WebDriver, text: str, timeout_s: float) -> bool:
    try:
        WebDriverWait(driver, timeout_s, poll_frequency=0.5).until(lambda d: text in d.find_element(
            By.TAG_NAME, "body").text)
    except TimeoutException:
        return False
    return True


@pytest.mark.slow
def test_uploaded_report_opens_from_disk_is_small_and_shows_the_gate(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    devices, load = _run_sized_results(tmp_path / "results")
    originals = sum(p.stat().st_size for p in devices.glob("*-attachment.png"))
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: release-check\nmax_failures: 0\n")
    gate_json = tmp_path / "gate.json"
    with pytest.raises(SystemExit) as gate_exit:
        main(["gate", "--results", str(devices), "--results", str(load), "--policy", str(policy),
              "--json-out", str(gate_json)])
    assert gate_exit.value.code == 1, capsys.readouterr()
    with pytest.raises(SystemExit) as report_exit:
        main(["report", "--results", str(devices), "--results", str(load), "--out", str(tmp_path / "single"),
              "--single-file", "--gate-verdict", str(gate_json)])
    assert report_exit.value.code == 0, capsys.readouterr()

    index = tmp_path / "single" / "index.html"
    size = index.stat().st_size
    assert size < LIMIT_BYTES, f"single-file report is {size / 1e6:.1f} MB"
    assert originals > 3 * LIMIT_BYTES, "the screenshots were full size to begin with"
    assert sum(p.stat().st_size for p in devices.glob("*-attachment.png")) == originals, "results keep originals"

    gates = _embedded(index.read_text(encoding="utf-8"))["widgets/quality-gate.json"]
    (shown,) = gates.values()
    by_rule = {g["rule"]: g for g in shown}
    assert by_rule["loanqa release gate (release-check)"]["success"] is False
    failures = by_rule["max_failures"]
    assert failures["success"] is False and "test_esign[redmi-note-12]" in failures["message"]
    assert len(failures["testResults"]) == 1, "the failed rule links the test that broke it"

    with _browser(tmp_path) as browser:
        browser.get(index.as_uri())
        assert _shows(browser, "test_esign[redmi-note-12]", 90), "opened from disk, the report shows its tests"
        browser.save_screenshot(str(tmp_path / "report.png"))
        browser.find_element(By.XPATH, "//*[starts-with(normalize-space(.), 'Quality Gates')]").click()
        assert _shows(browser, "loanqa release gate (release-check)", 30), "the Quality Gates tab shows the verdict"
        assert _shows(browser, "Maximum failed tests", 5)
        browser.save_screenshot(str(tmp_path / "quality-gates.png"))

        with pytest.raises(SystemExit):
            main(["report", "--results", str(devices), "--results", str(load), "--out", str(tmp_path / "folder")])
        browser.get((tmp_path / "folder" / "index.html").as_uri())
        assert not _shows(browser, "test_esign[redmi-note-12]", 20), "a report folder opened as a file stays empty"
