"""What a running load test looks like right now: written by the Locust side, read by the live view.

Plain data (no Locust import), so the controlling CLI can read it. The Locust process that writes the run
(a single process, or the master) rewrites `live.json` atomically every interval.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from loanqa.load_summary import LoadSummary
from loanqa.slo import SloResult

FILE_NAME = "live.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SloNow(_Model):
    name: str
    actual: float | None
    objective: str
    verdict: str
    samples: int
    min_samples: int = 1
    abort: bool = False

    @property
    def samples_text(self) -> str:
        """n, and the floor beside it while the objective is short of it."""
        return f"{self.samples}/{self.min_samples}" if self.verdict == "insufficient" else str(self.samples)


class LiveSnapshot(_Model):
    started_at: float
    elapsed_s: float
    duration_s: float
    users: int
    target_users: int
    stage: str
    rps: float
    requests: int
    journeys_started: int
    journeys_finished: int
    paid: int
    rejected: int
    lost: int
    in_flight: int
    lost_by_cause: dict[str, int] = Field(default_factory=dict)
    lost_by_profile: dict[str, int] = Field(default_factory=dict)
    slos: list[SloNow] = Field(default_factory=list)
    stopping: str = ""  # set once an `abort: true` SLO has stopped the run

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.duration_s - self.elapsed_s)


def lost_by(summary: LoadSummary) -> tuple[dict[str, int], dict[str, int]]:
    """Journeys lost (failed, by the cause that ended them) overall by cause, and per network profile."""
    by_cause = {c.value: n for c, n in summary.outcomes.failed.items()}
    by_profile = {p: sum(s.outcomes.failed.values()) for p, s in summary.profiles.items() if s.outcomes.failed}
    return by_cause, by_profile


def slo_now(results: list[SloResult], aborting: frozenset[str]) -> list[SloNow]:
    return [SloNow(name=r.name, actual=r.actual, objective=f"{'≤' if r.bound == 'max' else '≥'} {r.threshold:g}",
                   verdict=r.verdict, samples=r.samples, min_samples=r.min_samples, abort=r.name in aborting)
            for r in results]


def write(snapshot: LiveSnapshot, folder: Path) -> None:
    path = folder / FILE_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(snapshot.model_dump_json(), encoding="utf-8")
    tmp.replace(path)


def read(folder: Path) -> LiveSnapshot | None:
    """None until the first snapshot exists (or while a half-copied one cannot be read)."""
    try:
        return LiveSnapshot.model_validate_json((folder / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None
