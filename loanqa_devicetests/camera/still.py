"""One still image of a scenario, for injectors that show a picture rather than play a video."""

from __future__ import annotations

import base64

import cv2


def still_png(scenario: str) -> bytes:
    """The first capture frame of the scenario as PNG, lossless, the same pixels the video starts with."""
    from loanqa_devicetests.camera.scenarios import frames

    ok, buf = cv2.imencode(".png", frames(scenario, n=1)[0])
    if not ok:
        raise ValueError(f"OpenCV could not encode scenario {scenario!r} as PNG")
    return bytes(buf.tobytes())


def still_b64(scenario: str) -> str:
    return base64.b64encode(still_png(scenario)).decode("ascii")
