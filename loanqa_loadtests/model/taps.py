"""The borrower's patience: after the app's own retries give up, a person may tap the banner's retry.

The H5 app (`ui.js`: `error-banner` + `retry-button`) offers the tap only for technical failures (no
answer, 429, 5xx); the tap resends the same request with the same Idempotency-Key, so a payout is never
doubled. A tap comes after a human pause: reading the banner, waiting for the train to leave the tunnel.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from loanqa.taxonomy import Cause
from loanqa_loadtests.model.retry import RETRIABLE

DEFAULT_PATIENCE = 3
MAX_PATIENCE = 50
PAUSE_S = (5.0, 20.0)


@dataclass(frozen=True)
class TapPolicy:
    """`patience` taps at most per step (0..MAX_PATIENCE, checked in `loanqa_loadtests.model.options`); 0 is a
    borrower who gives up when the app does."""

    patience: int = DEFAULT_PATIENCE
    pause_s: tuple[float, float] = PAUSE_S

    def should_tap(self, last_attempt: Cause | None, taps_made: int) -> bool:
        """Only a failure the app shows a retry button for, and only while patience lasts."""
        return last_attempt in RETRIABLE and taps_made < self.patience

    def pause(self, rng: random.Random, think_scale: float) -> float:
        low, high = self.pause_s
        return rng.uniform(low, high) * think_scale
