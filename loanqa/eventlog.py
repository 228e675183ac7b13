"""The per-loan event log: one JSON line per HTTP attempt and one per journey end, for every runner.

It exists so that `loanqa explain` can answer "why was this loan not paid out?" for one loan, from what
the client actually saw (status, code, replay, request id, network phase), not from aggregate rates.
Each process streams its own part file (`events/<part>.jsonl`), flushed after every record, so an
interrupted run keeps what happened and Locust's processes never interleave writes; `merge` joins the
parts into `events.jsonl` at the end. Personal data never enters the log: a borrower is named by the
target's `borrower_id` and by `phone_ref`, a keyed digest that `loanqa explain --phone` can match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from loanqa import atomic
from loanqa.errors import ResultsError
from loanqa.taxonomy import Cause

SCHEMA = "loanqa.eventlog/1"
FILE_NAME = "events.jsonl"
PARTS_DIR = "events"
RUN_INFO = "eventlog-run.json"

Runner = Literal["load", "journey", "device"]
FinalOutcome = Literal["paid_out", "business_rejected", "failed", "unfinished"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    runner: Runner
    journey_id: str
    borrower_id: str | None = None  # as the target returned it (login answer)
    phone_ref: str | None = None
    loan_id: str | None = None  # as the target returned it (application answer)
    profile: str | None = None  # network profile
    phase: str | None = None  # where the profile's timeline was (e.g. "down" during a subway outage)
    device: str | None = None


class AttemptRecord(_Record):
    """One HTTP attempt of one step: the `tap`-th press of the button, its `attempt`-th automatic try."""

    kind: Literal["attempt"] = "attempt"
    step: str
    attempt: int = Field(ge=1)
    tap: int = Field(default=0, ge=0)
    method: str = ""
    path: str = ""
    idempotency_key: str | None = None
    request_id: str | None = None  # X-Request-Id sent, as the target echoes it
    started_at: float
    duration_ms: float
    status: int | None = None  # None: no complete answer (timeout, reset, cut-off body)
    code: str | None = None
    replayed: bool = False  # the target answered `Idempotent-Replayed: true`
    cause: Cause | None = None
    detail: str = ""


class JourneyEnd(_Record):
    """A journey's one final outcome; `step` is where it ended or, when unfinished, the step it was on."""

    kind: Literal["journey_end"] = "journey_end"
    outcome: FinalOutcome
    cause: Cause | None = None  # which business rejection, or the failure's cause
    step: str
    since: float | None = None  # unfinished: when the step it was stuck on started
    at: float
    taps: int = 0
    false_rejection: bool = False
    detail: str = ""


Record = Annotated[AttemptRecord | JourneyEnd, Field(discriminator="kind")]
_RECORD: TypeAdapter[AttemptRecord | JourneyEnd] = TypeAdapter(Record)


def phone_ref(run_id: str, phone: str) -> str:
    """A digest keyed by the run, so the log can be searched by phone without holding the number."""
    return hmac.new(run_id.encode(), phone.encode(), hashlib.sha256).hexdigest()[:16]


class EventLogWriter:
    """Appends records to one part file; each line is flushed, so a killed process loses at most one."""

    def __init__(self, folder: Path, part: str) -> None:
        parts = folder / PARTS_DIR
        parts.mkdir(parents=True, exist_ok=True)
        self.path = parts / f"{part}.jsonl"
        self._fh: IO[str] | None = self.path.open("a", encoding="utf-8")

    def write(self, record: AttemptRecord | JourneyEnd) -> None:
        if self._fh is None:
            raise ValueError(f"{self.path}: event log already closed")
        self._fh.write(record.model_dump_json(exclude_defaults=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> EventLogWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _parse(path: Path, lines: Iterable[str]) -> Iterator[AttemptRecord | JourneyEnd]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield _RECORD.validate_json(line)
        except ValidationError as exc:
            if not line.endswith("\n"):
                return  # the last line of a killed process, cut off mid-write
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or "(line)"
            raise ResultsError(f"{path}:{n}: {key}: {err['msg']}") from None


def read_file(path: Path) -> list[AttemptRecord | JourneyEnd]:
    try:
        with path.open(encoding="utf-8") as fh:
            return list(_parse(path, fh))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read event log: {exc}") from None


def part_files(folder: Path) -> list[Path]:
    return sorted((folder / PARTS_DIR).glob("*.jsonl"))


def read_events(folder: Path) -> list[AttemptRecord | JourneyEnd]:
    """Every record of a run folder: the merged log, plus any parts not merged yet (an interrupted run)."""
    merged = folder / FILE_NAME
    files = ([merged] if merged.is_file() else []) + part_files(folder)
    if not files:
        raise ResultsError(f"{folder}: no event log ({FILE_NAME} or {PARTS_DIR}/*.jsonl)")
    return sorted((r for f in files for r in read_file(f)), key=_when)


def _when(r: AttemptRecord | JourneyEnd) -> float:
    return r.started_at if isinstance(r, AttemptRecord) else r.at


def merge(folder: Path) -> Path:
    """Join every part into `events.jsonl` in time order (atomically), then remove the parts."""
    records = read_events(folder) if (folder / FILE_NAME).is_file() or part_files(folder) else []
    path = folder / FILE_NAME
    with atomic.replacing(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(r.model_dump_json() + "\n" for r in records)
    for part in part_files(folder):
        part.unlink()
    parts = folder / PARTS_DIR
    if parts.is_dir() and not any(parts.iterdir()):
        parts.rmdir()
    return path


class RunInfo(BaseModel):
    """Which run and which target a log belongs to, for runs without a summary.json (`loanqa journey`)."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    runner: Runner
    target: str


def write_run_info(folder: Path, info: RunInfo) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return atomic.write_text(folder / RUN_INFO, info.model_dump_json())


def read_run_info(folder: Path) -> RunInfo | None:
    path = folder / RUN_INFO
    if not path.is_file():
        return None
    try:
        return RunInfo.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise ResultsError(f"{path}: cannot read: {exc}") from None


def dumps(record: AttemptRecord | JourneyEnd) -> str:
    """The JSON of one record as tools read it (`loanqa explain --json`)."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
