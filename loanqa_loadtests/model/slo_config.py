"""The load run's SLO sets: a name in `loadtests/slos/` or a YAML path, in the core schema (`loanqa.slo`)."""

from __future__ import annotations

from pathlib import Path

from loanqa.config.catalog import find_entry
from loanqa.slo import SloSet, read_slo_set

SLOS_DIR = Path(__file__).parents[1] / "slos"


def load_slos(name_or_path: str) -> SloSet:
    return read_slo_set(find_entry(name_or_path, [SLOS_DIR], noun="SLO set", source="--slo"))
