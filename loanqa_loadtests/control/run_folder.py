"""Where a run's files go, so `--out` never deletes what loanqa did not write.

A run is staged in `<out>/.loanqa-partial/` and published entry by entry into `<out>`, with a marker
(`.loanqa-run`) listing what it wrote. A later run into the same folder replaces only the entries the
marker lists; a folder holding anything else (a home directory, `--out .`, a volume with `lost+found`)
gets the run in a new subfolder instead. Nothing is renamed onto `<out>` itself, so a mount point works.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from loanqa import atomic
from loanqa.errors import ConfigError

MARKER = ".loanqa-run"
STAGING = ".loanqa-partial"
FAILED_LOG = "locust-failed.log"
_ASIDE = ".replaced"  # inside the staging folder: previous versions of folders being replaced
FAILED_MEASURED = "measured-before-failure"  # in a folder loanqa did not create: what a failed run measured


@dataclass(frozen=True)
class RunFolder:
    out: Path
    created: bool  # the folder did not exist before this run: a failed run removes it again

    @property
    def partial(self) -> Path:
        return self.out / STAGING


def choose(out: Path, run_id: str) -> RunFolder:
    """`out` itself when empty, missing or a previous run's folder; else a new `load-<run_id>` inside it."""
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", "", str(out), "is a file, not a folder")
    if _ours_or_empty(out):
        return RunFolder(out, created=not out.exists())
    sub = out / f"load-{run_id}"
    if not _ours_or_empty(sub):
        raise ConfigError("--out", "", str(out), f"{sub} already holds files loanqa did not write; choose another "
                                                  "--out or --run-id")
    return RunFolder(sub, created=not sub.exists())


def _ours_or_empty(folder: Path) -> bool:
    if not folder.exists():
        return True
    entries = {p.name for p in folder.iterdir()} - {STAGING}
    return not entries or MARKER in entries


def prepare(folder: RunFolder) -> Path:
    shutil.rmtree(folder.partial, ignore_errors=True)
    folder.partial.mkdir(parents=True)
    return folder.partial


def publish(folder: RunFolder) -> None:
    """Move the staged entries in, each replacing its previous version, then remove the previous run's entries
    this run did not write; the marker lists every entry possibly present at each moment, so a crash half-way
    leaves each entry whole (old or new) and still known as loanqa's. Never a folder without its report."""
    staged = sorted(p.name for p in folder.partial.iterdir())
    previous = _listed(folder.out)
    _write_marker(folder.out, sorted(set(previous) | set(staged)))
    aside = folder.partial / _ASIDE
    for name in staged:
        _move_in(folder.partial / name, folder.out / name, aside / name)
    for name in sorted(set(previous) - set(staged)):
        _remove(folder.out / name)
    shutil.rmtree(folder.partial)
    _write_marker(folder.out, staged)


def _move_in(src: Path, dst: Path, aside: Path) -> None:
    """A file replaces its previous version in one rename; a folder (or a file where a folder was) cannot be
    renamed onto, so the previous one is first renamed aside (to be deleted with the staging folder), and back
    if the new one cannot be moved in."""
    if not (os.path.lexists(dst) and (src.is_dir() or (dst.is_dir() and not dst.is_symlink()))):
        src.replace(dst)
        return
    aside.parent.mkdir(exist_ok=True)
    dst.replace(aside)
    try:
        src.replace(dst)
    except BaseException:
        with contextlib.suppress(OSError):
            aside.replace(dst)
        raise


def _write_marker(out: Path, entries: list[str]) -> None:
    atomic.write_text(out / MARKER, json.dumps({"entries": entries}))


def discard(folder: RunFolder) -> Path | None:
    """A failed run is never published as a report, but nothing it measured is lost: its Locust log and whatever
    else it staged (the streamed event log, Locust's CSVs, live.json) are kept in `measured_place`, e.g. after a
    Ctrl-C whose stuck users made Locust be killed before summary.json. Returns where the log went."""
    log = folder.partial / "locust.log"
    kept: Path | None = None
    place = measured_place(folder)
    if folder.created:
        shutil.rmtree(place, ignore_errors=True)
        if log.exists():
            place.mkdir(parents=True)
            kept = place / "locust.log"
            shutil.move(str(log), kept)
    elif log.exists():
        kept = folder.out / FAILED_LOG
        shutil.move(str(log), kept)
    measured = sorted(folder.partial.iterdir()) if folder.partial.is_dir() else []
    if measured:
        if not folder.created:
            shutil.rmtree(place, ignore_errors=True)
        place.mkdir(parents=True, exist_ok=True)
        for entry in measured:
            shutil.move(str(entry), place / entry.name)
    shutil.rmtree(folder.out if folder.created else folder.partial, ignore_errors=True)
    return kept


def measured_place(folder: RunFolder) -> Path:
    """`<out>.failed/` beside a folder the run created, else a subfolder of the user's folder."""
    if folder.created:
        return folder.out.with_name(folder.out.name + ".failed")
    return folder.out / FAILED_MEASURED


def _listed(out: Path) -> list[str]:
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = data.get("entries", []) if isinstance(data, dict) else []
    return [n for n in names if isinstance(n, str) and "/" not in n and n not in ("", ".", "..", STAGING)]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
