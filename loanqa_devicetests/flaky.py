"""Marks a result that passed after failing earlier in the same run (pytest-rerunfailures) as flaky.

allure-pytest writes one result per attempt with the same historyId; the gate folds them by that id, and
Allure shows the last one with `statusDetails.flaky`, which this sets before the result is written.
"""

from __future__ import annotations

from typing import Any

import allure_commons


class FlakyMarker:
    """An allure_commons plugin; reruns happen in the same process right after the failed attempt."""

    def __init__(self) -> None:
        self._failed: set[str] = set()

    def register(self) -> FlakyMarker:
        allure_commons.plugin_manager.register(self)
        return self

    def unregister(self) -> None:
        allure_commons.plugin_manager.unregister(self)

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        if result.status in ("failed", "broken"):
            self._failed.add(result.historyId)
        elif result.status == "passed" and result.historyId in self._failed:
            from allure_commons.model2 import StatusDetails

            details = result.statusDetails or StatusDetails()
            details.flaky = True
            details.message = details.message or "passed on a rerun after failing"
            result.statusDetails = details
