"""Find load `summary.json` files in or next to the results directories, plus any named explicitly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loanqa.errors import ResultsError
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary


def find_summaries(results_dirs: Sequence[Path], explicit: Sequence[Path] = ()) -> list[Path]:
    """Explicit files must exist; discovered ones are DIR/summary.json and DIR/../summary.json."""
    for p in explicit:
        if not p.is_file():
            raise ResultsError(f"{p}: load summary not found")
    candidates = [*explicit, *(c for d in results_dirs for c in (d / FILE_NAME, d.parent / FILE_NAME))]
    seen: dict[Path, Path] = {}
    for c in candidates:
        if c.is_file():
            seen.setdefault(c.resolve(), c)
    return list(seen.values())


def read_all(paths: Sequence[Path]) -> tuple[tuple[Path, LoadSummary], ...]:
    return tuple((p, read_summary(p)) for p in paths)
