"""Synthetic borrowers for load: valid IDs (loanqa.synthetic), phones unique per process and run.

Phones are built from a run salt, the process index and a counter, so two processes (or two hosts, which
get distinct worker indexes from the master) never log in as the same borrower, and a new run against
the same database does not meet its predecessors' borrowers. Device fingerprints are fresh per borrower
unless an experiment asks for a share of borrowers to reuse a few shared devices (anti-fraud testing).
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass

from loanqa.synthetic import CANARY_ENV, Borrower, make_id_number, registry_name, take_canary

_PER_PROCESS = 100_000
_PROCESSES = 100


def run_salt(run_id: str) -> int:
    """Two digits from the run id: which block of the phone space this run uses."""
    return hashlib.sha256(run_id.encode()).digest()[0] % 100


@dataclass
class BorrowerFactory:
    run_id: str
    process_index: int
    seed: int | None = None
    shared_device_share: float = 0.0
    shared_devices: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.process_index < _PROCESSES:
            raise ValueError(f"process index {self.process_index} outside 0..{_PROCESSES - 1}")
        base = f"{self.run_id}:{self.process_index}:{self.seed}"
        self.rng = random.Random(base)
        self.counter = 0
        self.salt = run_salt(self.run_id)
        self._phone_prefix = f"1{'3456789'[self.salt % 7]}{self.salt:02d}{self.process_index:02d}"
        self.canary = CANARY_ENV in os.environ  # planted before the process starts; os.environ is slow to ask

    def phone(self, n: int) -> str:
        return f"{self._phone_prefix}{n:05d}"

    def next(self) -> Borrower:
        if self.counter >= _PER_PROCESS:
            raise RuntimeError(f"more than {_PER_PROCESS} borrowers in one process; use more processes")
        phone = self.phone(self.counter)
        self.counter += 1
        canary = take_canary() if self.canary else None  # a leak test's planted identity, once per process
        if canary is not None:
            return canary
        id_number = make_id_number(self.rng)
        return Borrower(phone, registry_name(id_number), id_number, self._device())  # positional: a quarter cheaper

    def _device(self) -> str:
        if self.shared_device_share and self.rng.random() < self.shared_device_share:
            return f"dev-shared-{self.rng.randrange(self.shared_devices)}"
        return f"dev-{self.rng.getrandbits(64):016x}"
