"""`loanqa journey`: walk synthetic borrowers through the whole journey over HTTP and name each outcome.

A smoke check of any target that speaks the contract (default: the refapp `loanqa up` runs), walking the
one journey definition (loanqa.journey_steps) with the core contract client. Every attempt goes to the
run's event log, so `loanqa explain OUT --loan ID` can tell one loan's story. Business rejections are
printed but are not failures; technical and process failures, and payouts left unconfirmed, make the exit
code non-zero.
"""

from __future__ import annotations

import random
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import click
import httpx

from loanqa.cli.context import Settings
from loanqa.cli.embedded import embedded
from loanqa.contract_client import EventSink, Journey, JourneyClient, Step
from loanqa.errors import ConfigError, RunFailed
from loanqa.eventlog import EventLogWriter, RunInfo, merge, write_run_info
from loanqa.liveness_frames import blinking_frames
from loanqa.paths import project_root
from loanqa.synthetic import make_borrower
from loanqa.taxonomy import Outcome, outcome_of


def _base_url(target: str) -> str:
    """A typo in --target must read as a usage error, not as a network failure of the target."""
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError on a port outside 0-65535
    except ValueError as exc:
        raise ConfigError("--target", "", target, str(exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("--target", "", target, "must be an http:// or https:// URL with a host")
    return target.rstrip("/")


def _verdict(step: Step) -> tuple[str, Outcome]:
    if step.unconfirmed:
        return "unconfirmed: the payout did not settle before the deadline", Outcome.FAILURE
    attempt = step.attempt
    if step.error is not None:
        return f"network ({step.error})", Outcome.FAILURE
    cause = attempt.cause
    if cause is None:
        return "ok" + (" (replayed)" if step.replayed else ""), Outcome.SUCCESS
    return f"{step.code or step.status} -> {cause.value} ({cause.cause_class.value})", outcome_of(cause)


def _print(index: int, journey: Journey) -> Outcome:
    worst = Outcome.SUCCESS
    for step in journey.steps:
        text, outcome = _verdict(step)
        click.echo(f"borrower {index:>3}  {step.name:<9} {step.status or '---':>3}  {step.elapsed_ms:7.1f} ms  {text}")
        worst = outcome if outcome is not Outcome.SUCCESS else worst
    if journey.loan_id:
        click.echo(f"borrower {index:>3}  loan {journey.loan_id}  journey {journey.journey_id}")
    return worst


@click.command()
@click.option("--target", help="Base URL of the lending API (default: the refapp `loanqa up` started).")
@click.option("--borrowers", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="Synthetic borrowers are derived from it.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="Seconds per request and for the payout to finish.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the event log (default: loanqa-results/journey-<time>).")
@click.pass_obj
def journey(settings: Settings, target: str | None, borrowers: int, seed: int, timeout: float,
            out: Path | None) -> None:
    """Walk borrowers through OTP → identity → liveness → apply → sign → disburse → payout."""
    run_id = time.strftime("journey-%Y%m%d-%H%M%S")
    folder = out or project_root() / "loanqa-results" / run_id
    tally = dict.fromkeys(Outcome, 0)
    with ExitStack() as stack:
        base = _base_url(target) if target else embedded(settings, stack, "refapp").rstrip("/")
        frames = [f.split(",", 1)[1] for f in blinking_frames(8)]
        write_run_info(folder, RunInfo(run_id=run_id, runner="journey", target=base))
        writer = stack.enter_context(EventLogWriter(folder, f"journey-{run_id}"))
        http = stack.enter_context(httpx.Client(base_url=base, timeout=timeout))
        for i in range(1, borrowers + 1):
            client = JourneyClient(http, poll_deadline_s=timeout, events=EventSink(writer, run_id))
            tally[_print(i, client.walk(make_borrower(random.Random(seed * 100_003 + i)), frames))] += 1
    merge(folder)
    click.echo(f"{borrowers} journeys: {tally[Outcome.SUCCESS]} paid out, {tally[Outcome.BUSINESS]} rejected "
               f"(business), {tally[Outcome.FAILURE]} failed; event log {folder} (loanqa explain {folder} --loan ID)")
    if tally[Outcome.FAILURE]:
        raise RunFailed(f"{tally[Outcome.FAILURE]} of {borrowers} journeys failed technically against {base}")
