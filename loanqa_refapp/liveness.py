"""Liveness: really looks at the camera frames with OpenCV's bundled Haar cascades.

Checks run cheapest-first and each failure has its own code, because a borrower can act on each one
differently (move to the light, face the phone, blink). CPU-bound: callers run `assess` in a thread.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]

MIN_FRAMES, MAX_FRAMES = 3, 30
MAX_FRAME_BYTES = 2_000_000
DARK_MEAN = 40.0  # mean luma below this: the face can't be judged
WORK_WIDTH = 320
TILTS = (-30.0, 30.0)

HINTS = {
    "FACE_FRAMES_INVALID": "图像无法识别，请重试",
    "FACE_NOT_FOUND": "请将面部置于取景框内",
    "FACE_TOO_DARK": "光线不足，请到明亮处",
    "FACE_NO_BLINK": "请眨眨眼",
    "FACE_BAD_ANGLE": "请正对手机",
}

cv2.setNumThreads(1)  # the server's threadpool is the parallelism; nested pools only thrash 2 cores
_local = threading.local()


class FramesInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Verdict:
    code: str | None
    score: float
    frames: int


def _cascade(name: str) -> Any:
    cache: dict[str, Any] = _local.__dict__.setdefault("cascades", {})
    if name not in cache:
        cache[name] = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    return cache[name]


def decode_frames(items: list[str]) -> list[Gray]:
    """Base64 JPEG/PNG (data-URL prefix allowed) to grayscale at the working width."""
    if not MIN_FRAMES <= len(items) <= MAX_FRAMES:
        raise FramesInvalid(f"need {MIN_FRAMES}..{MAX_FRAMES} frames, got {len(items)}")
    return [_decode_one(i, item) for i, item in enumerate(items)]


def _decode_one(index: int, item: str) -> Gray:
    payload = item.split(",", 1)[1] if item.startswith("data:") else item
    try:
        raw = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise FramesInvalid(f"frame {index} is not base64") from None
    if len(raw) > MAX_FRAME_BYTES:
        raise FramesInvalid(f"frame {index} is larger than {MAX_FRAME_BYTES} bytes")
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise FramesInvalid(f"frame {index} is not a JPEG or PNG image")
    h, w = img.shape[:2]
    if w > WORK_WIDTH:
        img = cv2.resize(img, (WORK_WIDTH, max(1, h * WORK_WIDTH // w)), interpolation=cv2.INTER_AREA)
    return np.asarray(img, dtype=np.uint8)


def _face(gray: Gray) -> tuple[int, int, int, int] | None:
    """The largest frontal face, searched at half the working size (4x fewer windows), in full-size pixels."""
    h, w = gray.shape[:2]
    small = cv2.equalizeHist(cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    side = max(24, min(h, w) // 10)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        small, scaleFactor=1.15, minNeighbors=4, minSize=(side, side))
    if len(found) == 0:
        return None
    x, y, bw, bh = max(found, key=lambda b: int(b[2]) * int(b[3]))
    return int(x) * 2, int(y) * 2, int(bw) * 2, int(bh) * 2


def _eyes_open(gray: Gray, box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    upper = cv2.equalizeHist(gray[y:y + h * 5 // 8, x:x + w])
    side = max(8, w // 8)
    eyes = _cascade("haarcascade_eye.xml").detectMultiScale(upper, 1.1, 5, minSize=(side, side))
    return len(eyes) > 0


def _tilted_face(gray: Gray) -> bool:
    """A face the frontal detector finds (eyes and all) only after straightening the frame."""
    h, w = gray.shape[:2]
    for angle in TILTS:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = np.asarray(cv2.warpAffine(gray, m, (w, h), borderMode=cv2.BORDER_REPLICATE), dtype=np.uint8)
        box = _face(turned)
        if box is not None and _eyes_open(turned, box):
            return True
    return False


def assess(grays: list[Gray]) -> Verdict:
    n = len(grays)
    if sum(float(g.mean()) < DARK_MEAN for g in grays) * 2 > n:
        return Verdict("FACE_TOO_DARK", 0.0, n)
    boxes = [_face(g) for g in grays]
    seen = [(g, b) for g, b in zip(grays, boxes, strict=True) if b is not None]
    if len(seen) * 2 < n:
        faceless = [g for g, b in zip(grays, boxes, strict=True) if b is None]
        code = "FACE_BAD_ANGLE" if any(_tilted_face(g) for g in faceless[:2]) else "FACE_NOT_FOUND"
        return Verdict(code, round(len(seen) / n, 3), n)
    open_eyes = [_eyes_open(g, b) for g, b in seen]
    if all(open_eyes) or not any(open_eyes):
        return Verdict("FACE_NO_BLINK", round(len(seen) / n * 0.5, 3), n)
    return Verdict(None, round(len(seen) / n, 3), n)
