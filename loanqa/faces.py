"""The one face photo every camera feed is made from, and its blink, for load and device tests alike.

The face is the public-domain NASA portrait of Eileen Collins that scikit-image ships as `astronaut`, kept in
`loanqa/data` (see its README): depending on scikit-image for one photo pulled ~200 MB into every install and
image. Pure image code here keeps loadtests and devicetests from importing each other.
Where the face and eyes are was found once with OpenCV's Haar cascades (pixels of the 512x512 original).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from loanqa.errors import ComponentError

Image = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # x, y, w, h

PHOTO = Path(__file__).parent / "data" / "astronaut.png"
FACE_CROP: Box = (64, 0, 320, 240)  # the 320x240 "camera" view around the face
NO_FACE_CROP: Box = (0, 272, 320, 240)  # space suit and flag below the face
_EYES: tuple[Box, ...] = ((187, 86, 29, 29), (232, 89, 29, 29))
_CHEEK: Box = (205, 130, 40, 10)


def as_u8(arr: Any) -> Image:
    return np.asarray(arr, dtype=np.uint8)


def crop(img: Image, box: Box) -> Image:
    x, y, w, h = box
    return img[y:y + h, x:x + w]


@cache
def photo() -> Image:
    """The 512x512 photo as BGR (OpenCV's order); the same pixels as `skimage.data.astronaut()`."""
    img = cv2.imread(str(PHOTO), cv2.IMREAD_COLOR)
    if img is None:
        raise ComponentError(f"cannot read the face photo {PHOTO}; reinstall loanqa")
    return as_u8(img)


@cache
def eyes_closed_photo() -> Image:
    """Both eyes painted over in skin tone and blurred: OpenCV's eye cascade (a liveness check) finds none."""
    img = photo().copy()
    skin = crop(img, _CHEEK).reshape(-1, 3).mean(axis=0).astype(np.uint8)
    for x, y, w, h in _EYES:
        img[y + 6:y + h - 4, x + 2:x + w - 2] = skin
        region = img[y - 4:y + h + 4, x - 4:x + w + 4]
        img[y - 4:y + h + 4, x - 4:x + w + 4] = as_u8(cv2.GaussianBlur(region, (9, 9), 0))
    return img
