"""The results reader fails closed and folds retries the way Allure does (latest attempt wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.errors import ResultsError
from loanqa.gate.results import read_results
from loanqa.run_manifest import RunManifest
from loanqa.taxonomy import Cause
from tests.unit.gate_factory import write_result


def test_missing_directory_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="nope: results directory not found") as err:
        read_results([tmp_path / "nope"])
    assert err.value.exit_code == 2


def test_empty_directory_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "x-container.json").write_text("{}")
    with pytest.raises(ResultsError, match=r"no \*-result\.json files"):
        read_results([tmp_path])


def test_corrupt_file_is_named(tmp_path: Path) -> None:
    write_result(tmp_path, "ok")
    bad = tmp_path / "deadbeef-result.json"
    bad.write_text('{"name": "half', encoding="utf-8")
    with pytest.raises(ResultsError, match=r"deadbeef-result\.json: corrupt result file"):
        read_results([tmp_path])


@pytest.mark.parametrize(("body", "key"), [('{"name": "t", "status": "exploded"}', "status: 'exploded'"),
                                           ('{"status": "passed"}', "name: None"),
                                           ("[1, 2]", "expected a JSON object"),
                                           ('{"name": "t", "status": "passed", "labels": 3}', "labels")])
def test_partial_or_malformed_result_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    (tmp_path / "abc-result.json").write_text(body, encoding="utf-8")
    with pytest.raises(ResultsError) as err:
        read_results([tmp_path])
    assert "abc-result.json" in str(err.value)
    assert key in str(err.value)


def test_retries_latest_wins_and_earlier_failure_is_flaky(tmp_path: Path) -> None:
    write_result(tmp_path, "t_face", "failed", message="[face] no blink", history_id="h1", start=1, stop=2)
    write_result(tmp_path, "t_face", "passed", history_id="h1", start=3, stop=4)
    write_result(tmp_path, "t_sign", "passed", history_id="h2", start=1, stop=2)
    write_result(tmp_path, "t_sign", "broken", message="[infrastructure] appium", history_id="h2", start=5, stop=6)
    rs = read_results([tmp_path])
    assert {t.name: t.status for t in rs.tests} == {"t_face": "passed", "t_sign": "broken"}
    assert [f.name for f in rs.flaky] == ["t_face"]
    assert rs.retried == 2 and rs.files == 4


def test_cause_from_label_or_pytest_style_message(tmp_path: Path) -> None:
    write_result(tmp_path, "a", "failed", message="AssertionError: [network] read timeout")
    write_result(tmp_path, "b", "failed", message="boom", labels={"cause": "esign"})
    write_result(tmp_path, "c", "failed", message="[nonsense] x")
    causes = {t.name: t.cause for t in read_results([tmp_path]).tests}
    assert causes == {"a": Cause.NETWORK, "b": Cause.ESIGN, "c": None}


def test_the_manifest_of_a_run_id_ending_in_result_is_not_read_as_a_test_result(tmp_path: Path) -> None:
    write_result(tmp_path, "apply", run_id="nightly-result", start=2000, stop=3000)
    manifest = RunManifest(kind="device", run_id="nightly-result", started_at=1.0, finished_at=4.0, complete=True,
                           reason="").write(tmp_path)
    assert manifest.name.endswith("-result.json"), "the case at stake: a manifest named like an allure result"
    results = read_results([tmp_path], now=10.0)
    assert [r.name for r in results.tests] == ["apply"]
