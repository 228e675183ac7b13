"""The release policy (`ci/gates/*.yaml`), typed and validated once; every threshold is optional.

Fail-closed defaults: at least one test must exist and pass, a threshold named for a tier, platform,
suite or load step that has no results fails its rule rather than passing vacuously, a test that did not
run (`skipped`, `unknown`) is never counted as passed, and a waiver has a bounded lifetime.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from loanqa.config.loader import Strict, load_model
from loanqa.slo import STEP_METRICS, Metric, Objective, SloSet, TooFewSamples

Rate = float


class MinTests(Strict):
    total: int = Field(default=1, ge=1)
    per_suite: dict[str, int] = Field(default_factory=dict)
    per_kind: dict[str, int] = Field(default_factory=dict)
    per_platform: dict[str, int] = Field(default_factory=dict)
    per_device: dict[str, int] = Field(default_factory=dict)


class MinPassed(Strict):
    """How many *passed* results the run needs; skipped, unknown, failed and broken never count."""

    total: int = Field(default=1, ge=1)
    per_suite: dict[str, int] = Field(default_factory=dict)
    per_kind: dict[str, int] = Field(default_factory=dict)
    per_platform: dict[str, int] = Field(default_factory=dict)
    per_device: dict[str, int] = Field(default_factory=dict)
    per_feature: dict[str, int] = Field(default_factory=dict)


class PassRates(Strict):
    """passed / (passed + failed + broken + unknown); skipped tests are not counted (as in Allure), but a
    test whose outcome is unknown did not pass."""

    overall: Rate | None = Field(default=None, ge=0, le=1)
    by_tier: dict[str, Rate] = Field(default_factory=dict)
    by_platform: dict[str, Rate] = Field(default_factory=dict)


class Critical(Strict):
    """Each feature needs `min_passed` passed tests and none that did not pass.

    `allow_skipped` lets skipped tests through (never `unknown`: a test whose outcome is unknown may have
    failed); `waivable` names the features a known issue may waive, none by default.
    """

    features: list[str] = Field(default_factory=list)
    allow_skipped: bool = False
    min_passed: int = Field(default=1, ge=1)
    waivable: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _waivable_are_features(self) -> Critical:
        unknown = [f for f in self.waivable if f not in self.features]
        if unknown:
            raise ValueError(f"waivable names {', '.join(unknown)}, not in critical.features")
        return self


class Broken(Strict):
    """Broken = infrastructure (device offline, Appium down): a ceiling, not zero, but never unbounded."""

    max_count: int | None = Field(default=None, ge=0)
    max_rate: Rate | None = Field(default=None, ge=0, le=1)


class Load(Strict):
    """`slos` use the load run's SLO schema (`loanqa.slo`) and are judged by the same judge on `summary.json`;
    `min_samples` is their default sample floor.

    `too_few_samples` decides what an objective below its floor (`insufficient`) means, for the policy's own
    `slos` and for the run's verdicts under `slo_results_must_pass`: `fail` (the default: no evidence, no
    pass) or `warn` (the verdict lists it as a warning and passes if nothing else fails).
    """

    required: bool = True
    slo_results_must_pass: bool = True
    too_few_samples: TooFewSamples = "fail"
    max_false_rejections: int | None = Field(default=None, ge=0)
    min_samples: int = Field(default=1, ge=1)
    slos: list[Objective] = Field(default_factory=list)

    def slo_set(self) -> SloSet | None:
        return (SloSet(min_samples=self.min_samples, too_few_samples=self.too_few_samples, slos=self.slos)
                if self.slos else None)


class MaxChange(Strict):
    """How much one load metric may worsen against the baseline run (Allure 3's metricMaxDelta).

    Worse is higher for latency and technical failures, lower for disbursement success. `max_worse_pct` is
    relative to the baseline value; `max_worse_pp` (rates only) is in percentage points.
    """

    metric: Metric
    step: str | None = None
    profile: str | None = None
    max_worse_pct: float | None = Field(default=None, ge=0)
    max_worse_pp: float | None = Field(default=None, ge=0)
    min_samples: int | None = Field(default=None, ge=1)  # this limit's own floor; else the baseline block's

    @model_validator(mode="after")
    def _one_limit(self) -> MaxChange:
        if (self.max_worse_pct is None) == (self.max_worse_pp is None):
            raise ValueError(f"{self.metric}: give exactly one of max_worse_pct or max_worse_pp")
        if self.max_worse_pp is not None and self.metric in STEP_METRICS:
            raise ValueError(f"{self.metric}: percentage points are for rates; use max_worse_pct")
        if self.metric in STEP_METRICS and not self.step:
            raise ValueError(f"{self.metric}: needs the journey step it measures (step: apply)")
        return self


class Baseline(Strict):
    """Regression limits against `loanqa gate --baseline PREVIOUS_SUMMARY_OR_RUN`."""

    required: bool = False  # true: a gate run without --baseline fails `baseline.given`
    # A p95 from a handful of requests moves by chance: below this many samples on either side a limit is
    # `insufficient` and `too_few_samples` decides, as for the load SLOs (fail closed unless the policy says warn).
    min_samples: int = Field(default=30, ge=1)
    too_few_samples: TooFewSamples = "fail"
    max_change: list[MaxChange] = Field(min_length=1)


class KnownIssue(Strict):
    """A waiver: failures of one named test (its name, full name or historyId, exactly) until `expires`.

    No wildcards: a `*` waived every failure of a release; a waiver names what it knowingly lets through.
    """

    match: str = Field(min_length=1)
    ticket: str = Field(min_length=1, pattern=r"\S")
    expires: dt.date
    reason: str = ""

    @field_validator("match")
    @classmethod
    def _names_one_test(cls, value: str) -> str:
        if any(c in value for c in "*?") or not value.strip():
            raise ValueError("a known issue names one test exactly (name, full name or historyId); "
                             "wildcards are not allowed")
        return value


class RunChecks(Strict):
    """Results and summaries judged together come from one run; its parts may not be further apart than this."""

    max_span_hours: float = Field(default=24, gt=0)


class Waivers(Strict):
    max_days: int = Field(default=90, ge=1)  # a waiver may expire at most this many days after the gate runs


class Policy(Strict):
    name: str = "release"
    min_tests: MinTests = MinTests()
    min_passed: MinPassed = MinPassed()
    max_failures: int | None = Field(default=None, ge=0)
    max_duration_ms: int | None = Field(default=None, gt=0)
    max_flaky: int | None = Field(default=None, ge=0)
    pass_rate: PassRates = PassRates()
    critical: Critical = Critical()
    broken: Broken = Broken()
    load: Load | None = None
    known_issues: list[KnownIssue] = Field(default_factory=list)
    waivers: Waivers = Waivers()
    run: RunChecks = RunChecks()
    baseline: Baseline | None = None


def load_policy(path: str | Path) -> Policy:
    return load_model(path, Policy)
