"""A device run's typed options: validated once, then handed to the pytest process and its workers as JSON.

`loanqa devices` (or the plugin, under plain `pytest --matrix`) builds them from flags and the matrix file;
every other process reads the JSON back, so the matrix YAML is parsed once per run and a bad flag fails
before anything (Appium, refapp, Toxiproxy) starts.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from loanqa.config.loader import Strict, validate
from loanqa.errors import ConfigError
from loanqa_devicetests.matrix import Device, Matrix, load_matrix

ENDPOINT = r"^(local|https?://\S+)$"
RUN_ID = r"^[A-Za-z0-9_.-]{1,64}$"
FLAGS_SOURCE = "command line"


def _new_run_id() -> str:
    return f"devices-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


class RunOptions(Strict):
    """Everything a device run needs besides pytest's own flags; `matrix` is the validated matrix itself."""

    matrix_path: str
    matrix: Matrix
    devices: list[str] = Field(default_factory=list)
    net_profile: str | None = None
    appium_url: str | None = Field(default=None, pattern=ENDPOINT)
    target: str | None = Field(default=None, pattern=ENDPOINT)
    toxiproxy_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    state_dir: Path | None = None
    event_log_dir: Path | None = None  # where the e-sign journeys' event log goes (loanqa.eventlog)
    run_id: str = Field(default_factory=_new_run_id, pattern=RUN_ID)
    lock_timeout_s: float = Field(default=600.0, gt=0)

    def selected(self) -> list[Device]:
        return self.matrix.select(self.devices, self.matrix_path)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> RunOptions:
        return cls.model_validate_json(text)


class _Flags(Strict):
    devices: list[str]
    net_profile: str | None
    appium_url: str | None = Field(pattern=ENDPOINT)
    target: str | None = Field(pattern=ENDPOINT)
    toxiproxy_url: str | None = Field(pattern=r"^https?://\S+$")
    run_id: str | None = Field(default=None, pattern=RUN_ID)


def build_options(matrix_path: str | Path, *, devices: list[str] | None = None, net_profile: str | None = None,
                  appium_url: str | None = None, target: str | None = None, toxiproxy_url: str | None = None,
                  state_dir: Path | None = None, event_log_dir: Path | None = None,
                  run_id: str | None = None) -> RunOptions:
    """Load the matrix and check every flag; a mistake is one ConfigError naming the flag and its value."""
    flags = {"devices": list(devices or []), "net_profile": net_profile, "appium_url": appium_url,
             "target": target, "toxiproxy_url": toxiproxy_url, "run_id": run_id}
    try:
        checked = validate(flags, _Flags, FLAGS_SOURCE)
    except ConfigError as exc:
        raise ConfigError(exc.source, _flag(exc.key), exc.value, _reason(exc.key, exc.reason)) from None
    matrix = load_matrix(matrix_path)
    matrix.select(checked.devices, str(matrix_path))
    if net_profile is not None:
        _check_profile(net_profile)
    given = checked.model_dump(exclude_none=True, include={"run_id"})
    return RunOptions(matrix_path=str(matrix_path), matrix=matrix, state_dir=state_dir, event_log_dir=event_log_dir,
                      **checked.model_dump(exclude={"run_id"}), **given)


def _check_profile(name: str) -> None:
    from loanqa_netprofiles.control import load_profile

    try:
        load_profile(name)
    except ConfigError as exc:
        raise ConfigError(FLAGS_SOURCE, "--net-profile", name, exc.reason) from None


def _flag(key: str) -> str:
    field = key.split(".")[0].split("[")[0]
    return "--device" if field == "devices" else "--" + field.replace("_", "-")


def _reason(key: str, reason: str) -> str:
    if reason.startswith("String should match pattern") and key == "run_id":
        return "use 1-64 letters, digits, dots, dashes or underscores"
    if reason.startswith("String should match pattern"):
        return "not a URL (http://… or https://…)" + (" or `local`" if key in ("appium_url", "target") else "")
    return reason


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
