"""What the gate decided, as plain data: the renderers and `loanqa run` read only this."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome; `offenders` names every result (test, file, device, SLO) that broke it.

    `warning`: the rule passed, but the policy let a finding through as a warning (e.g. an SLO with too few
    samples under `too_few_samples: warn`); its offenders name what to look at.
    """

    rule: str
    title: str
    passed: bool
    detail: str
    offenders: tuple[str, ...] = ()
    warning: bool = False


@dataclass(frozen=True)
class Stats:
    files: int = 0
    tests: int = 0
    passed: int = 0
    failed: int = 0
    broken: int = 0
    skipped: int = 0
    unknown: int = 0
    retried: int = 0
    flaky: int = 0
    waived: int = 0
    summaries: int = 0


@dataclass(frozen=True)
class Verdict:
    policy: str
    rules: tuple[RuleResult, ...]
    stats: Stats
    sources: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules)

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if not r.passed)

    @property
    def warnings(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.passed and r.warning)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "passed": self.passed, "exit_code": self.exit_code,
                "warnings": [r.rule for r in self.warnings],
                "stats": asdict(self.stats), "sources": list(self.sources),
                "rules": [asdict(r) | {"offenders": list(r.offenders)} for r in self.rules]}
