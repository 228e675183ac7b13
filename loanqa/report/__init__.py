"""Allure 3 reports of a run: taxonomy categories, environment, history carry-over, atomic output."""

from __future__ import annotations

from loanqa.report.build import ReportOutput, build, prepare_results

__all__ = ["ReportOutput", "build", "prepare_results"]
