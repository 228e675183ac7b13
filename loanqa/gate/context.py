"""Everything a rule may look at, computed once: results, load summaries, and known-issue waivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loanqa.gate.policy import KnownIssue, Policy
from loanqa.gate.results import NOT_PASSED, ResultSet, TestResult
from loanqa.load_summary import LoadSummary


@dataclass(frozen=True)
class GateInput:
    results: ResultSet
    policy: Policy
    summaries: tuple[tuple[Path, LoadSummary], ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    baseline: tuple[Path, LoadSummary] | None = None  # the previous run's summary, from --baseline

    def active_issues(self) -> list[KnownIssue]:
        """Unexpired waivers whose expiry is within the policy's maximum lifetime."""
        return [k for k in self.policy.known_issues if self.today <= k.expires <= self.latest_expiry]

    @property
    def latest_expiry(self) -> dt.date:
        return self.today + dt.timedelta(days=self.policy.waivers.max_days)

    def waiver_for(self, test: TestResult) -> KnownIssue | None:
        """The waiver that lets this not-passed test through, if any; never one for a critical feature the
        policy does not allow known issues to waive."""
        if test.status not in NOT_PASSED or self.unwaivable_feature(test) is not None:
            return None
        return next((k for k in self.active_issues() if matches(k.match, test)), None)

    def unwaivable_feature(self, test: TestResult) -> str | None:
        crit = self.policy.critical
        return next((f for f in crit.features if f not in crit.waivable and in_feature(test, f)), None)

    def failing(self, tests: Iterable[TestResult], statuses: frozenset[str]) -> list[TestResult]:
        """Tests with one of `statuses` that no unexpired known issue waives."""
        return [t for t in tests if t.status in statuses and self.waiver_for(t) is None]

    def group(self, label: str) -> dict[str, list[TestResult]]:
        return group_by(self.results.tests, lambda t: t.labels.get(label))


def matches(name: str, test: TestResult) -> bool:
    """A known issue names one test exactly: its name, full name or historyId."""
    return name in (test.name, test.full_name, test.history_id)


def in_feature(test: TestResult, feature: str) -> bool:
    return feature in test.features


def group_by(tests: Iterable[TestResult], key: Callable[[TestResult], str | None]) -> dict[str, list[TestResult]]:
    out: dict[str, list[TestResult]] = {}
    for t in tests:
        k = key(t)
        if k is not None:
            out.setdefault(k, []).append(t)
    return out
