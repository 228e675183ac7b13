"""The device runner's part of the per-loan event log (`loanqa.eventlog`): each e-sign journey's calls and end.

Written from what the page's probe saw, so a device journey reads like a load journey in `loanqa explain`:
the same steps, keys, request ids, answers and causes. Each process writes its own part file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from loanqa.eventlog import AttemptRecord, EventLogWriter, JourneyEnd, merge, part_files, phone_ref
from loanqa.taxonomy import Cause
from loanqa_devicetests.probe import Call


class DeviceJourneyLog:
    def __init__(self, folder: Path, run_id: str, profile: str | None, part: str) -> None:
        self.folder, self.run_id, self.profile, self.part = folder, run_id, profile, part
        self._writer: EventLogWriter | None = None

    def record(self, calls: list[Call], *, device: str, journey_id: str, phone: str, passed: bool,
               cause: Cause | None, detail: str = "") -> str | None:
        """Writes the journey's attempts and its end; returns the loan id the target gave, if any."""
        loan = next((c.loan_id for c in calls if c.loan_id), None)
        borrower = next((c.borrower_id for c in calls if c.borrower_id), None)
        common: dict[str, object] = {
            "run_id": self.run_id, "runner": "device", "journey_id": journey_id, "borrower_id": borrower,
            "phone_ref": phone_ref(self.run_id, phone), "loan_id": loan, "profile": self.profile, "device": device}
        writer = self._open()
        for record in attempts(calls, common):
            writer.write(record)
        last = calls[-1].step if calls else "login"
        outcome = "paid_out" if passed else ("business_rejected" if cause and cause.is_business else "failed")
        writer.write(JourneyEnd.model_validate({**common, "outcome": outcome, "cause": None if passed else cause,
                                                "step": "status" if passed else last, "at": time.time(),
                                                "detail": detail[:500]}))
        return loan

    def _open(self) -> EventLogWriter:
        if self._writer is None:
            self._writer = EventLogWriter(self.folder, self.part)
        return self._writer

    def close(self, *, merge_parts: bool) -> None:
        if self._writer is not None:
            self._writer.close()
        if merge_parts and part_files(self.folder):
            merge(self.folder)


def attempts(calls: list[Call], common: dict[str, object]) -> list[AttemptRecord]:
    """One record per call: `attempt` counts sends of one Idempotency-Key (the app's retries and retry
    taps), `tap` counts the distinct keys of a step (each a new press of the button)."""
    out: list[AttemptRecord] = []
    sent: dict[str | None, int] = {}
    keys: dict[str, list[str]] = {}
    now = time.time()
    for c in calls:
        sent[c.key] = sent.get(c.key, 0) + 1 if c.key else 1
        step_keys = keys.setdefault(c.step, [])
        if c.key and c.key not in step_keys:
            step_keys.append(c.key)
        duration = c.duration_ms if c.duration_ms is not None else (now - c.started_s) * 1000
        out.append(AttemptRecord.model_validate({
            **common, "step": c.step, "attempt": sent[c.key], "tap": len(step_keys) if c.key else 0,
            "method": c.method, "path": c.path, "idempotency_key": c.key, "request_id": c.request_id,
            "started_at": c.started_s, "duration_ms": duration, "status": c.status, "code": c.code,
            "replayed": c.replayed, "cause": c.cause,
            "detail": c.error or ("no answer yet when the test ended" if c.pending else "")}))
    return out


def part_name() -> str:
    return f"device-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
