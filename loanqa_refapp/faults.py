"""Which borrowers a fault knob hits: a fixed set per knob, so an experiment's injected rate is exact."""

from __future__ import annotations

from loanqa.synthetic import unit_hash


def hit(id_number: str | None, knob: str, share: float | None) -> bool:
    """True for exactly the borrowers with `unit_hash(id_number, knob) < share` (never when unset)."""
    if share is None or not id_number:
        return False
    return unit_hash(id_number.upper(), knob) < share
