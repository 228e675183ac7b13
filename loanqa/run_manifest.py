"""`loanqa-run-<run id>.json` in a results folder: which run wrote results, against what, when, whether it finished.

A producer writes it when its run starts (`complete: false`) and again when the run ends, so a run that was
interrupted or killed leaves a record saying so, and the gate refuses to judge a device matrix that stopped
half-way as if it were the whole one. One file per run: results are kept across runs (a re-run with `-k` after
a fix), and each result is checked against its own run's manifest. `loanqa-run.json`, the one file earlier
versions overwrote, is still read.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from loanqa import atomic
from loanqa.errors import ResultsError
from loanqa.input_files import read_model

SCHEMA = "loanqa.run/1"
FILE_NAME = "loanqa-run.json"  # before one manifest per run: read, never written
_PREFIX, _SUFFIX = "loanqa-run-", ".json"
NOT_FINISHED = "the run has not finished (still running, or killed before it could say)"


class RunManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=SCHEMA, alias="schema")
    kind: str = Field(min_length=1)  # "device" | "load", as the `kind` label of its results
    run_id: str = Field(min_length=1)
    target: str | None = None
    started_at: float  # epoch seconds
    finished_at: float | None = None
    complete: bool = False
    reason: str = NOT_FINISHED  # why it is not complete; empty when it is

    def write(self, folder: Path) -> Path:
        """Atomic: a reader never sees half a manifest."""
        folder.mkdir(parents=True, exist_ok=True)
        return atomic.write_text(folder / file_name(self.run_id), self.model_dump_json(by_alias=True, indent=2))


def file_name(run_id: str) -> str:
    """The manifest of run `run_id`: the id is the producer's own, validated as a file name part."""
    return f"{_PREFIX}{run_id}{_SUFFIX}"


def is_manifest(name: str) -> bool:
    """A run manifest's file name (never a result, even for a run id ending in `-result`)."""
    return name == FILE_NAME or (name.startswith(_PREFIX) and name.endswith(_SUFFIX))


def read_manifests(folder: Path) -> list[tuple[Path, RunManifest]]:
    """Every run's manifest in `folder` (none: results from another tool). A per-run file naming another run
    inside (a copy, renamed) is refused: it would vouch for results it does not describe."""
    try:
        names = sorted(e.name for e in os.scandir(folder) if is_manifest(e.name))
    except OSError as exc:
        raise ResultsError(f"{folder}: cannot list run manifests: {exc}") from None
    found = []
    for name in names:
        path = folder / name
        manifest = read_model(path, RunManifest, "run manifest", within=folder)
        if name != FILE_NAME and name != file_name(manifest.run_id):
            raise ResultsError(f"{path}: run_id: {manifest.run_id!r}: the manifest of another run "
                               f"(expected {name.removeprefix(_PREFIX).removesuffix(_SUFFIX)!r})")
        found.append((path, manifest))
    return found
