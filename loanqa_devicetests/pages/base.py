"""What every page object shares: find by test id, wait on a real condition, act like a finger."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

from loanqa_devicetests.pages.locators import UiKind, locate, page_id

T = TypeVar("T")
DEFAULT_WAIT_S = 20.0


class Screen:
    """The borrower's screen on one device; `ui` says which locator family the build uses."""

    def __init__(self, driver: Any, ui: UiKind = "web", wait_s: float = DEFAULT_WAIT_S) -> None:
        self.driver, self.ui, self.wait_s = driver, ui, wait_s

    def find(self, test_id: str) -> Any:
        loc = locate(test_id, self.ui)
        return self.driver.find_element(loc.by, loc.value)

    def visible(self, test_id: str) -> bool:
        loc = locate(test_id, self.ui)
        return any(e.is_displayed() for e in self.driver.find_elements(loc.by, loc.value))

    def attr(self, test_id: str, name: str) -> str | None:
        value = self.find(test_id).get_attribute(name)
        return None if value is None else str(value)

    def text(self, test_id: str) -> str:
        return str(self.find(test_id).text)

    def tap(self, test_id: str) -> None:
        self.wait_until(lambda: self.find(test_id).is_enabled() and self.visible(test_id),
                        f"{test_id} visible and enabled")
        self.find(test_id).click()

    def type(self, test_id: str, text: str) -> None:
        field = self.find(test_id)
        field.clear()
        field.send_keys(text)

    def wait_page(self, name: str, timeout_s: float | None = None) -> None:
        self.wait_until(lambda: self.visible(page_id(name)), f"page {name} shown", timeout_s)

    def wait_until(self, cond: Callable[[], T], what: str, timeout_s: float | None = None) -> T:
        """Polls `cond` until truthy; TimeoutError names what never happened."""
        deadline = time.monotonic() + (timeout_s or self.wait_s)
        while True:
            try:
                value = cond()
            except (StaleElementReferenceException, LookupError):
                value = None
            except WebDriverException as exc:
                if "no such element" not in str(exc).lower():
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout_s or self.wait_s:.0f}s for: {what}")
            time.sleep(0.1)  # poll interval

    def current_page(self) -> str | None:
        if self.ui != "web":
            return None
        value = self.driver.execute_script(
            "const p=[...document.querySelectorAll('[data-testid^=\"page-\"]')].find(e=>!e.hidden);"
            "return p ? p.dataset.testid.slice(5) : null;")
        return None if value is None else str(value)
