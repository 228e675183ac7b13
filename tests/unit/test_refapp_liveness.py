"""The liveness checks on the camera scenarios, without a server: one code per scenario, deterministic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from loanqa_devicetests.camera import Scenario, frames, write_y4m
from loanqa_devicetests.camera.scenarios import eyes_closed_at
from loanqa_refapp import liveness
from tests.integration.refapp_helpers import scenario_frames
from tests.liveness_codes import EXPECTED_CODE


@pytest.mark.parametrize("scenario", list(Scenario), ids=str)
def test_each_scenario_gets_its_code(scenario: Scenario) -> None:
    assert liveness.assess(liveness.decode_frames(scenario_frames(scenario))).code == EXPECTED_CODE[scenario]


def test_frames_are_deterministic_and_sized() -> None:
    a, b = frames(Scenario.GOOD, n=3, size=(160, 120)), frames(Scenario.GOOD, n=3, size=(160, 120))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert a[0].shape == (120, 160, 3) and a[0].dtype == np.uint8


def test_good_blinks_in_every_h5_capture_window() -> None:
    """The H5 page grabs 8 frames 200 ms apart, starting anywhere in the 10 fps loop."""
    for start in range(40):
        ticks = [(start + 2 * i) % 40 for i in range(8)]
        closed = [eyes_closed_at(Scenario.GOOD, t) for t in ticks]
        assert any(closed) and not all(closed), start


def test_frame_count_and_content_are_checked() -> None:
    with pytest.raises(liveness.FramesInvalid, match=r"3\.\.30"):
        liveness.decode_frames(scenario_frames(Scenario.GOOD)[:2])
    with pytest.raises(liveness.FramesInvalid, match="frame 0 is not a JPEG or PNG"):
        liveness.decode_frames(["aGVsbG8="] * 3)


def test_y4m_is_a_playable_c420_file(tmp_path: Path) -> None:
    path = write_y4m(Scenario.NO_BLINK, tmp_path / "cam.y4m", fps=10, seconds=1, size=(64, 48))
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    assert header == b"YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420"
    frame = 64 * 48 * 3 // 2
    assert rest.count(b"FRAME\n") >= 10 and len(rest) == 10 * (6 + frame)
    y = np.frombuffer(rest[6:6 + 64 * 48], np.uint8).reshape(48, 64)
    assert 60 < float(y.mean()) < 200
