"""Camera-feed scenarios built from the real public-domain face photo of `loanqa.faces`.

Every scenario is derived from it deterministically, so a liveness failure in a test is the scenario's,
never chance's.
The same timeline feeds `frames` (what the H5 page uploads: 8 frames at 200 ms) and `write_y4m`
(what Chromium plays as the phone camera at 10 fps), so both blink at the same moments.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np

from loanqa import atomic, faces

Frame = faces.Image

_TIMELINE_FPS = 10
_BLINK_PERIOD = 10  # frames: a blink every second ...
_BLINK_CLOSED = frozenset({4, 5, 6})  # ... with the eyes shut for 300 ms
_JITTER = (0, 1, 2, 1, 0, -1, -2, -1)  # hand shake, pixels
_DARK_GAIN = 0.12
_TILT_DEG = 30.0


class Scenario(StrEnum):
    GOOD = "good"
    DARK = "dark"
    NO_FACE = "no_face"
    NO_BLINK = "no_blink"
    BAD_ANGLE = "bad_angle"


def _shift(img: Frame, dx: int) -> Frame:
    h, w = img.shape[:2]
    m = np.array([[1.0, 0.0, dx], [0.0, 1.0, dx / 2]], dtype=np.float64)
    return faces.as_u8(cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE))


def _rotate(img: Frame, degrees: float) -> Frame:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return faces.as_u8(cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE))


def eyes_closed_at(scenario: Scenario, tick: int) -> bool:
    """Whether the face blinks at timeline frame `tick` (10 fps); only `good` ever closes its eyes."""
    return scenario is Scenario.GOOD and tick % _BLINK_PERIOD in _BLINK_CLOSED


def _frame_at(scenario: Scenario, tick: int) -> Frame:
    """Timeline frame `tick` at the camera's native 320x240."""
    if scenario is Scenario.NO_FACE:
        base = faces.crop(faces.photo(), faces.NO_FACE_CROP)
    else:
        source = faces.eyes_closed_photo() if eyes_closed_at(scenario, tick) else faces.photo()
        base = faces.crop(source, faces.FACE_CROP)
    img = _shift(base, _JITTER[tick % len(_JITTER)])
    if scenario is Scenario.DARK:
        img = np.clip(img.astype(np.float32) * _DARK_GAIN, 0, 255).astype(np.uint8)
    elif scenario is Scenario.BAD_ANGLE:
        img = _rotate(img, _TILT_DEG)
    return img


def _resize(img: Frame, size: tuple[int, int]) -> Frame:
    if (img.shape[1], img.shape[0]) == size:
        return img
    return faces.as_u8(cv2.resize(img, size, interpolation=cv2.INTER_AREA))


def frames(scenario: Scenario | str, n: int = 8, size: tuple[int, int] = (320, 240)) -> list[Frame]:
    """`n` BGR frames as the H5 page grabs them: one every 200 ms (every 2nd timeline frame)."""
    sc = Scenario(scenario)
    step = _TIMELINE_FPS // 5
    return [_resize(_frame_at(sc, i * step), size) for i in range(n)]


def encode_jpeg(frame: Frame, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("OpenCV could not encode the frame as JPEG")
    return bytes(buf.tobytes())


def write_y4m(scenario: Scenario | str, path: str | Path, fps: int = 10, seconds: int = 4,
              size: tuple[int, int] = (640, 480)) -> Path:
    """A YUV4MPEG2 (C420) file for Chromium's `--use-file-for-fake-video-capture`.

    Chromium loops the file; 4 s at 10 fps holds four whole blink periods, so the loop is seamless and
    any 1.6 s window of `good` holds a blink of at least 300 ms (two 200 ms captures can't both miss it).
    """
    sc, out = Scenario(scenario), Path(path)
    w, h = size
    if w % 2 or h % 2:
        raise ValueError(f"y4m C420 needs even width and height, got {w}x{h}")
    with atomic.replacing(out) as tmp, tmp.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420\n".encode("ascii"))
        for i in range(fps * seconds):
            tick = i * _TIMELINE_FPS // fps
            yuv = cv2.cvtColor(_resize(_frame_at(sc, tick), size), cv2.COLOR_BGR2YUV_I420)
            fh.write(b"FRAME\n")
            fh.write(yuv.tobytes())
    return out
