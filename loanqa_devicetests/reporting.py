"""Typed doors to allure-pytest (which ships no type hints): markers for static labels, dynamic ones at run time."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

_LABEL_MARK = "allure_label"  # allure_pytest.utils.ALLURE_LABEL_MARK


def _allure() -> Any:
    return importlib.import_module("allure")


def mark_label(label_type: str, value: str) -> pytest.MarkDecorator:
    mark: pytest.MarkDecorator = getattr(pytest.mark, _LABEL_MARK)(value, label_type=label_type)
    return mark


def epic(value: str) -> pytest.MarkDecorator:
    return mark_label("epic", value)


def feature(value: str) -> pytest.MarkDecorator:
    return mark_label("feature", value)


def story(value: str) -> pytest.MarkDecorator:
    return mark_label("story", value)


def severity(value: str) -> pytest.MarkDecorator:
    """blocker, critical, normal, minor or trivial."""
    return mark_label("severity", value)


def label(name: str, value: str) -> None:
    _allure().dynamic.label(name, value)


def parameter(name: str, value: str) -> None:
    _allure().dynamic.parameter(name, value)


def description(text: str) -> None:
    _allure().dynamic.description(text)


def step(title: str) -> Any:
    return _allure().step(title)


def attach(body: str | bytes, name: str, kind: str) -> None:
    """`kind`: png, html or text."""
    a = _allure()
    types = {"png": a.attachment_type.PNG, "html": a.attachment_type.HTML, "text": a.attachment_type.TEXT}
    a.attach(body, name=name, attachment_type=types[kind])
