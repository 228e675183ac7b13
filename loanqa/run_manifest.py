"""`loanqa-run.json` in a results folder: which run wrote the results, against what, when, and whether it finished.

A producer writes it when its run starts (`complete: false`) and again when the run ends, so a run that was
interrupted or killed leaves a record saying so, and the gate refuses to judge a device matrix that stopped
half-way as if it were the whole one. Results a manifest does not cover were written by another run.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from loanqa import atomic
from loanqa.input_files import read_model

SCHEMA = "loanqa.run/1"
FILE_NAME = "loanqa-run.json"
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
        return atomic.write_text(folder / FILE_NAME, self.model_dump_json(by_alias=True, indent=2))


def read_manifest(folder: Path) -> RunManifest | None:
    """The folder's manifest, or None when no producer wrote one (results from another tool)."""
    path = folder / FILE_NAME
    if not os.path.lexists(path):
        return None
    return read_model(path, RunManifest, "run manifest", within=folder)
