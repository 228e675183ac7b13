"""`loanqa journey`: walk synthetic borrowers through the whole journey over HTTP and name each outcome.

A smoke check of any target that speaks the contract; business rejections are printed but are not
failures, technical and process failures make the exit code non-zero.
"""

from __future__ import annotations

import base64
import random
from urllib.parse import urlsplit

import click
import httpx

from loanqa.errors import ConfigError, RunFailed
from loanqa.synthetic import make_borrower
from loanqa.taxonomy import Outcome, cause_for_response, outcome_of
from refapp.client import Journey, JourneyClient, Step


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


def _good_frames() -> list[str]:
    from devicetests.camera import Scenario, encode_jpeg, frames

    return [base64.b64encode(encode_jpeg(f)).decode() for f in frames(Scenario.GOOD)]


def _verdict(step: Step) -> tuple[str, Outcome]:
    if step.error is not None:
        return f"network ({step.error})", Outcome.FAILURE
    cause = cause_for_response(step.status, step.code)
    outcome = outcome_of(cause)
    if cause is None:
        return "ok", outcome
    return f"{step.code or step.status} -> {cause.value} ({cause.cause_class.value})", outcome


def _print(index: int, journey: Journey) -> Outcome:
    worst = Outcome.SUCCESS
    for step in journey.steps:
        text, outcome = _verdict(step)
        click.echo(f"borrower {index:>3}  {step.name:<9} {step.status or '---':>3}  {step.elapsed_ms:7.1f} ms  {text}")
        worst = outcome if outcome is not Outcome.SUCCESS else worst
    return worst


@click.command()
@click.option("--target", required=True, help="Base URL of the lending API, e.g. http://127.0.0.1:8600")
@click.option("--borrowers", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="Synthetic borrowers are derived from it.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="Seconds per request and for the payout to finish.")
def journey(target: str, borrowers: int, seed: int, timeout: float) -> None:
    """Walk borrowers through OTP → identity → liveness → apply → sign → disburse → status."""
    base = _base_url(target)
    frames = _good_frames()
    tally = dict.fromkeys(Outcome, 0)
    with httpx.Client(base_url=base, timeout=timeout) as http:
        for i in range(1, borrowers + 1):
            client = JourneyClient(http, poll_deadline_s=timeout)
            tally[_print(i, client.walk(make_borrower(random.Random(seed * 100_003 + i)), frames))] += 1
    click.echo(f"{borrowers} journeys: {tally[Outcome.SUCCESS]} paid out, {tally[Outcome.BUSINESS]} rejected "
               f"(business), {tally[Outcome.FAILURE]} failed")
    if tally[Outcome.FAILURE]:
        raise RunFailed(f"{tally[Outcome.FAILURE]} of {borrowers} journeys failed technically against {target}")
