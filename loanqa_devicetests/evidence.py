"""Allure attachments of a device session: a screenshot per step, and on failure what explains it.

Every text passes through masking first; screenshots are taken with PII inputs blurred.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loanqa_devicetests import reporting as R
from loanqa_devicetests.masking import mask

_PII_INPUTS = ("phone-input", "otp-input", "name-input", "id-input", "otp-sandbox-code")
_BLUR_JS = """
for (const id of arguments[0]) { const e = document.querySelector(`[data-testid="${id}"]`);
  if (e) e.style.filter = arguments[1] ? 'blur(8px)' : ''; }
"""


@dataclass
class Evidence:
    driver: Any
    device: str
    appium_log: Path | None = None
    known: list[str] = field(default_factory=list, repr=False)  # names to mask; never printed itself

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[None]:
        with R.step(title):
            try:
                yield
            finally:
                self.screenshot(title)

    def screenshot(self, title: str) -> None:
        with contextlib.suppress(Exception):
            self.driver.execute_script(_BLUR_JS, list(_PII_INPUTS), True)
            png = self.driver.get_screenshot_as_png()
            self.driver.execute_script(_BLUR_JS, list(_PII_INPUTS), False)
            R.attach(png, f"{self.device}: {title}", "png")

    def on_failure(self) -> None:
        """Page source, console log and this session's Appium log; each one best effort."""
        self.screenshot("at failure")
        with contextlib.suppress(Exception):
            self._text("page source", self.driver.page_source, "html")
        with contextlib.suppress(Exception):
            entries = self.driver.get_log("browser")
            self._text("browser console", "\n".join(json.dumps(e, ensure_ascii=False) for e in entries))
        with contextlib.suppress(Exception):
            self._text("appium log", self.appium_log_lines())

    def appium_log_lines(self) -> str:
        if self.appium_log is None:
            return "(Appium runs remotely; its log stays with the lab or cloud)"
        sid = str(getattr(self.driver, "session_id", "") or "")[:8]
        try:
            lines = self.appium_log.read_text(errors="replace").splitlines()
        except OSError as exc:
            return f"(cannot read {self.appium_log}: {exc})"
        return "\n".join(ln for ln in lines if sid and sid in ln)[-200_000:]

    def _text(self, name: str, text: str, kind: str = "text") -> None:
        R.attach(mask(text, self.known), f"{self.device}: {name}", kind)
