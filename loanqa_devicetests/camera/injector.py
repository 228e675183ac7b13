"""How a camera-feed scenario reaches a device's camera; one strategy per kind of device."""

from __future__ import annotations

from typing import Any, Protocol

from appium.options.common.base import AppiumOptions


class CameraInjector(Protocol):
    """Puts a scenario in front of the camera: capabilities before the session, commands after it.

    Chromium reads its fake camera file at launch, so the scenario is fixed per session there;
    emulators and clouds take a new image through a command, so they could switch mid-session.
    """

    name: str

    def apply(self, options: AppiumOptions, scenario: str) -> None: ...

    def activate(self, driver: Any, scenario: str) -> None: ...
