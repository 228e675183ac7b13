"""The one interface the suite needs from a place devices live."""

from __future__ import annotations

from typing import Protocol

from appium.options.common.base import AppiumOptions

from loanqa_devicetests.camera.injector import CameraInjector
from loanqa_devicetests.matrix import Device


class DeviceProvider(Protocol):
    kind: str

    def options(self, device: Device, scenario: str | None) -> AppiumOptions:
        """Capabilities for one session; `scenario` is the camera feed it needs (None: no camera)."""
        ...

    def camera(self, device: Device) -> CameraInjector | None:
        """How a scenario reaches this device's camera; None when it cannot be injected."""
        ...
