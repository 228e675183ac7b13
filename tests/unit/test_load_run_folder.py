"""`--out` never deletes what loanqa did not write: staging, publishing, subfolders for foreign folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loanqa.errors import ConfigError
from loanqa_loadtests.control import run_folder


def _run(out: Path, run_id: str, files: dict[str, str]) -> run_folder.RunFolder:
    folder = run_folder.choose(out, run_id)
    staged = run_folder.prepare(folder)
    for name, text in files.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_text(text)
    run_folder.publish(folder)
    return folder


def test_a_new_folder_is_the_run_folder_and_a_rerun_replaces_only_its_own_entries(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, "a", {"summary.json": "1", "charts/p95.png": "x", "old.csv": "o"})
    (out / "my-notes.txt").write_text("mine")  # added by the user after the run
    _run(out, "b", {"summary.json": "2", "charts/rps.png": "y"})
    assert (out / "summary.json").read_text() == "2" and not (out / "old.csv").exists()
    assert sorted(p.name for p in (out / "charts").iterdir()) == ["rps.png"]
    assert (out / "my-notes.txt").read_text() == "mine" and not (out / run_folder.STAGING).exists()


def test_a_foreign_folder_gets_the_run_in_a_new_subfolder(tmp_path: Path) -> None:
    (tmp_path / "lost+found").mkdir()
    folder = _run(tmp_path, "r1", {"summary.json": "1"})
    assert folder.out == tmp_path / "load-r1" and (tmp_path / "lost+found").is_dir()
    assert (tmp_path / "load-r1" / "summary.json").read_text() == "1"


def test_an_empty_mount_point_is_written_into_not_renamed(tmp_path: Path) -> None:
    mount = tmp_path / "results"
    mount.mkdir()
    inode = mount.stat().st_ino
    folder = _run(mount, "r1", {"summary.json": "1"})
    assert folder.out == mount and mount.stat().st_ino == inode


def test_a_failed_run_removes_only_what_it_created(tmp_path: Path) -> None:
    folder = run_folder.choose(tmp_path / "new", "r")
    (run_folder.prepare(folder) / "locust.log").write_text("boom")
    kept = run_folder.discard(folder)
    assert not (tmp_path / "new").exists() and kept == tmp_path / "new.failed" / "locust.log"
    existing = tmp_path / "mounted"
    existing.mkdir()
    folder = run_folder.choose(existing, "r")
    (run_folder.prepare(folder) / "locust.log").write_text("boom")
    assert run_folder.discard(folder) == existing / run_folder.FAILED_LOG and existing.is_dir()


def test_out_that_is_a_file_or_a_taken_subfolder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        run_folder.choose(tmp_path / "f", "r")
    (tmp_path / "load-r").mkdir()
    (tmp_path / "load-r" / "x").write_text("foreign")
    with pytest.raises(ConfigError, match="already holds files loanqa did not write"):
        run_folder.choose(tmp_path, "r")


@pytest.mark.parametrize("created", [True, False])
def test_a_failed_run_keeps_what_it_measured(tmp_path: Path, created: bool) -> None:
    """Ctrl-C, users stuck past the grace, Locust killed before summary.json: the streamed event log and the
    CSVs are kept (never published as a report)."""
    out = tmp_path / "run"
    if not created:
        out.mkdir()
    folder = run_folder.choose(out, "r")
    staged = run_folder.prepare(folder)
    (staged / "events").mkdir()
    (staged / "events" / "load-00-1.jsonl").write_text('{"journey": 1}\n')
    (staged / "locust_stats.csv").write_text("Name,Requests\n")
    (staged / "locust.log").write_text("killed")
    run_folder.discard(folder)
    place = run_folder.measured_place(folder)
    assert (place / "events" / "load-00-1.jsonl").read_text() == '{"journey": 1}\n'
    assert (place / "locust_stats.csv").exists()
    assert not (out / "summary.json").exists() and not (out / run_folder.STAGING).exists()
    assert out.exists() is not created


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_publish_cut_short_leaves_every_entry_whole_and_still_ours(tmp_path: Path, fail_at: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure part-way through replacing a run (here: the n-th rename, as on a full disk) never leaves the
    folder without its summary or report, nor without the marker that makes the next run recognise it."""
    out = tmp_path / "run"
    _run(out, "a", {"summary.json": "1", "report/index.html": "r1", "journeys.csv": "j1"})
    folder = run_folder.choose(out, "b")
    staged = run_folder.prepare(folder)
    for name, text in {"summary.json": "2", "report/index.html": "r2", "journeys.csv": "j2"}.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_text(text)
    calls = 0
    real_replace = os.replace

    def replace_or_crash(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_or_crash)
    with pytest.raises(OSError):
        run_folder.publish(folder)
    monkeypatch.undo()
    assert (out / "summary.json").read_text() in ("1", "2")
    assert (out / "journeys.csv").read_text() in ("j1", "j2")
    assert (out / "report" / "index.html").read_text() in ("r1", "r2")
    assert run_folder.choose(out, "c").out == out, "the folder is no longer recognised as loanqa's"
