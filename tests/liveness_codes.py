"""What refapp's liveness check (CONTRACT.md) must answer for each camera scenario; None = passes."""

from __future__ import annotations

from loanqa_devicetests.camera import Scenario

EXPECTED_CODE: dict[Scenario, str | None] = {
    Scenario.GOOD: None,
    Scenario.DARK: "FACE_TOO_DARK",
    Scenario.NO_FACE: "FACE_NOT_FOUND",
    Scenario.NO_BLINK: "FACE_NO_BLINK",
    Scenario.BAD_ANGLE: "FACE_BAD_ANGLE",
}
