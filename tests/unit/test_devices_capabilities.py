"""Capabilities for all three providers and camera injectors, built from the same scenario."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from loanqa_devicetests.camera.cloud_inject import CloudImageInjection
from loanqa_devicetests.camera.emulator_inject import EmulatorImageInjection
from loanqa_devicetests.camera.still import still_png
from loanqa_devicetests.matrix import load_matrix
from loanqa_devicetests.providers import provider_for

MATRICES = Path(__file__).resolve().parents[2] / "devicetests" / "matrices"


class RecordingDriver:
    """Records execute_script calls: the capability-level contract with Appium, no device needed."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def execute_script(self, *args: Any) -> None:
        self.calls.append(args)


def _w3c(opts: Any) -> dict[str, Any]:
    caps: dict[str, Any] = opts.to_w3c()["capabilities"]["alwaysMatch"]
    return caps


def test_emulated_caps_are_chromium_with_device_metrics_and_fake_camera(tmp_path: Path) -> None:
    m = load_matrix(MATRICES / "ci-emulated.yaml")
    dev = next(d for d in m.devices if d.name == "iphone-se")
    caps = _w3c(provider_for(m, tmp_path).options(dev, "dark"))
    assert caps["appium:automationName"] == "Chromium" and caps["browserName"] == "chrome"
    assert caps["appium:executable"].endswith("chromedriver")
    chrome = caps["goog:chromeOptions"]
    assert chrome["mobileEmulation"]["deviceMetrics"] == {"width": 375, "height": 667, "pixelRatio": 2.0,
                                                          "touch": True}
    assert "iPhone" in chrome["mobileEmulation"]["userAgent"]
    video = next(a for a in chrome["args"] if a.startswith("--use-file-for-fake-video-capture="))
    path = Path(video.split("=", 1)[1])
    assert path.name == "dark.y4m" and path.read_bytes().startswith(b"YUV4MPEG2 W640 H480")
    assert {"--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream"} <= set(chrome["args"])


def test_camera_file_switches_per_scenario_without_duplicating_args(tmp_path: Path) -> None:
    m = load_matrix(MATRICES / "ci-emulated.yaml")
    provider = provider_for(m, tmp_path)
    opts = provider.options(m.devices[0], "good")
    camera = provider.camera(m.devices[0])
    assert camera is not None
    camera.apply(opts, "no_face")
    args = _w3c(opts)["goog:chromeOptions"]["args"]
    videos = [a for a in args if a.startswith("--use-file-for-fake-video-capture=")]
    assert len(videos) == 1 and videos[0].endswith("no_face.y4m")


def test_lab_android_emulator_uses_uiautomator2_and_image_injection(tmp_path: Path) -> None:
    m = load_matrix(MATRICES / "nightly-lab.yaml")
    dev = next(d for d in m.devices if d.name == "emulator-api34")
    provider = provider_for(m, tmp_path)
    caps = _w3c(provider.options(dev, "no_blink"))
    assert caps["appium:automationName"] == "UIAutomator2" and caps["platformName"] == "Android"
    assert caps["appium:udid"] == "emulator-5554" and caps["browserName"] == "Chrome"
    assert caps["appium:injectedImageProperties"]["size"] == {"scaleX": 1, "scaleY": 1}
    camera = provider.camera(dev)
    assert isinstance(camera, EmulatorImageInjection)
    driver = RecordingDriver()
    camera.activate(driver, "no_blink")
    (cmd, args), = driver.calls
    assert cmd == "mobile: injectEmulatorCameraImage"
    assert base64.b64decode(args["payload"]) == still_png("no_blink")


def test_lab_webview_and_ios_devices(tmp_path: Path) -> None:
    m = load_matrix(MATRICES / "nightly-lab.yaml")
    provider = provider_for(m, tmp_path)
    by = {d.name: d for d in m.devices}
    redmi = _w3c(provider.options(by["redmi-note-12-lab"], "good"))
    assert redmi["appium:appPackage"] == "com.example.loan" and redmi["appium:autoWebView"] is True
    assert "browserName" not in redmi and "appium:injectedImageProperties" not in redmi
    se = _w3c(provider.options(by["iphone-se-lab"], "good"))
    assert se["appium:automationName"] == "XCUITest" and se["appium:bundleId"] == "com.example.loan"
    sim = _w3c(provider.options(by["iphone-15-sim"], None))
    assert sim["browserName"] == "Safari" and sim["platformName"] == "iOS"
    assert provider.camera(by["iphone-15-sim"]) is None


def test_cloud_caps_carry_env_credentials_and_injection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_TARGET", "https://staging.example")
    monkeypatch.setenv("CLOUD_USERNAME", "qa-bot")
    monkeypatch.setenv("CLOUD_ACCESS_KEY", "s3cret-key")
    m = load_matrix(MATRICES / "cloud.yaml")
    caps = _w3c(provider_for(m, tmp_path).options(m.devices[0], "dark"))
    bstack = caps["bstack:options"]
    assert (bstack["userName"], bstack["accessKey"]) == ("qa-bot", "s3cret-key")
    assert bstack["enableCameraImageInjection"] is True
    assert caps["appium:deviceName"] == "Samsung Galaxy S23"


def test_cloud_injection_commands_per_vendor() -> None:
    uploaded: list[tuple[str, bytes]] = []

    def upload(name: str, png: bytes) -> str:
        uploaded.append((name, png))
        return "media://abc123"

    bs = CloudImageInjection("browserstack", upload).command("dark")
    payload = json.loads(bs.removeprefix("browserstack_executor: "))
    assert payload == {"action": "cameraImageInjection", "arguments": {"imageUrl": "media://abc123"}}
    assert uploaded == [("dark.png", still_png("dark"))]
    sauce = CloudImageInjection("saucelabs").command("dark")
    assert sauce.startswith("sauce:inject-image=")
    assert base64.b64decode(sauce.split("=", 1)[1]) == still_png("dark")
    with pytest.raises(ValueError, match="not offered by vendor 'grid'"):
        CloudImageInjection("grid")


def test_still_images_differ_by_scenario() -> None:
    dark = cv2.imdecode(np.frombuffer(still_png("dark"), np.uint8), cv2.IMREAD_GRAYSCALE)
    good = cv2.imdecode(np.frombuffer(still_png("good"), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert dark is not None and good is not None
    assert dark.shape == good.shape and float(dark.mean()) < 0.5 * float(good.mean())
