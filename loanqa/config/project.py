"""Project-level settings (`loanqa.yaml`, optional): where the managed components listen."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from loanqa.config.loader import Strict, load_model


class StackConfig(Strict):
    """Ports of the components `loanqa up` manages. Everything binds to loopback."""

    host: str = Field(default="127.0.0.1", pattern=r"^(127\.\d+\.\d+\.\d+|localhost)$")
    refapp_port: int = Field(default=8700, ge=1, le=65535)
    toxiproxy_port: int = Field(default=8474, ge=1, le=65535)
    appium_port: int = Field(default=4723, ge=1, le=65535)
    ready_timeout_s: float = Field(default=60.0, gt=0)


class ProjectConfig(Strict):
    stack: StackConfig = StackConfig()


def load_project_config(path: Path | None) -> ProjectConfig:
    """`path` given: it must exist. Not given: `loanqa.yaml` in the working directory if present."""
    if path is None:
        default = Path("loanqa.yaml")
        if not default.exists():
            return ProjectConfig()
        path = default
    return load_model(path, ProjectConfig)
