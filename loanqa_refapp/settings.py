"""refapp's typed settings: one model for the YAML file, the admin API and the code that reads them.

Defaults are the ones CONTRACT.md documents; a change at runtime (`PUT /v1/admin/settings`) goes through
the same validation as the file, so a bad value is refused with the key named, never half-applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from loanqa.config.loader import Strict, load_model, validate

Share = float | None


class Faults(Strict):
    """Fault knobs: the borrowers hit are those with `unit_hash(id_number, knob) < share`."""

    credit_reject_share: Share = Field(default=None, ge=0, le=1)
    multi_lending_share: Share = Field(default=None, ge=0, le=1)
    fraud_share: Share = Field(default=None, ge=0, le=1)
    esign_stall_share: Share = Field(default=None, ge=0, le=1)
    payout_fail_share: Share = Field(default=None, ge=0, le=1)
    server_error_share: Share = Field(default=None, ge=0, le=1)


class Settings(Strict):
    max_inflight: int = Field(default=64, ge=1, le=100_000)
    retry_after_s: int = Field(default=1, ge=1, le=3600)
    otp_per_minute: int = Field(default=5, ge=1, le=10_000)
    token_ttl_s: int = Field(default=1800, ge=1, le=86_400 * 30)
    bureau_latency_ms: int = Field(default=20, ge=0, le=60_000)
    core_banking_latency_ms: int = Field(default=50, ge=0, le=60_000)
    disburse_queue_size: int = Field(default=1000, ge=1, le=1_000_000)
    disburse_workers: int = Field(default=4, ge=1, le=256)
    credit_threshold: int = Field(default=550, ge=300, le=850)
    max_open_loans_elsewhere: int = Field(default=3, ge=0, le=100)
    fraud_max_borrowers_per_device: int = Field(default=3, ge=1, le=10_000)
    fraud_max_applications_per_hour: int = Field(default=5, ge=1, le=10_000)
    duplicate_window_s: int = Field(default=60, ge=0, le=86_400)
    esign_stall_s: float = Field(default=5, ge=0, le=600)
    faults: Faults = Faults()


def load_settings(path: str | Path | None) -> Settings:
    return Settings() if path is None else load_model(path, Settings)


def updated(current: Settings, patch: Any, source: str = "PUT /v1/admin/settings") -> Settings:
    """`current` with a partial patch applied (`faults` merged key by key); raises ConfigError naming the key."""
    if not isinstance(patch, dict):
        return validate(patch, Settings, source)
    merged: dict[str, Any] = current.model_dump()
    for key, value in patch.items():
        if key == "faults" and isinstance(value, dict):
            merged["faults"] = {**merged["faults"], **value}
        else:
            merged[key] = value
    return validate(merged, Settings, source)
