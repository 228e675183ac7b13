"""Find load `summary.json` files in or next to the results directories, plus any named explicitly."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from loanqa.errors import ResultsError
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary


def find_summaries(results_dirs: Sequence[Path], explicit: Sequence[Path] = ()) -> list[Path]:
    """Explicit files must exist; discovered ones are DIR/summary.json and DIR/../summary.json.

    Anything by that name counts as found (a FIFO or a directory too), so reading it refuses it by name
    instead of the gate passing over it in silence.
    """
    for p in explicit:
        if not os.path.lexists(p):
            raise ResultsError(f"{p}: load summary not found")
    candidates = [*explicit, *(c for d in results_dirs for c in (d / FILE_NAME, d.parent / FILE_NAME))]
    seen: dict[Path, Path] = {}
    for c in candidates:
        if os.path.lexists(c):
            seen.setdefault(c.resolve(), c)
    return list(seen.values())


def read_all(paths: Sequence[Path], explicit: Sequence[Path] = ()) -> tuple[tuple[Path, LoadSummary], ...]:
    """Discovered summaries must not lead out of their folder by a link; a summary named explicitly may."""
    named = {p.resolve() for p in explicit}
    return tuple((p, read_summary(p, within=None if p.resolve() in named else p.parent)) for p in paths)
