"""A gateway timeout in front of a slow e-sign service is an e-sign failure, not overload (issue 10, item 4).

Real refapp with its e-sign stall knob, a real reverse proxy with a deadline in front of it (tests/gateway.py),
and `loanqa journey` walking a borrower through both over HTTP.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from loanqa.eventlog import AttemptRecord, JourneyEnd, read_events
from loanqa.taxonomy import Cause
from tests.gateway import gateway
from tests.integration.test_load_runs import FAST, LOANQA, refapp_with

pytestmark = [pytest.mark.slow]


def test_a_bare_gateway_504_at_signing_is_esign_and_explained_so(tmp_path: Path) -> None:
    settings = {**FAST, "faults": {"esign_stall_share": 1.0}, "esign_stall_s": 5, "credit_threshold": 300,
                "max_open_loans_elsewhere": 100}  # every borrower approved, every signature stalled
    with refapp_with(settings, tmp_path / "refapp") as target, gateway(target, deadline_s=1.0) as front:
        out = tmp_path / "journey"
        done = subprocess.run([LOANQA, "--state-dir", str(tmp_path / "state"), "journey", "--target", front,
                               "--out", str(out)], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        sign = [line for line in done.stdout.splitlines() if " sign " in line]
        assert sign and "504 -> esign (process)" in sign[-1], done.stdout
        assert "overload" not in done.stdout and "network" not in done.stdout, done.stdout
        events = read_events(out)
        (end,) = [e for e in events if isinstance(e, JourneyEnd)]
        assert (end.outcome, end.cause, end.step) == ("failed", Cause.ESIGN, "sign") and end.loan_id
        signs = [e for e in events if isinstance(e, AttemptRecord) and e.step == "sign"]
        assert [(a.status, a.code, a.cause) for a in signs] == [(504, None, Cause.ESIGN)]
        told = subprocess.run([LOANQA, "explain", str(out), "--cause", "esign"], capture_output=True, text=True,
                              timeout=60, check=False)
        assert told.returncode == 0 and end.loan_id in told.stdout, told.stdout + told.stderr
