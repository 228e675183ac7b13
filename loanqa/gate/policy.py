"""The release policy (`ci/gates/*.yaml`), typed and validated once; every threshold is optional.

Fail-closed defaults: at least one test must exist, and a threshold named for a tier, platform,
suite or load step that has no results fails its rule rather than passing vacuously.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field

from loanqa.config.loader import Strict, load_model
from loanqa.slo import Objective, SloSet

Rate = float


class MinTests(Strict):
    total: int = Field(default=1, ge=1)
    per_suite: dict[str, int] = Field(default_factory=dict)
    per_kind: dict[str, int] = Field(default_factory=dict)
    per_platform: dict[str, int] = Field(default_factory=dict)
    per_device: dict[str, int] = Field(default_factory=dict)


class PassRates(Strict):
    """passed / (passed + failed + broken); skipped tests are not counted (as in Allure)."""

    overall: Rate | None = Field(default=None, ge=0, le=1)
    by_tier: dict[str, Rate] = Field(default_factory=dict)
    by_platform: dict[str, Rate] = Field(default_factory=dict)


class Critical(Strict):
    features: list[str] = Field(default_factory=list)
    allow_skipped: bool = False


class Broken(Strict):
    """Broken = infrastructure (device offline, Appium down): a ceiling, not zero, but never unbounded."""

    max_count: int | None = Field(default=None, ge=0)
    max_rate: Rate | None = Field(default=None, ge=0, le=1)


class Load(Strict):
    """`slos` use the load run's SLO schema (`loanqa.slo`) and are judged by the same judge on `summary.json`;
    `min_samples` is their default sample floor (too few samples fails)."""

    required: bool = True
    slo_results_must_pass: bool = True
    max_false_rejections: int | None = Field(default=None, ge=0)
    min_samples: int = Field(default=1, ge=1)
    slos: list[Objective] = Field(default_factory=list)

    def slo_set(self) -> SloSet | None:
        return SloSet(min_samples=self.min_samples, slos=self.slos) if self.slos else None


class KnownIssue(Strict):
    """A waiver: a failure matching `match` (glob on name, full name or historyId) until `expires`."""

    match: str = Field(min_length=1)
    ticket: str = Field(min_length=1, pattern=r"\S")
    expires: dt.date
    reason: str = ""


class Policy(Strict):
    name: str = "release"
    min_tests: MinTests = MinTests()
    max_failures: int | None = Field(default=None, ge=0)
    max_duration_ms: int | None = Field(default=None, gt=0)
    max_flaky: int | None = Field(default=None, ge=0)
    pass_rate: PassRates = PassRates()
    critical: Critical = Critical()
    broken: Broken = Broken()
    load: Load | None = None
    known_issues: list[KnownIssue] = Field(default_factory=list)


def load_policy(path: str | Path) -> Policy:
    return load_model(path, Policy)
