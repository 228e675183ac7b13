"""A device cloud or Selenium Grid over a remote URL; credentials come only from the matrix's ${ENV}."""

from __future__ import annotations

from typing import Any

from appium.options.android.uiautomator2.base import UiAutomator2Options
from appium.options.common.base import AppiumOptions
from appium.options.ios.xcuitest.base import XCUITestOptions

from loanqa_devicetests.camera.cloud_inject import CloudImageInjection
from loanqa_devicetests.camera.injector import CameraInjector
from loanqa_devicetests.matrix import Cloud, CloudAuth, Device


class CloudProvider:
    kind = "cloud"

    def __init__(self, auth: CloudAuth) -> None:
        self.auth = auth

    def options(self, device: Device, scenario: str | None) -> AppiumOptions:
        cloud = _cloud(device)
        opts: AppiumOptions = UiAutomator2Options() if device.platform == "android" else XCUITestOptions()
        opts.browser_name = cloud.browser or ("Chrome" if device.platform == "android" else "Safari")
        opts.set_capability("appium:deviceName", cloud.device_name)
        if cloud.platform_version:
            opts.set_capability("appium:platformVersion", cloud.platform_version)
        vendor_key, vendor_caps = self._vendor(cloud, device)
        if vendor_key:
            opts.set_capability(vendor_key, vendor_caps)
        injector = self.camera(device)
        if scenario is not None and injector is not None:
            injector.apply(opts, scenario)
        return opts

    def camera(self, device: Device) -> CameraInjector | None:
        vendor = _cloud(device).vendor
        return CloudImageInjection(vendor) if vendor != "grid" else None

    def _vendor(self, cloud: Cloud, device: Device) -> tuple[str, dict[str, Any]]:
        if cloud.vendor == "browserstack":
            return "bstack:options", {"userName": self.auth.username, "accessKey": self.auth.access_key,
                                      "sessionName": f"loanqa {device.name}", "projectName": "loanqa"}
        if cloud.vendor == "saucelabs":
            return "sauce:options", {"username": self.auth.username, "accessKey": self.auth.access_key,
                                     "name": f"loanqa {device.name}"}
        return "", {}


def _cloud(device: Device) -> Cloud:
    if device.cloud is None:
        raise ValueError(f"device {device.name} has no cloud section")
    return device.cloud
