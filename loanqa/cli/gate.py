"""`loanqa gate`: exit 0 pass, 1 fail, 2 invalid input (LoanQAError carries the code)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from loanqa import atomic
from loanqa.errors import MISSING, ConfigError, RunFailed
from loanqa.gate import evaluate, load_policy
from loanqa.gate.render import Format, render

_dir = click.Path(path_type=Path)


@click.command()
@click.option("--results", "results", multiple=True, required=True, type=_dir,
              help="allure-results directory (repeatable; more may follow the first as arguments).")
@click.argument("more_results", nargs=-1, type=_dir)
@click.option("--policy", required=True, type=_dir, help="Gate policy YAML, e.g. ci/gates/release.yaml.")
@click.option("--summary", "summaries", multiple=True, type=_dir,
              help="Load summary.json (found automatically in or next to each results directory).")
@click.option("--baseline", type=_dir, help="Previous run (its folder or summary.json): the policy's "
              "baseline.max_change limits how much each load metric may worsen against it.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--markdown-out", type=_dir, help="Also write the Markdown verdict here (e.g. a CI job summary).")
@click.option("--json-out", type=_dir, help="Also write the JSON verdict here.")
def gate(results: tuple[Path, ...], more_results: tuple[Path, ...], policy: Path, summaries: tuple[Path, ...],
         baseline: Path | None, fmt: Format, markdown_out: Path | None, json_out: Path | None) -> None:
    """Judge allure-results and load summaries against a release policy."""
    verdict = evaluate([*results, *more_results], load_policy(policy), summaries=summaries, baseline=baseline)
    if markdown_out is not None:
        _write(markdown_out, render(verdict, "markdown"))
    if json_out is not None:
        _write(json_out, render(verdict, "json"))
    color = fmt == "text" and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    click.echo(render(verdict, fmt, width=shutil.get_terminal_size((100, 24)).columns, color=color), nl=False)
    if not verdict.passed:
        names = ", ".join(r.rule for r in verdict.failed_rules)
        raise RunFailed(f"release gate failed ({verdict.policy}): {names}")


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, text)
    except OSError as exc:
        raise ConfigError(str(path), "", MISSING, f"cannot write verdict: {exc}") from None
