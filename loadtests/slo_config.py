"""Service-level objectives in YAML, judged against a run's summary into `SloResult`s.

Thresholds fail closed: an objective with no data (no requests on the step, no approved loan) fails,
because "nothing measured" must never let a release through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from loanqa.config.loader import Strict, load_model
from loanqa.errors import ConfigError
from loanqa.load_summary import Funnel, LoadSummary, SloResult, StepStats

SLOS_DIR = Path(__file__).parent / "slos"

Metric = Literal["p95_ms", "p99_ms", "technical_failure_rate", "disbursement_success"]
_STEP_METRICS = ("p95_ms", "p99_ms")


class SloSpec(Strict):
    name: str | None = None
    metric: Metric
    step: str | None = None
    profile: str | None = None
    per_profile: bool = False
    max: float | None = Field(default=None, ge=0)
    min: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> SloSpec:
        if (self.max is None) == (self.min is None):
            raise ValueError(f"{self.metric}: give exactly one of max or min")
        if self.metric in _STEP_METRICS and not self.step:
            raise ValueError(f"{self.metric}: needs the journey step it measures (step: apply)")
        if self.per_profile and self.profile:
            raise ValueError("per_profile and profile exclude each other")
        return self

    @property
    def threshold(self) -> float:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]

    def label(self, profile: str | None) -> str:
        base = self.name or " ".join(x for x in (self.step, self.metric) if x)
        return f"{base} [{profile}]" if profile else base


class SloFile(Strict):
    slos: list[SloSpec] = Field(min_length=1)


def load_slos(name_or_path: str) -> SloFile:
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = SLOS_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError("--slo", "", name_or_path, "unknown SLO set; give a name in loadtests/slos/ or a path")
    return load_model(path, SloFile)


def _measure(metric: Metric, steps: dict[str, StepStats], funnel: Funnel, step: str | None) -> float | None:
    if metric in _STEP_METRICS:
        stats = steps.get(step or "")
        lat = stats.latency if stats else None
        return None if lat is None else (lat.p95 if metric == "p95_ms" else lat.p99)
    if metric == "technical_failure_rate":
        total = sum(s.requests for s in steps.values())
        return sum(s.technical_failures for s in steps.values()) / total if total else None
    return funnel.disbursement_rate


def _judge(spec: SloSpec, summary: LoadSummary, profile: str | None) -> SloResult:
    if profile is None:
        actual = _measure(spec.metric, summary.steps, summary.funnel, spec.step)
    else:
        ps = summary.profiles.get(profile)
        actual = None if ps is None else _measure(spec.metric, ps.steps, ps.funnel, spec.step)
    sign = "≤" if spec.max is not None else "≥"
    passed = actual is not None and (actual <= spec.threshold if spec.max is not None else actual >= spec.threshold)
    shown = "no data" if actual is None else f"{actual:.4g}"
    return SloResult(name=spec.label(profile), metric=spec.metric, threshold=spec.threshold, actual=actual,
                     passed=passed, step=spec.step, profile=profile,
                     detail=f"{spec.metric} {shown}, objective {sign} {spec.threshold:g}")


def evaluate(slos: SloFile, summary: LoadSummary) -> list[SloResult]:
    """`per_profile` judges every profile that measured the metric (a profile with no approved loan in a short
    run has no disbursement rate); a named profile or the run as a whole still fails closed on no data."""
    out: list[SloResult] = []
    for spec in slos.slos:
        if spec.per_profile:
            judged = (_judge(spec, summary, p) for p in sorted(summary.profiles))
            out.extend(r for r in judged if r.actual is not None)
        else:
            out.append(_judge(spec, summary, spec.profile))
    return out
