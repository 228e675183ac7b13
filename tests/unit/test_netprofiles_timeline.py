"""Outage schedules, and the driver run against an injected clock (no real waiting)."""

from __future__ import annotations

import itertools
import random

import pytest

from loanqa_netprofiles.models import Timeline
from loanqa_netprofiles.server.toxics.timing import _cuts
from loanqa_netprofiles.timeline import TimelineDriver, is_down, next_change

SUBWAY = Timeline(every_s=40, down_s=6, offset_s=20)
ELEVATOR = Timeline(down_s=45, offset_s=10)


@pytest.mark.parametrize(("t", "down", "nxt"), [
    (0, False, 20), (19.99, False, 20), (20, True, 26), (25.9, True, 26), (26, False, 60), (61, True, 66),
])
def test_periodic_schedule(t: float, down: bool, nxt: float) -> None:
    assert is_down(SUBWAY, t) is down
    assert next_change(SUBWAY, t) == pytest.approx(nxt)


def test_one_shot_schedule_ends() -> None:
    assert [is_down(ELEVATOR, t) for t in (5, 10, 54.9, 55, 500)] == [False, True, True, False, False]
    assert next_change(ELEVATOR, 30) == 55 and next_change(ELEVATOR, 55) is None


class FakeTime:
    """A clock that only moves when the driver waits; stops the driver after `horizon` seconds."""

    def __init__(self, horizon: float) -> None:
        self.now, self.horizon = 1000.0, horizon

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        if self.now + seconds > 1000.0 + self.horizon:
            return True
        self.now += seconds
        return False


def run(timeline: Timeline, horizon: float) -> tuple[TimelineDriver, list[tuple[float, str]]]:
    fake = FakeTime(horizon)
    calls: list[tuple[float, str]] = []
    driver = TimelineDriver(timeline, lambda: calls.append((fake.now - 1000, "down")),
                            lambda: calls.append((fake.now - 1000, "up")), clock=fake.clock)
    driver.wait = fake.wait  # type: ignore[method-assign]
    driver.run()
    return driver, calls


def test_driver_switches_exactly_on_schedule() -> None:
    _, calls = run(SUBWAY, 130)
    assert calls == [(20, "down"), (26, "up"), (60, "down"), (66, "up"), (100, "down"), (106, "up")]


def test_driver_runs_a_one_shot_outage_once() -> None:
    _, calls = run(ELEVATOR, 10_000)
    assert calls == [(10, "down"), (55, "up")]


def test_stop_while_down_brings_the_link_back() -> None:
    driver, calls = run(SUBWAY, 22)
    assert calls == [(20, "down")] and driver.down
    driver.stop()
    assert calls[-1][1] == "up" and not driver.down


def test_a_failing_switch_is_recorded_not_fatal() -> None:
    fake = FakeTime(70)

    def boom() -> None:
        raise OSError("toxiproxy gone")

    driver = TimelineDriver(SUBWAY, boom, lambda: None, clock=fake.clock)
    driver.wait = fake.wait  # type: ignore[method-assign]
    driver.run()
    assert len(driver.errors) == 2 and [t.down for t in driver.transitions] == [True, False, True, False]


def test_slicer_cuts_cover_the_chunk_within_variation() -> None:
    random.seed(3)
    cuts = _cuts(0, 10_000, 100, 20)
    assert cuts[0][0] == 0 and cuts[-1][1] == 10_000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cuts))
    assert all(1 <= hi - lo <= 120 for lo, hi in cuts)
