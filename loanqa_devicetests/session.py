"""Appium sessions: created with retries and backoff, and every failure to get one is lab trouble.

A hub's error text can echo the requested capabilities (Selenium Grid does, `accessKey` included) and
the hub URL can carry `user:key@`: both are masked before they become a result's message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from appium.options.common.base import AppiumOptions

from loanqa.stack.process import http_ready
from loanqa_devicetests.masking import mask
from loanqa_devicetests.outcomes import InfrastructureError


@dataclass
class AppiumHealth:
    """Remembers that Appium stopped answering, so later tests turn broken at once, not after retries."""

    url: str
    down_since: float | None = None

    def alive(self) -> bool:
        ok = http_ready(f"{self.url.rstrip('/')}/status", timeout=3.0)
        self.down_since = None if ok else (self.down_since or time.monotonic())
        return ok


@dataclass(frozen=True)
class Backoff:
    attempts: int = 3
    first_delay_s: float = 0.5
    factor: float = 2.0

    def delays(self) -> list[float]:
        return [self.first_delay_s * self.factor**i for i in range(self.attempts - 1)]


@dataclass
class SessionStats:
    starts_s: list[float] = field(default_factory=list)


def open_session(health: AppiumHealth, options: AppiumOptions, device: str, backoff: Backoff,
                 stats: SessionStats | None = None) -> Any:
    """A WebDriver session on `device`; InfrastructureError (broken) after the last failed attempt."""
    from appium import webdriver

    attempts = 1 if health.down_since is not None else backoff.attempts
    delays = [*backoff.delays()[: attempts - 1], 0.0]
    last = ""
    for delay in delays:
        started = time.monotonic()
        try:
            driver = webdriver.Remote(health.url, options=options)
        except Exception as exc:  # selenium, urllib3 and socket errors alike mean "no session"
            last = _short(exc)
            if not health.alive():
                raise InfrastructureError(device, f"Appium at {mask(health.url)} is not answering: {last}") from None
            time.sleep(delay)  # backoff between attempts, not a readiness stand-in
            continue
        if stats is not None:
            stats.starts_s.append(time.monotonic() - started)
        return driver
    raise InfrastructureError(device, f"session not created after {len(delays)} attempts: {last}")


def _short(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return mask(text.strip().splitlines()[0])[:300]
