"""Credentials and borrower PII never reach an attachment, a result or the terminal: everything passes here.

Text is masked by the core policy (`loanqa.masking`). Two hooks cover what the suite does not write itself:
pytest's reports (the failure trace and captured output the terminal and allure-pytest print) and every
Allure result and container just before allure-commons writes it (status messages and traces, fixture
failures such as a hub's error text that echoes the capabilities, parameters, step names).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

import allure_commons
import attr
import pytest

from loanqa.masking import mask_text


def mask(text: str, known: Iterable[str] = ()) -> str:
    """Registered secrets, URL credentials, phone and ID-number patterns, and the `known` names."""
    return mask_text(text, known)


def mask_tree(obj: Any) -> Any:
    """Masks every string inside an allure-commons model (attrs classes, lists, dicts) in place."""
    if isinstance(obj, str):
        return mask_text(obj)
    if isinstance(obj, list):
        obj[:] = [mask_tree(v) for v in obj]
    elif isinstance(obj, dict):
        for k in list(obj):
            obj[k] = mask_tree(obj[k])
    elif attr.has(type(obj)):
        for a in attr.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is not None:
                setattr(obj, a.name, mask_tree(value))
    return obj


class OutputMasking:
    """Registered with pytest and with allure-commons while a device run lasts."""

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
            None, pytest.TestReport, pytest.TestReport]:
        # trylast: the innermost wrapper, so allure-pytest and the terminal read the masked report.
        report = yield
        if report.longrepr is not None:
            text = report.longreprtext
            masked = mask_text(text)
            if masked != text:
                report.longrepr = masked
        report.sections = [(title, mask_text(content)) for title, content in report.sections]
        return report

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        mask_tree(result)

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: Any) -> None:
        mask_tree(container)
