"""What the top-level options decide, handed to every subcommand as typed settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from loanqa.config.project import ProjectConfig, load_project_config
from loanqa.paths import state_dir


@dataclass
class Settings:
    config_path: Path | None = None
    state_dir_override: Path | None = None

    @cached_property
    def project(self) -> ProjectConfig:
        return load_project_config(self.config_path)

    @cached_property
    def state_dir(self) -> Path:
        if self.state_dir_override is not None:
            self.state_dir_override.mkdir(parents=True, exist_ok=True)
            return self.state_dir_override
        return state_dir()
