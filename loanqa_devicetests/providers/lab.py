"""Real phones, emulators and simulators on the lab's Appium: UiAutomator2 (Android), XCUITest (iOS)."""

from __future__ import annotations

from appium.options.android.uiautomator2.base import UiAutomator2Options
from appium.options.common.base import AppiumOptions
from appium.options.ios.xcuitest.base import XCUITestOptions

from loanqa_devicetests.camera.emulator_inject import EmulatorImageInjection
from loanqa_devicetests.camera.injector import CameraInjector
from loanqa_devicetests.matrix import Device, Lab


class LabProvider:
    kind = "lab"

    def options(self, device: Device, scenario: str | None) -> AppiumOptions:
        lab = _lab(device)
        opts = _android(lab) if device.platform == "android" else _ios(lab)
        opts.new_command_timeout = 120
        injector = self.camera(device)
        if scenario is not None and injector is not None:
            injector.apply(opts, scenario)
        return opts

    def camera(self, device: Device) -> CameraInjector | None:
        """Only Android emulators take injected images; phones and iOS simulators have no such hook."""
        if device.platform == "android" and _lab(device).emulator:
            return EmulatorImageInjection()
        return None


def _lab(device: Device) -> Lab:
    if device.lab is None:
        raise ValueError(f"device {device.name} has no lab section")
    return device.lab


def _android(lab: Lab) -> UiAutomator2Options:
    opts = UiAutomator2Options()
    opts.udid = lab.udid
    if lab.platform_version:
        opts.platform_version = lab.platform_version
    opts.auto_grant_permissions = True
    if lab.context == "browser":
        opts.browser_name = "Chrome"
    else:
        opts.app_package = lab.app_package or ""
        if lab.app_activity:
            opts.app_activity = lab.app_activity
        opts.no_reset = True
        opts.auto_web_view = True
    return opts


def _ios(lab: Lab) -> XCUITestOptions:
    opts = XCUITestOptions()
    opts.udid = lab.udid
    if lab.platform_version:
        opts.platform_version = lab.platform_version
    if lab.context == "browser":
        opts.browser_name = "Safari"
    else:
        opts.bundle_id = lab.bundle_id or ""
        opts.auto_web_view = True
    opts.set_capability("appium:permissions", {lab.bundle_id or "com.apple.mobilesafari": {"camera": "YES"}})
    return opts
