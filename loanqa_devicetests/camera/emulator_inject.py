"""Android emulator camera image injection through UiAutomator2 (emulator's VirtualScene camera)."""

from __future__ import annotations

from typing import Any

from appium.options.common.base import AppiumOptions

from loanqa_devicetests.camera.still import still_b64

INJECTED_IMAGE_PROPERTIES: dict[str, Any] = {
    "size": {"scaleX": 1, "scaleY": 1},
    "position": {"x": 0, "y": 0, "z": -1.5},
    "rotation": {"x": 0, "y": 0, "z": 0},
}


class EmulatorImageInjection:
    """`appium:injectedImageProperties` prepares the scene; `mobile: injectEmulatorCameraImage` shows it."""

    name = "uiautomator2-image-injection"

    def apply(self, options: AppiumOptions, scenario: str) -> None:
        options.set_capability("appium:injectedImageProperties", INJECTED_IMAGE_PROPERTIES)

    def activate(self, driver: Any, scenario: str) -> None:
        driver.execute_script("mobile: injectEmulatorCameraImage", {"payload": still_b64(scenario)})
