"""Crafted allure-results for gate tests: files shaped exactly as allure-pytest writes them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any


def write_result(folder: Path, name: str, status: str = "passed", *, message: str | None = None,
                 labels: dict[str, str] | None = None, history_id: str | None = None, start: int = 1000,
                 stop: int = 2000, run_id: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    u = str(uuid.uuid4())
    raw: dict[str, Any] = {
        "name": name, "status": status, "uuid": u, "historyId": history_id or f"h-{name}",
        "testCaseId": f"tc-{name}", "fullName": f"suite#{name}", "start": start, "stop": stop,
        "labels": [{"name": k, "value": v} for k, v in (labels or {}).items()]
        + [{"name": "framework", "value": "pytest"}],
    }
    if run_id is not None:
        raw["parameters"] = [{"name": "run_id", "value": run_id}]
    if message is not None:
        raw["statusDetails"] = {"message": message, "trace": "Traceback..."}
    path = folder / f"{u}-result.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def device(platform: str = "android", tier: str = "mid", feature: str = "disbursement",
           dev: str = "Pixel 7") -> dict[str, str]:
    return {"kind": "device", "platform": platform, "tier": tier, "feature": feature, "device": dev,
            "suite": "devicetests"}
