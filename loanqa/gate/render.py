"""Verdict renderers: a terminal verdict (rich), Markdown for a CI job summary, JSON for machines."""

from __future__ import annotations

import io
import json
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from loanqa.gate.verdict import RuleResult, Verdict

Format = Literal["text", "markdown", "json"]
SHOWN_OFFENDERS = 10


def render(verdict: Verdict, fmt: Format, *, width: int | None = None, color: bool = False) -> str:
    if fmt == "json":
        return to_json(verdict)
    if fmt == "markdown":
        return to_markdown(verdict)
    return to_text(verdict, width=width, color=color)


def to_json(verdict: Verdict) -> str:
    return json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _headline(v: Verdict) -> str:
    s = v.stats
    word = "PASSED" if v.passed else "FAILED"
    warned = f", {len(v.warnings)} passed with warnings" if v.warnings else ""
    return (f"Release gate {word} ({v.policy}): {len(v.failed_rules)} of {len(v.rules)} rules failed{warned}; "
            f"{s.tests} tests ({s.passed} passed, {s.failed} failed, {s.broken} broken, {s.skipped} skipped, "
            f"{s.unknown} unknown, {s.flaky} flaky, {s.waived} waived), {s.summaries} load summaries")


def _offenders(rule: RuleResult) -> list[str]:
    shown = list(rule.offenders[:SHOWN_OFFENDERS])
    more = len(rule.offenders) - len(shown)
    return shown + ([f"… and {more} more (see --json-out)"] if more > 0 else [])


def to_text(v: Verdict, *, width: int | None = None, color: bool = False) -> str:
    buf = io.StringIO()
    con = Console(file=buf, width=width or 100, no_color=not color, color_system="auto" if color else None,
                  highlight=False, soft_wrap=False)
    table = Table(show_header=True, header_style="bold", expand=False)
    for col in ("", "rule", "result"):
        table.add_column(col, overflow="fold")
    for r in v.rules:
        table.add_row(_mark(r), r.title, r.detail)
    con.print(table)
    for r in v.warnings:
        con.print(Text(f"! warning: {r.title} [{r.rule}]: {r.detail}", style="yellow"))
        for line in _offenders(r):
            con.print(Text(f"    - {line}"))
    for r in v.failed_rules:
        con.print(Text(f"✗ {r.title} [{r.rule}]: {r.detail}", style="bold red"))
        for line in _offenders(r):
            con.print(Text(f"    - {line}"))
    con.print(Text(_headline(v), style="bold green" if v.passed else "bold red"))
    return buf.getvalue()


def _mark(r: RuleResult) -> Text:
    if not r.passed:
        return Text("FAIL", style="bold red")
    return Text("WARN", style="yellow") if r.warning else Text("PASS", style="green")


def _md_icon(r: RuleResult) -> str:
    return ("⚠️" if r.warning else "✅") if r.passed else "❌"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(v: Verdict) -> str:
    icon = "✅" if v.passed else "❌"
    lines = [f"## {icon} {_md_cell(_headline(v))}", "", "| | rule | result |", "|---|---|---|"]
    lines += [f"| {_md_icon(r)} | {_md_cell(r.title)} | {_md_cell(r.detail)} |" for r in v.rules]
    for r in v.warnings:
        lines += ["", f"### ⚠️ warning: {_md_cell(r.title)} (`{r.rule}`)", "", _md_cell(r.detail), ""]
        lines += [f"- {_md_cell(o)}" for o in _offenders(r)]
    for r in v.failed_rules:
        lines += ["", f"### ❌ {_md_cell(r.title)} (`{r.rule}`)", "", _md_cell(r.detail), ""]
        lines += [f"- {_md_cell(o)}" for o in _offenders(r)]
    return "\n".join(lines) + "\n"
