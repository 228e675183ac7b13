"""Device providers: how a matrix entry becomes Appium capabilities (emulated, lab, cloud)."""

from __future__ import annotations

from pathlib import Path

from loanqa_devicetests.matrix import Matrix
from loanqa_devicetests.providers.protocol import DeviceProvider


def provider_for(matrix: Matrix, cache_dir: Path) -> DeviceProvider:
    if matrix.provider == "emulated":
        from loanqa_devicetests.providers.emulated import EmulatedProvider

        return EmulatedProvider(cache_dir)
    if matrix.provider == "lab":
        from loanqa_devicetests.providers.lab import LabProvider

        return LabProvider()
    from loanqa_devicetests.providers.cloud import CloudProvider

    assert matrix.auth is not None  # the matrix validator requires it for clouds
    return CloudProvider(matrix.auth)


__all__ = ["DeviceProvider", "provider_for"]
