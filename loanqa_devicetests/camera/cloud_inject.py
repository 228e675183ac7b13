"""Device-cloud camera image injection (BrowserStack media + executor, Sauce Labs inject-image)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from appium.options.common.base import AppiumOptions

from loanqa_devicetests.camera.still import still_b64, still_png

# Uploads a PNG to the vendor's media store and answers its `media://` URL.
MediaUpload = Callable[[str, bytes], str]


class CloudImageInjection:
    """Vendor capabilities switch injection on; after start the scenario's still replaces the camera."""

    name = "cloud-image-injection"

    def __init__(self, vendor: str, upload: MediaUpload | None = None) -> None:
        if vendor not in ("browserstack", "saucelabs"):
            raise ValueError(f"camera image injection is not offered by vendor {vendor!r}")
        self.vendor = vendor
        self.upload = upload

    def apply(self, options: AppiumOptions, scenario: str) -> None:
        if self.vendor == "browserstack":
            bstack = dict(options.get_capability("bstack:options") or {})
            options.set_capability("bstack:options", {**bstack, "enableCameraImageInjection": True})
        else:
            options.set_capability("appium:sauceLabsImageInjectionEnabled", True)

    def activate(self, driver: Any, scenario: str) -> None:
        driver.execute_script(self.command(scenario))

    def command(self, scenario: str) -> str:
        if self.vendor == "saucelabs":
            return f"sauce:inject-image={still_b64(scenario)}"
        if self.upload is None:
            raise ValueError("BrowserStack injection needs a media upload function")
        url = self.upload(f"{scenario}.png", still_png(scenario))
        args = {"action": "cameraImageInjection", "arguments": {"imageUrl": url}}
        return "browserstack_executor: " + json.dumps(args)
