"""The device tests only make sense with a matrix; say so instead of failing on a missing fixture."""

from __future__ import annotations

import pytest

from loanqa_devicetests.plugin import active


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not active(config) and any("devicetests" in i.nodeid for i in items):
        raise pytest.UsageError("the device suite needs --matrix FILE (e.g. devicetests/matrices/ci-emulated.yaml)")
