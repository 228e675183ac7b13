"""`loanqa report` with the real Allure 3 CLI: what a user sees in the generated report's data."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from loanqa.errors import ResultsError
from loanqa.report import build
from loanqa.report.categories import TITLES
from loanqa.taxonomy import Cause
from tests.unit.gate_factory import device, write_result


def _results(folder: Path, face_ok: bool) -> Path:
    write_result(folder, "test_disburse[pixel-7]", labels=device("android", dev="Pixel 7"))
    write_result(folder, "test_liveness[redmi-9a]", "passed" if face_ok else "failed",
                 message=None if face_ok else "AssertionError: [face] liveness failed: too dark",
                 labels=device("android", "entry", "face", "Redmi 9A"))
    write_result(folder, "test_sign[iphone-se]", "broken", message="[infrastructure] session not created",
                 labels=device("ios", "entry", "esign", "iPhone SE"))
    write_result(folder, "slo_disburse_p95", "failed", message="[overload] p95 2.4 s > 2 s",
                 labels={"kind": "load", "network_profile": "3g-weak"})
    return folder


def _categories(widget: dict[str, Any]) -> dict[str, list[str]]:
    nodes = widget["nodes"]

    def tests_under(node_id: str) -> list[str]:
        node = nodes[node_id]
        if node["type"] == "tr":
            return [node["name"]]
        return [t for child in node.get("childrenIds", []) for t in tests_under(child)]

    return {nodes[r]["name"]: sorted(tests_under(r)) for r in widget["roots"]}


@pytest.mark.slow
def test_report_groups_failures_by_cause_and_carries_history(tmp_path: Path) -> None:
    first = build([_results(tmp_path / "run1", face_ok=False)], tmp_path / "report",
                  env={"build": "2.3.1-rc1", "matrix": "ci"})
    assert first.index.is_file() and first.history_entries == 1
    cats = _categories(json.loads((first.out_dir / "widgets" / "categories.json").read_text()))
    assert cats[TITLES[Cause.FACE]] == ["test_liveness[redmi-9a]"]
    assert cats[TITLES[Cause.INFRASTRUCTURE]] == ["test_sign[iphone-se]"]
    assert cats[TITLES[Cause.OVERLOAD]] == ["slo_disburse_p95"]
    env = json.loads((first.out_dir / "widgets" / "allure_environment.json").read_text())
    assert {"name": "build", "values": ["2.3.1-rc1"]} in env
    assert json.loads((tmp_path / "run1" / "categories.json").read_text())[0]["messageRegex"].startswith("^")

    second = build([_results(tmp_path / "run2", face_ok=True)], tmp_path / "report",
                   history_from=tmp_path / "report", single_file=True)
    assert second.history_entries == 2
    assert sorted(p.name for p in second.out_dir.iterdir()) == ["history", "index.html", "summary.json",
                                                                 "test-results.json"]
    html = second.index.read_text(encoding="utf-8")
    embedded = dict(re.findall(r'd\("([^"]+)","([A-Za-z0-9+/=]+)"\)', html))
    cats2 = _categories(json.loads(base64.b64decode(embedded["widgets/categories.json"])))
    assert TITLES[Cause.FACE] not in cats2
    summary = json.loads((second.out_dir / "summary.json").read_text())
    assert summary["stats"]["total"] == 4


def test_report_refuses_empty_results_and_leaves_old_report(tmp_path: Path) -> None:
    old = tmp_path / "report"
    old.mkdir()
    (old / "index.html").write_text("previous")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match="nothing to report"):
        build([tmp_path / "empty"], old)
    assert (old / "index.html").read_text() == "previous"


def test_report_refuses_a_file_given_as_results(tmp_path: Path) -> None:
    not_a_dir = write_result(tmp_path / "r", "t")
    with pytest.raises(ResultsError, match=f"^{not_a_dir}: not a directory$"):
        build([not_a_dir], tmp_path / "report")
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("kind", ["project directory", "file"])
def test_report_never_replaces_what_is_not_a_report(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    kept = out if kind == "file" else out / "notes.txt"
    kept.parent.mkdir(exist_ok=True)
    kept.write_text("precious")
    with pytest.raises(ResultsError, match=f"{out}: --out: .*refusing to replace"):
        build([_results(tmp_path / "r", face_ok=True)], out)
    assert kept.read_text() == "precious"


def test_garbage_history_is_refused_before_allure_and_keeps_previous_report(tmp_path: Path) -> None:
    """It used to reach Allure, which failed with a page of its own output (exit 3)."""
    old = tmp_path / "report"
    old.mkdir()
    (old / "index.html").write_text("previous")
    corrupt = tmp_path / "history.jsonl"
    corrupt.write_text("{not json\n")
    with pytest.raises(ResultsError, match=r"history\.jsonl: line 1: --history-from: not Allure history"):
        build([_results(tmp_path / "r", face_ok=True)], old, history_from=corrupt)
    assert (old / "index.html").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".loanqa-report-")] == []
