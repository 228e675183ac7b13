"""How the real app retries: bounded, exponential backoff with jitter, never sooner than Retry-After.

Only technical causes are retried; a business answer or a process failure is final for that request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from loanqa.taxonomy import Cause

RETRIABLE = frozenset({Cause.NETWORK, Cause.OVERLOAD})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_s: float = 0.5
    cap_s: float = 8.0

    def should_retry(self, cause: Cause | None, attempts_made: int) -> bool:
        return cause in RETRIABLE and attempts_made < self.max_attempts

    def delay_s(self, attempts_made: int, retry_after_s: float | None, rng: random.Random) -> float:
        backoff = min(self.cap_s, self.base_s * 2 ** (attempts_made - 1)) * rng.uniform(0.5, 1.0)
        return float(min(self.cap_s, max(backoff, retry_after_s or 0.0)))
