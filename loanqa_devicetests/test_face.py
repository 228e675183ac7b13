"""Face recognition per device: a good face passes; a bad feed shows its hint and a working retry.

The good face has its own test although e-sign and layout walk through it too: otherwise a device that
rejects real faces would show a green "Face recognition" feature and a red "E-sign" one in Allure.
"""

from __future__ import annotations

import pytest

from loanqa import allure_labels as labels
from loanqa.taxonomy import Cause
from loanqa_devicetests import reporting as R
from loanqa_devicetests.flows import pass_face, to_face
from loanqa_devicetests.outcomes import DeviceFailure
from loanqa_devicetests.phone import Phone

pytestmark = [R.epic(labels.EPIC_DEVICES), R.feature(labels.FEATURE_FACE)]

HINTS = {"FACE_TOO_DARK": "光线不足", "FACE_NOT_FOUND": "面部", "FACE_NO_BLINK": "眨"}
REJECTED = [("dark", "FACE_TOO_DARK"), ("no_face", "FACE_NOT_FOUND"), ("no_blink", "FACE_NO_BLINK")]


@R.story("A good face passes liveness and the application follows")
@R.severity("blocker")
def test_good_face_passes(phone: Phone) -> None:
    face = to_face(phone)
    pass_face(phone, face)
    with phone.step("the application page follows the passed check"):
        face.wait_page("apply")


@R.story("A bad camera feed is rejected with the right hint and a working retry")
@R.severity("critical")
@pytest.mark.parametrize(("scenario", "code"), REJECTED, ids=[s for s, _ in REJECTED])
def test_bad_face_hint_and_retry(phone: Phone, scenario: str, code: str) -> None:
    face, dev = to_face(phone), phone.device.name
    with phone.step(f"liveness with a {scenario} feed"):
        face.start()
        first = face.outcome()
    _expect_hint(dev, face.hint_text(), first, code)
    with phone.step("tap retry: the camera films again"):
        face.retry()
        face.wait_until(lambda: not face.visible("face-retry"), "retry accepted (retry button hidden)", 10)
        second = face.outcome()
    _expect_hint(dev, face.hint_text(), second, code)


def _expect_hint(device: str, text: str, shown: str, code: str) -> None:
    if shown != code:
        raise DeviceFailure(Cause.FACE, device, f"expected hint {code}, screen shows {shown} ({text!r})")
    if HINTS[code] not in text:
        raise DeviceFailure(Cause.FACE, device, f"hint for {code} does not tell the borrower what to do: {text!r}")
