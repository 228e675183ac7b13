"""Device matrices: which phones a run covers and how to reach them, validated once, typed afterwards.

The same tests run on every matrix; only this file's content changes (emulated, lab or cloud).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from loanqa.config.loader import Strict, load_model
from loanqa.errors import MISSING, ConfigError

ProviderKind = Literal["emulated", "lab", "cloud"]
Platform = Literal["android", "ios"]
LOCAL = "local"


class Emulation(Strict):
    """Chromium mobile emulation: the device's CSS metrics and user agent, not the device itself."""

    width: int = Field(ge=200, le=2000)
    height: int = Field(ge=300, le=3000)
    pixel_ratio: float = Field(gt=0, le=5)
    user_agent: str = Field(min_length=10)
    touch: bool = True


class Lab(Strict):
    """A real device or emulator/simulator attached to the lab's Appium server."""

    udid: str = Field(min_length=1)
    platform_version: str | None = None
    context: Literal["browser", "webview"] = "browser"
    app_package: str | None = None
    app_activity: str | None = None
    bundle_id: str | None = None
    emulator: bool = False

    @model_validator(mode="after")
    def _app_for_webview(self) -> Lab:
        if self.context == "webview" and not (self.app_package or self.bundle_id):
            raise ValueError("context webview needs app_package (Android) or bundle_id (iOS)")
        return self


class Cloud(Strict):
    """A device in a device cloud or Selenium Grid; the vendor decides the vendor-options key."""

    vendor: Literal["browserstack", "saucelabs", "grid"]
    device_name: str = Field(min_length=1)
    platform_version: str | None = None
    browser: Literal["chrome", "safari"] | None = None


class Device(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    platform: Platform
    tier: Literal["flagship", "mid", "entry"]
    label: str = Field(min_length=1, description="What this entry honestly is, shown in reports.")
    emulation: Emulation | None = None
    lab: Lab | None = None
    cloud: Cloud | None = None


class CloudAuth(Strict):
    username: str = Field(min_length=1)
    access_key: str = Field(min_length=1)


class Matrix(Strict):
    name: str = Field(min_length=1)
    provider: ProviderKind
    appium_url: str = Field(pattern=r"^(local|https?://\S+)$")
    target: str = Field(pattern=r"^(local|https?://\S+)$")
    auth: CloudAuth | None = None
    session_start_attempts: int = Field(default=3, ge=1, le=10)
    devices: list[Device] = Field(min_length=1)

    def select(self, names: list[str] | None, source: str) -> list[Device]:
        """The devices a run covers; an unknown name is an error naming the known ones."""
        if not names:
            return list(self.devices)
        known = {d.name: d for d in self.devices}
        for n in names:
            if n not in known:
                raise ConfigError(source, "--device", n, f"not in matrix; known: {', '.join(known)}")
        return [known[n] for n in names]


_SECTION: dict[str, str] = {"emulated": "emulation", "lab": "lab", "cloud": "cloud"}


def load_matrix(path: str | Path) -> Matrix:
    matrix = load_model(path, Matrix)
    check_matrix(matrix, str(path))
    return matrix


def check_matrix(m: Matrix, source: str) -> None:
    """Rules across keys; each error names the entry and the key it is about."""
    section = _SECTION[m.provider]
    seen: set[str] = set()
    for i, dev in enumerate(m.devices):
        if getattr(dev, section) is None:
            raise ConfigError(source, f"devices[{i}].{section}", MISSING,
                              f"device {dev.name}: required when provider is {m.provider}")
        if dev.name in seen:
            raise ConfigError(source, f"devices[{i}].name", dev.name, "duplicate device name")
        seen.add(dev.name)
    if m.provider == "cloud" and m.auth is None:
        raise ConfigError(source, "auth", MISSING, "provider cloud needs username/access_key (use ${ENV} placeholders)")
