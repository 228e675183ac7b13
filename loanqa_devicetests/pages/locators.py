"""Where each test id lives per platform: CSS `data-testid` in web and WebView, accessibility ids natively.

A team with a native build adds entries to NATIVE_OVERRIDES (when its ids differ) and runs the same tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

UiKind = Literal["web", "native"]


@dataclass(frozen=True)
class Locator:
    by: str
    value: str


# Native builds use the contract's test ids as accessibility ids unless listed here.
NATIVE_OVERRIDES: dict[str, str] = {}


def locate(test_id: str, ui: UiKind) -> Locator:
    if ui == "native":
        return Locator("accessibility id", NATIVE_OVERRIDES.get(test_id, test_id))
    return Locator("css selector", f'[data-testid="{test_id}"]')


def page_id(name: str) -> str:
    return f"page-{name}"
