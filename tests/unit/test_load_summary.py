from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.errors import ResultsError
from loanqa.load_summary import Funnel, LoadSummary, StepStats, read_summary
from loanqa.taxonomy import Cause


def summary() -> LoadSummary:
    return LoadSummary(
        run_id="r1", target="http://127.0.0.1:8700", shape="smoke", network_mix="cn-2026",
        started_at=1.0, finished_at=61.0, requests=10,
        steps={"apply": StepStats(requests=10, successes=7, business={Cause.CREDIT_REJECTED: 2},
                                  failures={Cause.NETWORK: 1})},
        funnel=Funnel(started=10, approved=7, signed=7, disbursed=7),
    )


def test_round_trip_keeps_causes_typed(tmp_path: Path) -> None:
    path = summary().write(tmp_path)
    back = read_summary(path)
    assert back == summary()
    assert back.steps["apply"].technical_failures == 1
    assert back.funnel.disbursement_rate == 1.0
    assert list(tmp_path.iterdir()) == [path], "atomic write leaves no temp file"


def test_business_rejections_are_not_technical_failures() -> None:
    stats = StepStats(failures={Cause.FACE: 3, Cause.OVERLOAD: 2}, business={Cause.FRAUD_FLAGGED: 9})
    assert stats.technical_failures == 2


def test_corrupt_summary_names_file(tmp_path: Path) -> None:
    bad = tmp_path / "summary.json"
    bad.write_text('{"run_id": "x"')
    with pytest.raises(ResultsError, match=str(bad)):
        read_summary(bad)


def test_unknown_cause_is_rejected(tmp_path: Path) -> None:
    text = summary().model_dump_json(by_alias=True).replace('"network"', '"gremlins"')
    bad = tmp_path / "summary.json"
    bad.write_text(text)
    with pytest.raises(ResultsError, match=r"steps\.apply\.failures"):
        read_summary(bad)


def test_missing_summary(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="cannot read"):
        read_summary(tmp_path / "summary.json")
