"""loanqa's gate verdict as Allure 3 quality-gate results, so the report's Quality Gates tab shows it.

Allure 3 fills that tab only from its own `allure run` gate; loanqa's rules are richer (load SLOs per
network profile, known issues with expiry, fail-closed inputs), so the report shows loanqa's verdict
instead: one entry for the verdict, one per rule, each failed rule linked to the tests that broke it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from loanqa.errors import ResultsError
from loanqa.gate.verdict import RuleResult, Stats, Verdict

RESULT_FILE = re.compile(r"[\w.-]+-result\.json")


def allure_results(verdict: Verdict) -> list[dict[str, Any]]:
    """Quality-gate results in Allure 3's shape; `files` names the offending result files (linked later)."""
    failed = len(verdict.failed_rules)
    warned = f", {len(verdict.warnings)} passed with warnings" if verdict.warnings else ""
    s = verdict.stats
    head = {"rule": f"loanqa release gate ({verdict.policy})", "success": verdict.passed,
            "message": (f"{'PASSED' if verdict.passed else 'FAILED'}: {failed} of {len(verdict.rules)} rules failed"
                        f"{warned}; "
                        f"{s.tests} tests ({s.passed} passed, {s.failed} failed, {s.broken} broken, {s.flaky} flaky), "
                        f"{s.summaries} load summaries"),
            "expected": "every rule passes", "actual": f"{failed} failed", "files": []}
    return [head, *(_rule(r) for r in verdict.rules)]


def _rule(rule: RuleResult) -> dict[str, Any]:
    files = sorted({m for o in rule.offenders for m in RESULT_FILE.findall(o)})
    message = f"{'WARNING: ' if rule.warning and rule.passed else ''}{rule.title}: {rule.detail}"
    if rule.offenders:
        message += "\n" + "\n".join(f"- {o}" for o in rule.offenders[:20])
    return {"rule": rule.rule, "success": rule.passed, "message": message, "expected": "pass",
            "actual": "pass" if rule.passed else "fail", "files": files}


def read_verdict(path: Path) -> Verdict:
    """A verdict written by `loanqa gate --json-out`; anything else is an error naming the file and key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: --gate-verdict: not a readable verdict JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise ResultsError(f"{path}: rules: missing or empty; expected the JSON of `loanqa gate --json-out`")
    rules = []
    for i, raw in enumerate(data["rules"]):
        if not (isinstance(raw, dict) and isinstance(raw.get("rule"), str) and isinstance(raw.get("passed"), bool)):
            raise ResultsError(f"{path}: rules[{i}]: {raw!r}: needs a string `rule` and a boolean `passed`")
        rules.append(RuleResult(raw["rule"], str(raw.get("title", raw["rule"])), raw["passed"],
                                str(raw.get("detail", "")), tuple(str(o) for o in raw.get("offenders") or ()),
                                warning=raw.get("warning") is True))
    stats = data["stats"] if isinstance(data.get("stats"), dict) else {}
    known = {k: int(v) for k, v in stats.items() if k in Stats.__dataclass_fields__ and isinstance(v, int)}
    return Verdict(str(data.get("policy", path.stem)), tuple(rules), Stats(**known))


def write(verdict: Verdict | None, path: Path) -> Path:
    path.write_text(json.dumps(allure_results(verdict) if verdict else []), encoding="utf-8")
    return path
