"""Camera frames that pass liveness: the face photo (loanqa.faces) blinking, as the H5 page uploads them.

Used wherever a journey is walked over HTTP (the Locust borrower, `loanqa journey`, benchmarks). Encoded
once per process and reused, so a load process spends no CPU on images per request.
"""

from __future__ import annotations

import base64
from functools import cache

import cv2

from loanqa import faces


def _jpeg_b64(img: faces.Image) -> str:
    ok, buf = cv2.imencode(".jpg", faces.crop(img, faces.FACE_CROP), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG frame")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


@cache
def _encoded() -> tuple[str, str]:
    return _jpeg_b64(faces.photo()), _jpeg_b64(faces.eyes_closed_photo())


def warm() -> None:
    """Encode the frames before the run starts, not in the first borrower's request."""
    _encoded()


@cache
def blinking_frames(n: int = 8) -> tuple[str, ...]:
    """`n` frames (3..30), eyes shut in the middle third: open, shut, open is what a blink looks like."""
    if not 3 <= n <= 30:
        raise ValueError(f"liveness takes 3..30 frames, not {n}")
    open_, shut = _encoded()
    return tuple(shut if n // 3 <= i < max(n // 3 + 1, 2 * n // 3) else open_ for i in range(n))
