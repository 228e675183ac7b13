"""Moved to `loanqa.contract_client` (a client of the contract for any target, not part of the reference server)."""

from loanqa.contract_client import Journey, JourneyClient, Step

__all__ = ["Journey", "JourneyClient", "Step"]
