"""What the app sent and what the target answered, recorded in the page (`write_probe.js`).

The evidence a device failure's cause is read from (the same rules as load: `loanqa.taxonomy`), and the
device runner's per-loan event log. It also catches a double tap that signs twice: the server replays any
key for /sign, so only the client side can tell two signing actions from one action retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loanqa.journey_steps import step_sent_as
from loanqa.taxonomy import Cause, cause_for_response
from loanqa_devicetests.js import script

_INSTALL_JS = script("write_probe.js")


@dataclass(frozen=True)
class Call:
    """One fetch of the app: `status` None with no `error` means it was still waiting for the answer."""

    method: str
    path: str
    key: str | None
    started_s: float
    duration_ms: float | None
    status: int | None
    code: str | None
    request_id: str | None
    replayed: bool
    error: str | None
    loan_id: str | None
    borrower_id: str | None
    retry_after: bool = False

    @property
    def pending(self) -> bool:
        return self.status is None and self.error is None

    @property
    def cause(self) -> Cause | None:
        """Why this answer is a failure, by the same rules as the load runners' (step and Retry-After included):
        a gateway 504 at sign is esign and a 5xx with Retry-After is overload on a device too."""
        if self.error is not None:
            return Cause.NETWORK
        if self.status is None:
            return None
        return cause_for_response(self.status, self.code, self.step, retry_after=self.retry_after)

    @property
    def step(self) -> str:
        found = step_sent_as(self.method, self.path)
        return found.name if found else f"{self.method} {self.path}"


def install(driver: Any) -> None:
    driver.execute_script(_INSTALL_JS)


def calls(driver: Any) -> list[Call]:
    raw = driver.execute_script("return window.__loanqaCalls || []") or []
    return [_call(r) for r in raw]


def _call(r: dict[str, Any]) -> Call:
    duration = r.get("durationMs")
    return Call(method=str(r["method"]).upper(), path=str(r["path"]), key=r.get("key"),
                started_s=float(r["started"]) / 1000, duration_ms=None if duration is None else float(duration),
                status=r.get("status"), code=r.get("code"), request_id=r.get("requestId"),
                replayed=bool(r.get("replayed")), error=r.get("error"), loan_id=r.get("loanId"),
                borrower_id=r.get("borrowerId"), retry_after=bool(r.get("retryAfter")))


def sign_keys(driver: Any) -> list[str | None]:
    return [c.key for c in calls(driver) if c.step == "sign"]


def answered_cause(seen: list[Call]) -> tuple[Cause, Call] | None:
    """The cause in the target's latest answer, when that answer was a failure the app cannot get past: no
    answer, 429 or a 5xx. A request still waiting is skipped (under a server-side stall the app retries, and
    the stalled answers before it tell the cause); a 4xx is the app's to show in place (a face hint, a
    rejection), so a screen that fails to show it stays a compatibility finding."""
    done = [c for c in seen if not c.pending]
    if not done:
        return None
    last = max(done, key=lambda c: c.started_s + (c.duration_ms or 0) / 1000)
    blocking = last.error is not None or last.status == 429 or (last.status or 0) >= 500
    cause = last.cause
    return (cause, last) if blocking and cause is not None else None
