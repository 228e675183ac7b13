"""The load run's SLO sets: a name in `loadtests/slos/` or a YAML path, in the core schema (`loanqa.slo`)."""

from __future__ import annotations

from pathlib import Path

from loanqa.errors import ConfigError
from loanqa.slo import SloSet, read_slo_set

SLOS_DIR = Path(__file__).parent / "slos"


def load_slos(name_or_path: str) -> SloSet:
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = SLOS_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            names = ", ".join(sorted(p.stem for p in SLOS_DIR.glob("*.yaml")))
            raise ConfigError("--slo", "", name_or_path, f"unknown SLO set; choose from {names} or give a YAML path")
    return read_slo_set(path)
