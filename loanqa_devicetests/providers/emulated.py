"""Chromium with a phone's metrics and user agent, driven by Appium's chromium driver (runs here)."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from appium.options.common.base import AppiumOptions

from loanqa import tools
from loanqa.ports import free_port
from loanqa_devicetests.camera.chromium_file import ChromiumFakeFile
from loanqa_devicetests.camera.injector import CameraInjector
from loanqa_devicetests.matrix import Device

HEADLESS_ARGS = ("--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")


class EmulatedProvider:
    kind = "emulated"

    def __init__(self, cache_dir: Path) -> None:
        self._camera = ChromiumFakeFile(cache_dir / "camera")

    def options(self, device: Device, scenario: str | None) -> AppiumOptions:
        if device.emulation is None:
            raise ValueError(f"device {device.name} has no emulation section")
        em = device.emulation
        opts = AppiumOptions()
        opts.platform_name = platform.system().lower()
        opts.browser_name = "chrome"
        opts.automation_name = "Chromium"
        opts.set_capability("appium:executable", str(tools.chromedriver()))
        opts.set_capability("appium:autodownloadEnabled", False)
        # Appium's default chromedriver port is shared: concurrent sessions would hijack each other.
        opts.set_capability("appium:chromedriverPort", free_port())
        mobile: dict[str, Any] = {
            "deviceMetrics": {"width": em.width, "height": em.height, "pixelRatio": em.pixel_ratio,
                              "touch": em.touch},
            "userAgent": em.user_agent,
        }
        opts.set_capability("goog:chromeOptions", {"binary": str(tools.chromium()), "args": list(HEADLESS_ARGS),
                                                   "mobileEmulation": mobile})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        if scenario is not None:
            self._camera.apply(opts, scenario)
        return opts

    def camera(self, device: Device) -> CameraInjector | None:
        return self._camera
