"""The embedded Toxiproxy against the real Toxiproxy 2.12.0: same calls, same answers, same state.

Two modes, both in the test command:
- recorded: the embedded server's transcripts equal the real server's, recorded into
  tests/data/toxiproxy-2.12.0/ by `python -m tests.toxiproxy_diff.record` (always runs);
- live: with LOANQA_TOXIPROXY_REFERENCE (toxiproxy-server or its folder) or TOXIPROXY_URL, both servers
  run side by side here, and the recordings are checked against the live real server too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.toxiproxy_diff import servers
from tests.toxiproxy_diff.clients import cli_transcript, python_transcript
from tests.toxiproxy_diff.record import PYTHON_CLIENT, load
from tests.toxiproxy_diff.scenarios import SCENARIOS
from tests.toxiproxy_diff.wire import transcript

pytestmark = [pytest.mark.toxiproxy, pytest.mark.xdist_group("toxiproxy-differential")]

STALE = "the recording is stale: re-run `python -m tests.toxiproxy_diff.record` with a real server"
NO_REAL = ("no real Toxiproxy here: set LOANQA_TOXIPROXY_REFERENCE (ci/test.sh does when "
           "../shared/tools/toxiproxy-2.12.0 exists) or TOXIPROXY_URL; the recorded mode still ran")


@pytest.fixture(scope="module")
def embedded_url() -> Iterator[str]:
    with servers.embedded() as url:
        yield url


@pytest.fixture(scope="module")
def real_url() -> Iterator[str]:
    if not servers.have_real():
        pytest.skip(NO_REAL)
    with servers.real() as url:
        yield url


def differences(expected: list[Any], got: list[Any]) -> list[str]:
    """One line per differing step, naming the step and both answers."""
    out = [f"step {i}: {exp.get('request', exp) if isinstance(exp, dict) else exp[0]}\n"
           f"   real:     {exp}\n   embedded: {g}"
           for i, (exp, g) in enumerate(zip(expected, got, strict=False)) if exp != g]
    if len(expected) != len(got):
        out.append(f"{len(expected)} steps recorded, {len(got)} run")
    return out


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_embedded_answers_as_recorded_real_server(embedded_url: str, scenario: str) -> None:
    diff = differences(load(scenario), transcript(embedded_url, SCENARIOS[scenario]))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_embedded_answers_as_live_real_server(real_url: str, embedded_url: str, scenario: str) -> None:
    real = transcript(real_url, SCENARIOS[scenario])
    diff = differences(real, transcript(embedded_url, SCENARIOS[scenario]))
    assert not diff, "\n".join(diff)
    assert real == load(scenario), STALE


def test_toxiproxy_python_transcript_as_recorded(embedded_url: str) -> None:
    diff = differences(load(PYTHON_CLIENT), python_transcript(embedded_url))
    assert not diff, "\n".join(diff)


def test_toxiproxy_python_transcript_live(real_url: str, embedded_url: str) -> None:
    real = python_transcript(real_url)
    diff = differences(real, python_transcript(embedded_url))
    assert not diff, "\n".join(diff)
    assert real == load(PYTHON_CLIENT), STALE


def test_toxiproxy_cli_transcript_live(real_url: str, embedded_url: str) -> None:
    """The real toxiproxy-cli (beside toxiproxy-server) prints the same against both servers."""
    cli = servers.real_binary("toxiproxy-cli")
    if cli is None:
        pytest.skip("toxiproxy-cli is found beside LOANQA_TOXIPROXY_REFERENCE; only TOXIPROXY_URL is set")
    real = cli_transcript(real_url, cli)
    diff = differences(real, cli_transcript(embedded_url, cli))
    assert not diff, "\n".join(diff)
    assert any("Added downstream latency toxic" in step[2] for step in real)
