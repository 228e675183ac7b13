"""Find the previous run's load summary for `loanqa gate --baseline`: a summary.json, or a run folder holding one."""

from __future__ import annotations

import os
from pathlib import Path

from loanqa.errors import ResultsError
from loanqa.load_summary import FILE_NAME, LoadSummary, read_summary

# `loanqa load --out DIR` writes DIR/summary.json; `loanqa run --out DIR` writes DIR/load/summary.json.
_IN_RUN = (Path(FILE_NAME), Path("load") / FILE_NAME)


def read_baseline(path: Path) -> tuple[Path, LoadSummary]:
    if not os.path.lexists(path):
        raise ResultsError(f"{path}: --baseline: no such summary.json or run folder")
    if not path.is_dir():
        return path, read_summary(path)
    for rel in _IN_RUN:
        if os.path.lexists(path / rel):
            return path / rel, read_summary(path / rel, within=path)
    raise ResultsError(f"{path}: --baseline: no {' or '.join(str(r) for r in _IN_RUN)} in this folder "
                       "(give the previous run's folder or its summary.json)")
