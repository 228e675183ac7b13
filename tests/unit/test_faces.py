"""The shared face photo: shipped in the wheel, blinking as liveness expects, and cheap to load."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from loanqa import faces
from loanqa.liveness_frames import blinking_frames
from loanqa_refapp import liveness


def test_shipped_photo_is_the_512px_colour_face_and_its_no_face_crop_has_none() -> None:
    img = faces.photo()
    assert img.shape == (512, 512, 3)
    gray = cv2.cvtColor(faces.crop(img, faces.NO_FACE_CROP), cv2.COLOR_BGR2GRAY)
    frames = [np.asarray(gray, dtype=np.uint8)] * 3
    assert liveness.assess(frames).code == "FACE_NOT_FOUND"


@pytest.mark.parametrize("n", [3, 8, 30])
def test_load_borrowers_blinking_frames_pass_liveness(n: int) -> None:
    frames = [f.split(",", 1)[1] for f in blinking_frames(n)]
    assert liveness.assess(liveness.decode_frames(frames)).code is None


def test_load_borrowers_frames_never_import_scikit_image() -> None:
    """`import skimage` takes seconds; in a gevent load process that stalls every borrower."""
    code = ("import sys; from loanqa.liveness_frames import warm; warm(); "
            "print('skimage' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"
