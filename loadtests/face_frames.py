"""Camera frames that pass liveness: a real face photo that blinks, as the H5 page would upload them.

The face is scikit-image's public-domain astronaut photo (shipped offline); for a blink, both eyes are
painted over in skin tone, which OpenCV's eye detector (what a liveness check uses) no longer finds.
Built once per process and reused, so a load process spends no CPU on images per request.
"""

from __future__ import annotations

import base64
import importlib.util
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

_CROP = (64, 0, 320, 240)  # x, y, w, h of the face in the 512x512 photo
_EYES = ((187, 86, 29, 29), (232, 89, 29, 29))
_CHEEK = (205, 130, 40, 10)

Image = npt.NDArray[np.uint8]


def _photo() -> Image:
    """Read straight from scikit-image's data folder: importing skimage would stall a load process."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        raise RuntimeError("scikit-image is not installed; run ci/setup.sh")
    path = Path(spec.origin).parent / "data" / "astronaut.png"
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError(f"cannot read the face photo {path}")
    return np.asarray(img, dtype=np.uint8)


def _eyes_closed(img: Image) -> Image:
    out = img.copy()
    cx, cy, cw, ch = _CHEEK
    skin = out[cy:cy + ch, cx:cx + cw].reshape(-1, 3).mean(axis=0).astype(np.uint8)
    for x, y, w, h in _EYES:
        out[y + 6:y + h - 4, x + 2:x + w - 2] = skin
        region = out[y - 4:y + h + 4, x - 4:x + w + 4]
        out[y - 4:y + h + 4, x - 4:x + w + 4] = np.asarray(cv2.GaussianBlur(region, (9, 9), 0), dtype=np.uint8)
    return out


def _jpeg_b64(img: Image) -> str:
    x, y, w, h = _CROP
    ok, buf = cv2.imencode(".jpg", img[y:y + h, x:x + w], [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG frame")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


@cache
def _encoded() -> tuple[str, str]:
    photo = _photo()
    return _jpeg_b64(photo), _jpeg_b64(_eyes_closed(photo))


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
