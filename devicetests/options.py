"""The run's typed settings, built once from flags and the matrix, handed to workers unchanged."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunOptions:
    matrix_path: Path
    devices: list[str] = field(default_factory=list)
    net_profile: str | None = None
    appium_url: str | None = None
    target: str | None = None
    toxiproxy_url: str | None = None
    state_dir: Path | None = None
    lock_timeout_s: float = 600.0


@dataclass(frozen=True)
class Endpoints:
    """Where this run's sessions go: Appium, the target the browser loads, and the target's API."""

    appium_url: str
    browser_target: str
    api_target: str
    appium_log: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Endpoints:
        return cls(**data)
