"""`loanqa report`: Allure 3 HTML of a run's results, with taxonomy categories and history."""

from __future__ import annotations

from pathlib import Path

import click

from loanqa.report import build
from loanqa.report.environment import parse_env_pairs
from loanqa.report.quality_gate import read_verdict

_dir = click.Path(path_type=Path)


@click.command()
@click.option("--results", "results", multiple=True, required=True, type=_dir,
              help="allure-results directory (repeatable; more may follow as arguments).")
@click.argument("more_results", nargs=-1, type=_dir)
@click.option("--out", "out_dir", required=True, type=_dir, help="Report directory (replaced atomically).")
@click.option("--single-file", is_flag=True, help="One self-contained index.html, for mail and chat.")
@click.option("--history-from", type=_dir, help="Previous report directory (or its history.jsonl) for trends.")
@click.option("--env", "env_pairs", multiple=True, metavar="KEY=VALUE",
              help="Environment shown in the report: build, target, matrix, network mix… (repeatable).")
@click.option("--name", default="loanqa", show_default=True, help="Report title.")
@click.option("--gate-verdict", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The JSON of `loanqa gate --json-out`: shown in the report's Quality Gates tab.")
def report(results: tuple[Path, ...], more_results: tuple[Path, ...], out_dir: Path, single_file: bool,
           history_from: Path | None, env_pairs: tuple[str, ...], name: str, gate_verdict: Path | None) -> None:
    """Build the Allure 3 report of one run from all its results directories.

    --single-file makes one index.html that opens from disk (a report folder needs a web server: opened
    as a file it shows a spinner); its screenshots are scaled JPEGs so it stays a few MB.
    """
    verdict = read_verdict(gate_verdict) if gate_verdict else None
    out = build([*results, *more_results], out_dir, single_file=single_file, history_from=history_from,
                env=parse_env_pairs(env_pairs), name=name, verdict=verdict)
    runs = f", history of {out.history_entries} runs" if out.history_entries else ""
    click.echo(f"report: {out.index}{runs}")
