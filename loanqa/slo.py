"""Service-level objectives: the one schema for `loadtests/slos/*.yaml` and the gate's `load.slos`.

One objective states a metric, its scope (a journey step, a network profile, or every profile) and one
bound. Both the load run and the release gate judge these with `loanqa.slo_judge`, so an objective
means the same thing wherever it is written. Too few samples is its own verdict (`insufficient`): never a
pass, never a miss; what it costs is each consumer's `too_few_samples` setting (`fail`, the default, or `warn`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from loanqa.config.loader import Strict, load_model
from loanqa.durations import parse_duration
from loanqa.taxonomy import Cause, CauseClass

Metric = Literal["p95_ms", "p99_ms", "technical_failure_rate", "disbursement_success"]
STEP_METRICS = ("p95_ms", "p99_ms")
Verdict = Literal["passed", "failed", "insufficient"]
TooFewSamples = Literal["fail", "warn"]
Seconds = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


class Objective(Strict):
    """`abort: true` stops a load run once the objective has been missed for `after` (k6's abortOnFail).

    `causes` narrows a technical failure rate to those technical causes (e.g. the target's own: overload,
    server_error), so a run over emulated weak links can judge the target apart from the links it emulates.
    """

    name: str | None = None
    metric: Metric
    step: str | None = None
    profile: str | None = None
    per_profile: bool = False
    max: float | None = Field(default=None, ge=0)
    min: float | None = Field(default=None, ge=0)
    min_samples: int | None = Field(default=None, ge=1)
    causes: list[Cause] | None = Field(default=None, min_length=1)
    abort: bool = False
    after: Seconds = 60.0

    @model_validator(mode="after")
    def _consistent(self) -> Objective:
        if (self.max is None) == (self.min is None):
            raise ValueError(f"{self.metric}: give exactly one of max or min")
        if self.metric in STEP_METRICS and not self.step:
            raise ValueError(f"{self.metric}: needs the journey step it measures (step: apply)")
        if self.per_profile and self.profile:
            raise ValueError("per_profile and profile exclude each other")
        if self.causes and self.metric != "technical_failure_rate":
            raise ValueError(f"{self.metric}: causes narrow a technical_failure_rate only")
        not_technical = [c.value for c in self.causes or () if c.cause_class is not CauseClass.TECHNICAL]
        if not_technical:
            raise ValueError(f"causes: {', '.join(not_technical)} is not a technical cause "
                             "(network, overload, compatibility, server_error)")
        return self

    def counts(self, cause: Cause) -> bool:
        """Whether a failure with this cause counts against a technical failure rate."""
        return cause in self.causes if self.causes else cause.cause_class is CauseClass.TECHNICAL

    @property
    def threshold(self) -> float:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]

    def met_by(self, value: float) -> bool:
        return value <= self.threshold if self.max is not None else value >= self.threshold

    def objective_text(self) -> str:
        return f"{'≤' if self.max is not None else '≥'} {self.threshold:g}"

    def label(self, profile: str | None) -> str:
        base = self.name or " ".join(x for x in (self.step, self.metric) if x)
        return f"{base} [{profile}]" if profile else base


class SloSet(Strict):
    """`min_samples` is the default for objectives that do not set their own; `too_few_samples` is what an
    `insufficient` objective does to `loanqa load`'s exit code (a gate policy decides for itself)."""

    min_samples: int = Field(default=1, ge=1)
    too_few_samples: TooFewSamples = "fail"
    slos: list[Objective] = Field(min_length=1)

    def samples_needed(self, objective: Objective) -> int:
        return objective.min_samples or self.min_samples


class CauseShare(BaseModel):
    """One cause's part in a missed objective: `share` of everything that counted against it."""

    model_config = ConfigDict(extra="forbid")

    cause: str
    count: int
    share: float


def _legacy_verdict(value: Any) -> Any:
    """Summaries written before `insufficient` existed said "too few samples"; they still read (baselines)."""
    return "insufficient" if value == "too few samples" else value


class SloResult(BaseModel):
    """`passed` is true only for `verdict: passed`; `insufficient` carries the `samples` and the floor
    (`min_samples`) it fell short of."""

    model_config = ConfigDict(extra="forbid")

    name: str
    metric: str
    threshold: float
    bound: Literal["max", "min"] = "max"
    actual: float | None
    passed: bool
    verdict: Annotated[Verdict, BeforeValidator(_legacy_verdict)] = "failed"
    samples: int = 0
    min_samples: int = 1
    step: str | None = None
    profile: str | None = None
    detail: str = ""
    causes: list[CauseShare] = Field(default_factory=list)
    stopped_run_at_s: float | None = None

    @property
    def insufficient(self) -> bool:
        return not self.passed and self.verdict == "insufficient"

    @property
    def missed(self) -> bool:
        """Measured on enough samples and not met: a real miss."""
        return not self.passed and self.verdict != "insufficient"

    def shortfall(self) -> str:
        """The SLO, its profile, n and the floor (and what n showed), for the line a gate or a terminal prints."""
        where = f" on profile {self.profile}" if self.profile else ""
        shown = "no data" if self.actual is None else f"{self.actual:.4g}"
        objective = f"{'≤' if self.bound == 'max' else '≥'} {self.threshold:g}"
        return (f"{self.name}: too few samples{where}: {self.samples} of the {self.min_samples} needed "
                f"({self.metric} {shown} so far, objective {objective})")


def read_slo_set(path: str | Path) -> SloSet:
    return load_model(path, SloSet)
