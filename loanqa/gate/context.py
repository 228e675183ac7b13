"""Everything a rule may look at, computed once: results, load summaries, and known-issue waivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
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

    def active_issues(self) -> list[KnownIssue]:
        return [k for k in self.policy.known_issues if k.expires >= self.today]

    def waiver_for(self, test: TestResult) -> KnownIssue | None:
        if test.status not in NOT_PASSED:
            return None
        return next((k for k in self.active_issues() if _matches(k.match, test)), None)

    def failing(self, tests: Iterable[TestResult], statuses: frozenset[str]) -> list[TestResult]:
        """Tests with one of `statuses` that no unexpired known issue waives."""
        return [t for t in tests if t.status in statuses and self.waiver_for(t) is None]

    def group(self, label: str) -> dict[str, list[TestResult]]:
        return group_by(self.results.tests, lambda t: t.labels.get(label))


def _matches(pattern: str, test: TestResult) -> bool:
    return any(fnmatchcase(v, pattern) for v in (test.name, test.full_name, test.history_id))


def group_by(tests: Iterable[TestResult], key: Callable[[TestResult], str | None]) -> dict[str, list[TestResult]]:
    out: dict[str, list[TestResult]] = {}
    for t in tests:
        k = key(t)
        if k is not None:
            out.setdefault(k, []).append(t)
    return out
