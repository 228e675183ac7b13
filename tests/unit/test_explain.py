"""`loanqa explain` over a written event log: selection, timeline, plain line, --cause list, JSON, mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loanqa.eventlog import AttemptRecord, EventLogWriter, JourneyEnd, phone_ref, read_events
from loanqa.loan_story import stories, why
from loanqa.taxonomy import Cause
from tests.unit.test_cli import run

PHONE = "13912345678"


def _attempt(journey: str, step: str, at: float, **kw: object) -> AttemptRecord:
    fields: dict[str, object] = {"run_id": "r1", "runner": "load", "journey_id": journey, "step": step,
                                 "attempt": 1, "started_at": at, "duration_ms": 20.0, "status": 200,
                                 "request_id": f"{journey}-{step}-{at}", "profile": "subway",
                                 "phone_ref": phone_ref("r1", PHONE if journey == "j1" else "13800000000")}
    fields.update(kw)
    return AttemptRecord.model_validate(fields)


def _log(folder: Path) -> Path:
    with EventLogWriter(folder, "p0") as log:
        log.write(_attempt("j1", "apply", 1.0, status=None, detail="ReadTimeout", cause=Cause.NETWORK))
        log.write(_attempt("j1", "apply", 2.0, attempt=2, status=422, code="FRAUD_FLAGGED", replayed=True,
                           cause=Cause.FRAUD_FLAGGED, loan_id="L1", phase="down"))
        log.write(JourneyEnd(run_id="r1", runner="load", journey_id="j1", loan_id="L1", profile="subway",
                             outcome="business_rejected", cause=Cause.FRAUD_FLAGGED, step="apply", at=2.5))
        log.write(_attempt("j2", "sign", 3.0, status=504, code="ESIGN_STALLED", cause=Cause.ESIGN, loan_id="L2"))
        log.write(JourneyEnd(run_id="r1", runner="load", journey_id="j2", loan_id="L2", profile="4g",
                             outcome="failed", cause=Cause.ESIGN, step="sign", at=3.5))
        log.write(_attempt("j3", "otp", 4.0, status=None, cause=Cause.NETWORK, detail="ConnectTimeout"))
        log.write(JourneyEnd(run_id="r1", runner="load", journey_id="j3", profile="stall", outcome="unfinished",
                             step="otp", since=4.0, at=9.0))
    return folder


def test_the_plain_line_says_why_in_words(tmp_path: Path) -> None:
    found = stories(read_events(_log(tmp_path)))
    assert why(found["j1"]).startswith("Not paid out: anti-fraud flagged the application at 'apply' (422 FRAUD_FLAGGED")
    assert "replay of the target's first decision" in why(found["j1"])
    assert why(found["j2"]).startswith("Not paid out: the contract could not be signed at 'sign' (504 ESIGN_STALLED")
    assert why(found["j3"]) == "Not paid out yet: the run ended while the borrower was on 'otp'."


def test_explain_by_loan_prints_each_attempt_and_the_reason(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", str(_log(tmp_path)), "--loan", "L1"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "journey j1  loan L1  profile subway"
    assert "apply     tap 0 try 1  no answer: ReadTimeout" in lines[1] and "-> network" in lines[1]
    assert "tap 0 try 2 [down]  422 FRAUD_FLAGGED replayed" in lines[2]
    assert lines[-1].startswith("Not paid out: anti-fraud flagged")


def test_explain_by_phone_never_needs_the_number_in_the_log(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = _log(tmp_path)
    assert PHONE not in (folder / "events" / "p0.jsonl").read_text()
    code, out, _ = run(["explain", str(folder), "--phone", PHONE, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["journey_id"] == "j1" and data["loan_id"] == "L1"
    assert [a["attempt"] for a in data["attempts"]] == [1, 2] and data["end"]["outcome"] == "business_rejected"


def test_cause_lists_lost_loans_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _log(tmp_path)
    code, out, _ = run(["explain", str(folder), "--cause", "esign"], capsys)
    assert code == 0 and out.splitlines() == [
        "j2  loan L2  4g  Not paid out: the contract could not be signed at 'sign' (504 ESIGN_STALLED).",
        "1 journeys lost to esign"]
    code, out, _ = run(["explain", str(folder), "--cause", "unfinished", "--profile", "4g"], capsys)
    assert out.splitlines() == ["0 journeys lost to unfinished on 4g"]


def test_mistakes_are_one_line_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _log(tmp_path)
    code, _, err = run(["explain", str(folder)], capsys)
    assert code == 2 and "exactly one of --loan" in err
    code, _, err = run(["explain", str(folder), "--loan", "NOPE"], capsys)
    assert code == 2 and "no journey in this run matches --loan NOPE" in err and "Traceback" not in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["explain", str(empty), "--loan", "L1"], capsys)
    assert code == 2 and "no event log" in err
