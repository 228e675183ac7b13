"""Device locks: one holder at a time, released on every exit path, busy devices are infrastructure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.allure_labels import cause_from_message
from loanqa.taxonomy import Cause
from loanqa_devicetests.locks import device_lock
from loanqa_devicetests.masking import mask
from loanqa_devicetests.outcomes import DeviceFailure, InfrastructureError
from loanqa_devicetests.session import Backoff


def test_lock_released_after_body_and_after_error(tmp_path: Path) -> None:
    with device_lock(tmp_path, "pixel-7", 1):
        with pytest.raises(InfrastructureError), device_lock(tmp_path, "pixel-7", 0.05):
            pass
        with device_lock(tmp_path, "iphone-se", 0.05):
            pass
    with device_lock(tmp_path, "pixel-7", 0.05):
        pass
    with pytest.raises(RuntimeError), device_lock(tmp_path, "pixel-7", 1):
        raise RuntimeError("test body failed")
    with device_lock(tmp_path, "pixel-7", 0.05):
        pass


def test_lock_held_by_another_process_is_broken_infrastructure(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from loanqa_devicetests.locks import device_lock\n"
         f"with device_lock(__import__('pathlib').Path({str(tmp_path)!r}), 'pixel-7', 5):\n"
         "    print('held', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InfrastructureError) as err, device_lock(tmp_path, "pixel-7", 0.2):
            pass
        assert cause_from_message(str(err.value)) is Cause.INFRASTRUCTURE
        assert "pixel-7" in str(err.value) and "busy" in str(err.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    with device_lock(tmp_path, "pixel-7", 1):
        pass


def test_failures_are_assertions_and_infrastructure_is_not() -> None:
    fail = DeviceFailure(Cause.FACE, "pixel-7", "hint missing")
    assert isinstance(fail, AssertionError) and str(fail) == "[face] pixel-7: hint missing"
    infra = InfrastructureError("pixel-7", "Appium down")
    assert not isinstance(infra, AssertionError) and str(infra).startswith("[infrastructure] ")


def test_backoff_grows() -> None:
    assert Backoff(attempts=4, first_delay_s=0.5).delays() == [0.5, 1.0, 2.0]


def test_mask_hides_pii_and_secrets() -> None:
    text = ('{"phone":"13812345678","id_number":"11010119900307803X","access_token":"abc.def",'
            '"name":"王伟"} Authorization: Bearer xyz123 https://user:key@hub.example/wd')
    out = mask(text, ["王伟"])
    for secret in ("13812345678", "11010119900307803X", "abc.def", "王伟", "xyz123", "user:key"):
        assert secret not in out
    assert "138****5678" in out and "110101********803X" in out and '"name":"王*"' in out
