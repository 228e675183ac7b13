"""Tells a run whose every result is broken (the device lab is down) from one that found something.

The suite tags each failing report with its device, cause and reason; the controller sees every report,
also those of xdist workers, and when nothing but lab trouble came back it says so, one line per device,
and ends the session with its own exit code instead of pytest's "tests failed".
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from loanqa.taxonomy import Cause

LAB_DOWN_EXIT = 6  # pytest's own exit codes are 0-5
CAUSE_ATTR, DEVICE_ATTR, REASON_ATTR = "loanqa_cause", "loanqa_device", "loanqa_reason"


def tag(report: pytest.TestReport, cause: Cause, device: str, reason: str) -> None:
    """Extra report attributes travel from xdist workers to the controller with the report."""
    report.__dict__.update({CAUSE_ATTR: cause.value, DEVICE_ATTR: device, REASON_ATTR: reason})


@dataclass
class _Test:
    failed: bool = False
    lab_only: bool = True
    device: str | None = None
    reason: str | None = None


class LabStatus:
    def __init__(self) -> None:
        self._tests: dict[str, _Test] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup":
            self._tests[report.nodeid] = _Test()  # a rerun starts over
        test = self._tests.setdefault(report.nodeid, _Test())
        if not report.failed:
            return
        test.failed = True
        if getattr(report, CAUSE_ATTR, None) != Cause.INFRASTRUCTURE.value:
            test.lab_only = False
            return
        test.device, test.reason = getattr(report, DEVICE_ATTR), getattr(report, REASON_ATTR)

    def lab_down(self) -> dict[str, str]:
        """Device -> the first reason it was broken, when every test was broken by lab trouble; else empty."""
        if not self._tests or not all(t.failed and t.lab_only for t in self._tests.values()):
            return {}
        reasons: dict[str, str] = {}
        for t in self._tests.values():
            reasons.setdefault(t.device or "?", t.reason or "broken")
        return reasons

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if getattr(session.config, "workerinput", None) is None and self.lab_down():
            session.exitstatus = LAB_DOWN_EXIT

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        reasons = self.lab_down()
        if not reasons:
            return
        terminalreporter.section("device lab down", sep="=", red=True, bold=True)
        terminalreporter.write_line(f"every result is broken (infrastructure), none failed: {len(self._tests)} "
                                    f"tests on {len(reasons)} device(s); exit code {LAB_DOWN_EXIT}")
        for device, reason in sorted(reasons.items()):
            terminalreporter.write_line(f"  {device}: {reason}")
