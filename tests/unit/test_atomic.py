from __future__ import annotations

from pathlib import Path

import pytest

from loanqa import atomic


def test_write_text_replaces_and_leaves_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text("old")
    atomic.write_text(path, "new")
    assert path.read_text() == "new"
    assert list(tmp_path.iterdir()) == [path]


def test_failed_write_keeps_the_previous_file_and_no_fragment(tmp_path: Path) -> None:
    path = tmp_path / "journeys.csv"
    path.write_text("complete\n")
    with pytest.raises(RuntimeError), atomic.replacing(path) as tmp:
        tmp.write_text("half a")
        raise RuntimeError("disk full")
    assert path.read_text() == "complete\n"
    assert list(tmp_path.iterdir()) == [path]


def test_partial_keeps_the_suffix_beside_the_final_name(tmp_path: Path) -> None:
    final = tmp_path / "latency.png"
    tmp = atomic.partial_path(final)
    assert tmp.suffix == ".png" and tmp.parent == tmp_path and tmp.name != final.name


def test_replacing_dir_swaps_whole_folder_or_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "allure-results"
    folder.mkdir()
    (folder / "old-result.json").write_text("{}")
    with pytest.raises(OSError), atomic.replacing_dir(folder) as tmp:
        (tmp / "new-result.json").write_text("{}")
        raise OSError("interrupted")
    assert [p.name for p in folder.iterdir()] == ["old-result.json"]
    with atomic.replacing_dir(folder) as tmp:
        (tmp / "new-result.json").write_text("{}")
    assert [p.name for p in folder.iterdir()] == ["new-result.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["allure-results"]
