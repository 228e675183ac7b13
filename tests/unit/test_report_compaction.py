"""Pure parts of the travelling report: smaller pictures, and the gate verdict in Allure's shape."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from loanqa.errors import ResultsError
from loanqa.gate.verdict import RuleResult, Stats, Verdict
from loanqa.report.attachments import compact_copy
from loanqa.report.quality_gate import allure_results, read_verdict


def _result(folder: Path, name: str, status: str, pictures: int) -> dict[str, object]:
    folder.mkdir(parents=True, exist_ok=True)
    png = cv2.imencode(".png", np.full((2400, 1080, 3), 200, np.uint8))[1].tobytes()
    attachments = []
    for i in range(pictures):
        source = f"{name}-{i}-attachment.png"
        (folder / source).write_bytes(png)
        attachments.append({"name": f"screen {i}", "source": source, "type": "image/png"})
    (folder / f"{name}-{0}-attachment.txt").write_text("page source")
    attachments.append({"name": "page", "source": f"{name}-0-attachment.txt", "type": "text/plain"})
    raw: dict[str, object] = {"uuid": name, "name": name, "status": status,
                              "steps": [{"name": "s", "attachments": attachments}]}
    (folder / f"{name}-result.json").write_text(json.dumps(raw))
    return raw


def test_passed_tests_keep_their_last_picture_failed_keep_all_scaled_as_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "results"
    _result(src, "ok", "passed", 3)
    _result(src, "bad", "failed", 3)
    out = compact_copy(src, tmp_path / "copy")

    ok = json.loads((out / "ok-result.json").read_text())["steps"][0]["attachments"]
    bad = json.loads((out / "bad-result.json").read_text())["steps"][0]["attachments"]
    assert [a["name"] for a in ok] == ["screen 2", "page"]
    assert [a["type"] for a in bad] == ["image/jpeg"] * 3 + ["text/plain"]
    for a in ok + bad:
        assert (out / a["source"]).is_file()
    picture = cv2.imread(str(out / bad[0]["source"]))
    assert picture is not None and picture.shape[:2] == (600, 270)
    assert not list(out.glob("ok-0-attachment.*g")), "dropped pictures leave the copy"
    assert len(list(src.glob("*.png"))) == 6, "the results keep their originals"


def test_verdict_becomes_quality_gate_results_linked_to_offending_files() -> None:
    verdict = Verdict("release", (RuleResult("max_failures", "Maximum failed tests", False, "1 failed",
                                             ("test_sign[se] (abc-1-result.json) failed: [esign] stalled",)),
                                  RuleResult("min_tests.total", "Minimum tests", True, "50 tests")), Stats(tests=50))
    head, failures, minimum = allure_results(verdict)
    assert head["rule"] == "loanqa release gate (release)" and head["success"] is False
    assert failures["files"] == ["abc-1-result.json"] and "test_sign[se]" in failures["message"]
    assert minimum["success"] is True and minimum["files"] == []


def test_a_file_that_is_not_a_verdict_is_named_with_its_key(tmp_path: Path) -> None:
    bad = tmp_path / "gate.json"
    bad.write_text(json.dumps({"policy": "x", "rules": [{"rule": "max_failures", "passed": "no"}]}))
    with pytest.raises(ResultsError, match=r"gate.json: rules\[0\]"):
        read_verdict(bad)
    bad.write_text("{")
    with pytest.raises(ResultsError, match=r"gate\.json: --gate-verdict: not a readable verdict JSON"):
        read_verdict(bad)
