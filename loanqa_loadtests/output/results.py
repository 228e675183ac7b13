"""A run's folder: summary.json, journeys.csv, charts and allure-results, from the merged tally."""

from __future__ import annotations

import csv
from pathlib import Path

from loanqa import atomic
from loanqa.eventlog import merge, part_files
from loanqa.load_summary import LoadSummary, RunStatus
from loanqa.slo import SloSet
from loanqa.slo_judge import judge
from loanqa_loadtests.output.allure_out import write_allure
from loanqa_loadtests.output.charts import write_charts
from loanqa_loadtests.output.summary_build import RunInfo, build_summary
from loanqa_loadtests.output.tally import JOURNEY_FIELDS, Tally

JOURNEYS_FILE = "journeys.csv"


def write_journeys(t: Tally, folder: Path) -> Path:
    """Each finished journey with its borrower, so a failure can be traced in the target's own logs."""
    path = folder / JOURNEYS_FILE
    with atomic.replacing(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(JOURNEY_FIELDS)
        writer.writerows(t.journeys)
    return path


def write_run(t: Tally, info: RunInfo, slos: SloSet, folder: Path, *, status: RunStatus = "complete",
              stopped_by: str = "", aborted_at_s: float | None = None) -> LoadSummary:
    """An interrupted or aborted run is judged on what was measured, and says so."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = build_summary(t, info)
    results = judge(slos, summary)
    if status == "aborted":
        results = [r.model_copy(update={"stopped_run_at_s": aborted_at_s}) if stopped_by.startswith(
            f"SLO '{r.name}'") else r for r in results]
    summary = summary.model_copy(update={"slos": results, "status": status, "stopped_by": stopped_by})
    write_journeys(t, folder)
    if part_files(folder):
        merge(folder)
    charts = write_charts(t, folder / "charts")
    write_allure(summary, charts, folder / "allure-results")
    summary.write(folder)
    return summary
