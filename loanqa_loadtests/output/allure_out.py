"""One Allure test per SLO, in Allure's result-file format, readable by the Allure 3 CLI and the gate.

Labels follow loanqa.allure_labels; a missed objective names its largest cause with the `[cause] ` message
prefix and lists every contributing cause with its share in the message (from the core judge); a latency miss
without failed requests names no cause. An objective with too few samples (`insufficient`) is `skipped`, Allure's
"not judged", with the SLO, profile, n and floor in its message: not a pass, and not a failure the target caused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from loanqa import allure_labels, atomic
from loanqa.load_summary import LoadSummary
from loanqa.slo import SloResult
from loanqa.taxonomy import Cause

_CAUSES = frozenset(c.value for c in Cause)

def slo_cause(result: SloResult) -> Cause | None:
    """The largest contributing cause of a missed objective; none for too few samples or a latency-only miss."""
    if not result.missed or not result.causes:
        return None
    top = result.causes[0].cause
    return Cause(top) if top in _CAUSES else None


def _labels(result: SloResult, summary: LoadSummary, cause: Cause | None) -> list[dict[str, str]]:
    feature = (allure_labels.FEATURE_DISBURSEMENT if result.metric == "disbursement_success"
               else allure_labels.feature_for_step(result.step))
    labels = {"kind": "load", "epic": allure_labels.EPIC_LOAD, "feature": feature,
              "story": result.step or result.metric,
              allure_labels.NETWORK_PROFILE: result.profile or "all", "suite": f"load: {summary.shape}",
              "parentSuite": "loanqa", "severity": "critical"}
    if result.step:
        labels[allure_labels.STEP] = result.step
    if cause is not None:
        labels[allure_labels.CAUSE] = cause.value
    return [{"name": k, "value": v} for k, v in labels.items()]


def _result(result: SloResult, summary: LoadSummary, attachments: list[dict[str, str]]) -> dict[str, Any]:
    cause = slo_cause(result)
    full = f"loanqa.load.{summary.shape}.{result.name}"
    message = result.detail if cause is None else allure_labels.cause_message(cause, result.detail)
    params = {"threshold": f"{result.threshold:g}", "actual": "no data" if result.actual is None else
              f"{result.actual:.6g}", "metric": result.metric, "verdict": result.verdict,
              "samples": str(result.samples), "shape": summary.shape,
              "network_mix": summary.network_mix or "-", "run_id": summary.run_id}
    status = "passed" if result.passed else "failed"
    if result.insufficient:
        status, message = "skipped", result.shortfall()
    if summary.status in ("interrupted", "stopped"):  # measured on part of the run only: no verdict either way
        status, message = "broken", f"run {summary.status}: {summary.stopped_by}; so far: {message}"
    elif result.stopped_run_at_s is not None:
        message = f"stopped the run at {result.stopped_run_at_s:g}s (abort: true); {message}"
    return {
        "uuid": str(uuid.uuid4()), "historyId": hashlib.md5(full.encode()).hexdigest(),
        "testCaseId": hashlib.md5(full.encode()).hexdigest(), "fullName": full, "name": result.name,
        "status": status, "stage": "finished",
        "statusDetails": {"message": message},
        "start": int(summary.started_at * 1000), "stop": int(summary.finished_at * 1000),
        "labels": _labels(result, summary, cause),
        "parameters": [{"name": k, "value": v} for k, v in params.items()],
        "attachments": attachments,
    }


def write_allure(summary: LoadSummary, charts: list[Path], folder: Path) -> Path:
    """Built in a sibling temp folder and renamed, so a reader never sees a partial results folder."""
    with atomic.replacing_dir(folder) as tmp:
        shared = []
        for chart in charts:
            name = f"{uuid.uuid4()}-attachment.png"
            shutil.copyfile(chart, tmp / name)
            shared.append({"name": chart.stem, "source": name, "type": "image/png"})
        for result in summary.slos:
            figures = f"{uuid.uuid4()}-attachment.json"
            (tmp / figures).write_text(json.dumps(result.model_dump(mode="json"), indent=2), encoding="utf-8")
            data = _result(result, summary, [{"name": "figures", "source": figures, "type": "application/json"},
                                             *shared])
            (tmp / f"{data['uuid']}-result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder
