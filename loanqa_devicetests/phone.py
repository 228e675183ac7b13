"""One test's device session: the driver, the borrower on it, and the evidence it leaves."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from loanqa.synthetic import Borrower, make_borrower, unit_hash
from loanqa_devicetests.evidence import Evidence
from loanqa_devicetests.matrix import Device
from loanqa_devicetests.pages.base import Screen
from loanqa_devicetests.pages.locators import UiKind

S = TypeVar("S", bound=Screen)


def creditworthy_borrower(rng: random.Random) -> Borrower:
    """A fresh synthetic borrower the default rules approve, so a rejection is never the test's luck."""
    while True:
        b = make_borrower(rng)
        if unit_hash(b.id_number.upper(), "bureau") > 0.75 and unit_hash(b.id_number.upper(), "multi") < 0.2:
            return b


@dataclass
class Phone:
    driver: Any
    device: Device
    browser_target: str
    borrower: Borrower
    evidence: Evidence
    ui: UiKind = "web"

    def screen(self, page: type[S]) -> S:
        return page(self.driver, self.ui)

    def open_app(self) -> None:
        self.driver.get(f"{self.browser_target}/app/")

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[None]:
        with self.evidence.step(title):
            yield
