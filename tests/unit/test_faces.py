"""The shared face photo: the one scikit-image ships, blinking as liveness expects, and cheap to load."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from loanqa import faces
from loanqa.liveness_frames import blinking_frames
from refapp import liveness


def test_photo_is_scikit_images_astronaut_in_bgr() -> None:
    from skimage import data

    rgb = np.asarray(data.astronaut(), dtype=np.uint8)  # type: ignore[no-untyped-call]
    assert np.array_equal(faces.photo(), rgb[:, :, ::-1])


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
