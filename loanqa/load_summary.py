"""`summary.json` of a load run: the typed hand-over from loadtests to the gate and the report.

Written by loadtests, read by `loanqa gate`; both sides use these models so a field cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from loanqa import atomic
from loanqa.input_files import read_model
from loanqa.slo import SloResult
from loanqa.taxonomy import Cause

SCHEMA = "loanqa.load-summary/1"
RunStatus = Literal["complete", "interrupted", "aborted", "stopped"]  # stopped: ended early, not by the user
FILE_NAME = "summary.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Latency(_Model):
    """Milliseconds, over every response of the step (successes and rejections alike)."""

    count: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None


class StepStats(_Model):
    requests: int = 0
    successes: int = 0
    business: dict[Cause, int] = Field(default_factory=dict)
    failures: dict[Cause, int] = Field(default_factory=dict)
    false_rejections: int = 0
    latency: Latency = Latency()

    @property
    def technical_failures(self) -> int:
        return sum(n for c, n in self.failures.items() if c.cause_class.value == "technical")


class Funnel(_Model):
    """Borrowers reaching each stage; disbursement success is judged among the approved.

    `disbursed_after_taps` of the disbursed got there only because the borrower tapped retry after
    the app's own retries gave up; `taps` counts those taps: the patience the network demanded.
    """

    started: int = 0
    approved: int = 0
    signed: int = 0
    disbursed: int = 0
    disbursed_after_taps: int = 0
    taps: int = 0
    unfinished: int = 0  # started but still on a step when the run ended (counted in every stage reached)

    @property
    def disbursement_rate(self) -> float | None:
        return self.disbursed / self.approved if self.approved else None


class Outcomes(_Model):
    """How each borrower's journey ended: exactly one outcome per borrower who started.

    `failed` and `business_rejected` count journeys (not presses) by the cause that ended them, so an SLO
    can name every cause of its lost loans with its share; `unfinished` counts by the step they were on.
    """

    paid_out: int = 0
    business_rejected: dict[Cause, int] = Field(default_factory=dict)
    failed: dict[Cause, int] = Field(default_factory=dict)
    unfinished: dict[str, int] = Field(default_factory=dict)
    # the part of `failed` that ended on a step after approval (loanqa.journey_steps.AFTER_APPROVAL)
    failed_after_approval: dict[Cause, int] = Field(default_factory=dict)

    @property
    def journeys(self) -> int:
        return (self.paid_out + sum(self.business_rejected.values()) + sum(self.failed.values())
                + sum(self.unfinished.values()))

    @property
    def lost(self) -> dict[str, int]:
        """Every journey that did not pay out for a reason other than a business answer, by cause or step."""
        out = {c.value: n for c, n in self.failed.items()}
        out.update({f"unfinished:{s}": n for s, n in self.unfinished.items()})
        return out


class ProfileStats(_Model):
    borrowers: int = 0
    steps: dict[str, StepStats] = Field(default_factory=dict)
    causes: dict[Cause, int] = Field(default_factory=dict)
    funnel: Funnel = Funnel()
    outcomes: Outcomes = Outcomes()


class LoadSummary(_Model):
    schema_: str = Field(default=SCHEMA, alias="schema")
    run_id: str
    target: str
    shape: str
    network_mix: str | None = None
    started_at: float
    finished_at: float
    processes: int = 1
    requests: int = 0
    steps: dict[str, StepStats] = Field(default_factory=dict)
    profiles: dict[str, ProfileStats] = Field(default_factory=dict)
    causes: dict[Cause, int] = Field(default_factory=dict)
    false_rejections: int = 0
    funnel: Funnel = Funnel()
    outcomes: Outcomes = Outcomes()
    slos: list[SloResult] = Field(default_factory=list)
    status: RunStatus = "complete"
    stopped_by: str = ""  # why the run ended early (signal, the SLO that aborted it, no worker left)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def write(self, folder: Path) -> Path:
        """Atomic: a reader (the gate) never sees half a file."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE_NAME
        return atomic.write_text(path, self.model_dump_json(by_alias=True, indent=2))


def read_summary(path: Path, *, within: Path | None = None) -> LoadSummary:
    """A FIFO, an oversized file or (with `within`) a link out of that folder is refused, naming the file."""
    return read_model(path, LoadSummary, "load summary", within=within)
