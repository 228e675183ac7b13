"""`loanqa explain RUN_DIR`: why was this loan not paid out? One loan's timeline from the run's event log.

Beside what the client saw, the target's own decision record (`GET /v1/admin/decisions/{loan_id}`, when
the target offers it, at the target URL the run recorded in summary.json), and one line in plain words.
`--cause` lists the loans lost to one cause, one line each. `--json` prints the same for tools.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import httpx

from loanqa.errors import ConfigError, ResultsError
from loanqa.eventlog import phone_ref, read_events, read_run_info
from loanqa.load_summary import FILE_NAME, read_summary
from loanqa.loan_story import LoanStory, one_line, stories, timeline_lines, why
from loanqa.taxonomy import Cause

CAUSES = [c.value for c in Cause] + ["unfinished"]


def _target(run_dir: Path) -> tuple[str, str]:
    """(run id, target URL) from summary.json (load) or eventlog-run.json (journey); ("", "") if neither."""
    path = run_dir / FILE_NAME
    if path.is_file():
        summary = read_summary(path)
        return summary.run_id, summary.target.rstrip("/")
    info = read_run_info(run_dir)
    return (info.run_id, info.target.rstrip("/")) if info else ("", "")


def decision(target: str, loan_id: str | None) -> dict[str, Any] | None:
    """The target's own audit of the application, or None when it offers none (or cannot be reached)."""
    if not target or not loan_id:
        return None
    try:
        resp = httpx.get(f"{target}/v1/admin/decisions/{loan_id}", timeout=5.0)
        data = resp.json() if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _select(found: dict[str, LoanStory], run_id: str, loan: str | None, phone: str | None,
            journey: str | None) -> LoanStory:
    if journey:
        match = [found[journey]] if journey in found else []
    elif loan:
        match = [s for s in found.values() if s.loan_id == loan]
    else:
        run_ids = {run_id} | {a.run_id for s in found.values() for a in s.attempts[:1]}
        refs = {phone_ref(rid, phone or "") for rid in run_ids}
        match = [s for s in found.values() if s.attempts and s.attempts[0].phone_ref in refs]
    if not match:
        what = f"--journey {journey}" if journey else f"--loan {loan}" if loan else "--phone (masked)"
        raise ResultsError(f"no journey in this run matches {what}")
    return match[-1]


def _story_json(story: LoanStory, audit: dict[str, Any] | None) -> dict[str, Any]:
    return {"journey_id": story.journey_id, "loan_id": story.loan_id, "profile": story.profile,
            "attempts": [a.model_dump(mode="json") for a in story.attempts],
            "end": story.end.model_dump(mode="json") if story.end else None,
            "target_decision": audit, "why": why(story)}


def _print_story(story: LoanStory, audit: dict[str, Any] | None, target: str) -> None:
    click.echo(f"journey {story.journey_id}  loan {story.loan_id or '-'}  profile {story.profile or '-'}")
    for line in timeline_lines(story):
        click.echo(f"  {line}")
    if audit is not None:
        rules, reasons = ", ".join(audit.get("rules") or []) or "-", ", ".join(audit.get("reasons") or []) or "-"
        click.echo(f"target's decision record: code {audit.get('code') or 'approved'}, rules {rules}, "
                   f"reasons {reasons}")
    elif target and story.loan_id:
        click.echo(f"target's decision record: none offered by {target}")
    click.echo(why(story))


def _lost_to(found: dict[str, LoanStory], cause: str, profile: str | None) -> list[LoanStory]:
    def matches(s: LoanStory) -> bool:
        end = s.end
        if end is None or (profile and s.profile != profile):
            return False
        return end.outcome == "unfinished" if cause == "unfinished" else bool(end.cause and end.cause.value == cause)

    return sorted((s for s in found.values() if matches(s)), key=lambda s: s.started_at)


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--loan", "loan", metavar="ID", help="The loan id as the target gave it.")
@click.option("--phone", metavar="PHONE", help="The borrower's phone (matched by digest; never stored).")
@click.option("--journey", "journey_id", metavar="ID", help="loanqa's journey id (journeys.csv).")
@click.option("--cause", type=click.Choice(CAUSES), help="List the loans lost to this cause, one line each.")
@click.option("--profile", help="With --cause: only borrowers on this network profile.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def explain(run_dir: Path, loan: str | None, phone: str | None, journey_id: str | None, cause: str | None,
            profile: str | None, as_json: bool) -> None:
    """Why was a loan not paid out? The loan's timeline, the target's decision record, one plain line."""
    chosen = [name for name, v in (("--loan", loan), ("--phone", phone), ("--journey", journey_id),
                                   ("--cause", cause)) if v]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --loan, --phone, --journey, --cause")
    if profile and not cause:
        raise ConfigError("--profile", "", profile, "only filters --cause")
    run_id, target = _target(run_dir)
    found = stories(read_events(run_dir))
    if cause:
        lost = _lost_to(found, cause, profile)
        if as_json:
            click.echo(json.dumps([{"journey_id": s.journey_id, "loan_id": s.loan_id, "profile": s.profile,
                                    "why": why(s)} for s in lost], ensure_ascii=False, indent=2))
            return
        for s in lost:
            click.echo(one_line(s))
        click.echo(f"{len(lost)} journeys lost to {cause}" + (f" on {profile}" if profile else ""))
        return
    story = _select(found, run_id, loan, phone, journey_id)
    audit = decision(target, story.loan_id)
    if as_json:
        click.echo(json.dumps(_story_json(story, audit), ensure_ascii=False, indent=2))
    else:
        _print_story(story, audit, target)
