"""Layout checks a borrower's thumb notices, measured in the page on each device.

Run in the page so one round trip checks everything; each finding names the element and the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loanqa_devicetests.js import script

MIN_TAP_PX = 44
KEYBOARD_SHARE = 0.4  # the soft keyboard covers about the bottom 40% of a phone screen

_CHECK_JS = script("layout_check.js")

_FOCUS_JS = script("focus_check.js")


@dataclass(frozen=True)
class Finding:
    page: str
    check: str
    element: str
    detail: str

    def describe(self, device: str) -> str:
        return f"{device} page {self.page}: {self.check} on {self.element} ({self.detail})"


def layout_findings(driver: Any, page: str) -> list[Finding]:
    raw = driver.execute_script(_CHECK_JS, MIN_TAP_PX, KEYBOARD_SHARE, [])
    return [Finding(page, r["check"], r["element"], r["detail"]) for r in raw or []]


def focus_finding(driver: Any, page: str, test_id: str) -> Finding | None:
    """Focus the input as a tap would; it must end up above the keyboard's area, scrolled in view."""
    wrapped = "return (async () => {" + _FOCUS_JS + "})(...arguments);"
    r = driver.execute_script(wrapped, test_id, KEYBOARD_SHARE)
    if r is None:
        return None
    if r["top"] < 0 or r["bottom"] > r["keyboardTop"]:
        return Finding(page, "input-hidden-by-keyboard", test_id,
                       f"input at {r['top']:.0f}..{r['bottom']:.0f}, keyboard from {r['keyboardTop']:.0f}")
    return None
