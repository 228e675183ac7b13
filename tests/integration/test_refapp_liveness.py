"""Liveness over HTTP with frames derived from a real face photo: each camera scenario gets its own code."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from loanqa.contract_client import JourneyClient
from loanqa_devicetests.camera import Scenario
from tests.integration.refapp_helpers import borrower, expect, logged_in, scenario_frames
from tests.liveness_codes import EXPECTED_CODE


@pytest.fixture(scope="module")
def verified(refapp_url: str) -> Iterator[JourneyClient]:
    """One borrower with identity verified; liveness may be retried as often as a borrower likes."""
    with httpx.Client(base_url=refapp_url, timeout=30) as http:
        b = borrower(random.Random("liveness"))
        client = logged_in(http, b)
        expect(client.identity(b), 200)
        yield client


@pytest.mark.parametrize("scenario", list(Scenario), ids=str)
def test_each_camera_scenario_gets_its_code(verified: JourneyClient, scenario: Scenario) -> None:
    step = verified.liveness(scenario_frames(scenario))
    if EXPECTED_CODE[scenario] is None:
        body = expect(step, 200)
        assert body["passed"] is True and body["frames"] == 8 and 0.5 <= body["score"] <= 1
    else:
        body = expect(step, 422, EXPECTED_CODE[scenario])
        assert body["hint"], "a borrower must be told what to do"


def test_hints_are_ones_a_borrower_understands(verified: JourneyClient) -> None:
    assert expect(verified.liveness(scenario_frames(Scenario.DARK)), 422)["hint"] == "光线不足，请到明亮处"
    assert expect(verified.liveness(scenario_frames(Scenario.NO_BLINK)), 422)["hint"] == "请眨眨眼"


@pytest.mark.parametrize("frames", [
    pytest.param(["aGVsbG8="] * 4, id="not-images"),
    pytest.param([], id="none"),
])
def test_unusable_frames_are_refused(verified: JourneyClient, frames: list[str]) -> None:
    expect(verified.liveness(frames), 422, "FACE_FRAMES_INVALID")


def test_data_url_frames_pass(verified: JourneyClient) -> None:
    frames = ["data:image/jpeg;base64," + f for f in scenario_frames(Scenario.GOOD)]
    expect(verified.liveness(frames), 200)
