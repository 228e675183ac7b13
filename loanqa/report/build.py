"""`loanqa report` as a library: Allure 3 HTML of a run, written to a temp dir and renamed into place.

The output directory either holds the previous complete report or the new complete one, never half of
either; on any error or Ctrl-C the temp dir is removed and the previous report is left as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from loanqa import atomic
from loanqa.errors import ResultsError
from loanqa.gate.results import read_results, result_files
from loanqa.gate.summaries import find_summaries, read_all
from loanqa.gate.verdict import Verdict
from loanqa.report import allure_cli, attachments, categories, environment, history, quality_gate


@dataclass(frozen=True)
class ReportOutput:
    out_dir: Path
    index: Path
    single_file: bool
    history_entries: int
    environment: dict[str, str]


def build(results_dirs: Sequence[Path], out_dir: Path, *, single_file: bool = False,
          history_from: Path | None = None, env: Mapping[str, str] | None = None,
          name: str = "loanqa", history_limit: int = 30, verdict: Verdict | None = None,
          compact: bool | None = None) -> ReportOutput:
    """The report of `results_dirs` in `out_dir`; `verdict` fills its Quality Gates tab.

    `compact` (default: on for a single file) makes screenshots scaled JPEGs so the one HTML file stays
    small enough to mail or upload; the results directories keep their originals.
    """
    dirs = [Path(d) for d in results_dirs]
    _check_dirs(dirs)
    _check_out(out_dir)
    previous = history.find_previous(history_from) if history_from is not None else None
    full_env = {**environment.from_summaries([s for _, s in read_all(find_summaries(dirs))]), **(env or {})}
    for d in dirs:
        prepare_results(d, full_env)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".loanqa-report-", dir=out_dir.parent) as tmp:
        staging, new = Path(tmp) / "staging", Path(tmp) / "report"
        hist = history.stage(previous, staging)
        cfg = allure_cli.allurerc(name, hist, categories.allure3_categories(), single_file=single_file,
                                  history_limit=history_limit)
        sources = dirs
        if single_file if compact is None else compact:
            sources = [attachments.compact_copy(d, Path(tmp) / f"results-{i}") for i, d in enumerate(dirs)]
        allure_cli.generate(allure_cli.write_config(staging, cfg), sources, new,
                            quality_gate.write(verdict, staging / "quality-gate.json"))
        (new / history.IN_REPORT).parent.mkdir(parents=True, exist_ok=True)
        if hist.is_file():
            shutil.copyfile(hist, new / history.IN_REPORT)
        _swap_in(new, out_dir)
    return ReportOutput(out_dir, out_dir / "index.html", single_file, history.entries(out_dir / history.IN_REPORT),
                        full_env)


def prepare_results(results_dir: Path, env: Mapping[str, str]) -> None:
    """categories.json and environment.properties go into the results, where any Allure reader finds them."""
    atomic.write_text(results_dir / "categories.json", json.dumps(categories.allure2_categories(), indent=2))
    if env:
        environment.write_properties(results_dir, env)


def _check_dirs(dirs: list[Path]) -> None:
    """The report refuses what the gate refuses: empty, corrupt, hostile or out-of-run result files."""
    if not dirs:
        raise ResultsError("no results directory given")
    for d in dirs:
        if not result_files(d):
            raise ResultsError(f"{d}: no *-result.json files: nothing to report")
    read_results(dirs)


def _check_out(out_dir: Path) -> None:
    """The old output is deleted once the new one is in place, so it must be a report, never `--out .`."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ResultsError(f"{out_dir}: --out: exists and is not a directory; refusing to replace it")
    if (out_dir / "index.html").is_file() or not any(out_dir.iterdir()):
        return
    raise ResultsError(f"{out_dir}: --out: not empty and holds no report (no index.html); refusing to replace "
                       "it: choose a new or empty directory")


def _swap_in(new: Path, out_dir: Path) -> None:
    """Rename the finished report into place; the old one is moved aside first and deleted last."""
    old = new.parent / "previous"
    if out_dir.exists():
        out_dir.rename(old)
    try:
        new.rename(out_dir)
    except OSError:
        if old.exists():
            old.rename(out_dir)
        raise


__all__ = ["ReportOutput", "build", "prepare_results"]
