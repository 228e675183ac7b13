"""Device-run outputs: a failing and a broken test leave no PII or credential on the terminal or in Allure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import allure_commons
import pytest

from loanqa.masking import clear_secrets, register_pii, register_secret
from loanqa_devicetests.masking import OutputMasking

pytest_plugins = ["pytester"]
NAME, PHONE, ID_NUMBER, KEY = "欧阳海燕", "13912345678", "330106198704130564", "AK-canary-5e1f"

PROBE = f"""
import pytest
from loanqa.synthetic import Borrower

BORROWER = Borrower(phone="{PHONE}", name="{NAME}", id_number="{ID_NUMBER}", device_id="dev-1")


@pytest.fixture
def session():
    raise RuntimeError('session not created: {{"bstack:options": {{"accessKey": "{KEY}"}}}} '
                       'via https://alice:{KEY}@hub.example/wd/hub')


def test_broken(session):
    pass


def test_failed():
    print("borrower", BORROWER.name, BORROWER.phone, BORROWER.id_number)
    assert BORROWER.name + BORROWER.phone == BORROWER.id_number, [BORROWER.name, BORROWER.phone]
"""


@pytest.fixture
def masking() -> Iterator[OutputMasking]:
    register_pii(NAME)
    register_secret(KEY)
    plugin = OutputMasking()
    allure_commons.plugin_manager.register(plugin)
    yield plugin
    allure_commons.plugin_manager.unregister(plugin)
    clear_secrets()


def test_failed_and_broken_results_are_masked_everywhere(pytester: pytest.Pytester, masking: OutputMasking,
                                                          tmp_path: Path) -> None:
    pytester.makepyfile(PROBE)
    results = tmp_path / "allure-results"
    run = pytester.runpytest_inprocess("--alluredir", str(results), "-rA", plugins=[masking])
    run.assert_outcomes(failed=1, errors=1)
    outputs = {"terminal": run.stdout.str() + run.stderr.str()}
    outputs |= {p.name: p.read_text(encoding="utf-8") for p in results.iterdir()}
    assert len(outputs) >= 3  # the terminal, two results, a container
    leaks = [(where, canary) for where, text in outputs.items() for canary in (NAME, PHONE, ID_NUMBER, KEY)
             if canary in text]
    assert leaks == []
    assert "139****5678" in outputs["terminal"] and "欧***" in outputs["terminal"]
    assert any('"status": "broken"' in t and "session not created" in t for t in outputs.values())


def test_hub_error_text_and_hub_credentials_are_masked(masking: OutputMasking) -> None:
    from selenium.common.exceptions import SessionNotCreatedException

    from loanqa.report.environment import render_properties
    from loanqa_devicetests.session import _short

    echoed = SessionNotCreatedException(f'Could not start a new session. {{"accessKey": "{KEY}", "user": "alice"}}')
    assert KEY not in _short(echoed) and "Could not start a new session" in _short(echoed)
    props = render_properties({"appium": f"https://alice:{KEY}@hub.example/wd/hub"})
    assert props == "appium=https://****@hub.example/wd/hub\n"
