"""`loanqa journey --target` typos are usage errors (exit 2), never counted as a network failure of the target."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loanqa.cli.main import cli
from loanqa.errors import ConfigError


@pytest.mark.parametrize(("target", "reason"), [
    ("127.0.0.1:8600", "must be an http:// or https:// URL with a host"),
    ("ftp://127.0.0.1:8600", "must be an http:// or https:// URL with a host"),
    ("http://", "must be an http:// or https:// URL with a host"),
    ("http://127.0.0.1:86000", "Port out of range 0-65535"),
])
def test_a_bad_target_is_refused_before_any_request(target: str, reason: str) -> None:
    result = CliRunner().invoke(cli, ["journey", "--target", target])
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 2
    assert str(result.exception) == f"--target: {target!r}: {reason}"
    assert "borrower" not in result.output  # no journey was walked
