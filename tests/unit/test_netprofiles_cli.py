"""`loanqa net` input errors: refused before any Toxiproxy is contacted, naming the flag and the value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from loanqa.cli.main import cli
from loanqa.errors import LoanQAError

UNREACHABLE = "http://127.0.0.1:1"  # contacting it would fail differently: a ComponentError, exit 3


@pytest.mark.parametrize(("flag", "value"), [
    ("--upstream", "refapp"), ("--upstream", "127.0.0.1:99999"), ("--upstream", "127.0.0.1:0"),
    ("--upstream", ":8600"), ("--listen", "nonsense"), ("--listen", "127.0.0.1:http"),
])
def test_apply_refuses_a_bad_address(tmp_path: Path, flag: str, value: str) -> None:
    args = {"--upstream": "127.0.0.1:8600", "--listen": "127.0.0.1:0", flag: value}
    result = CliRunner().invoke(cli, ["--state-dir", str(tmp_path), "net", "apply", "4g", "--toxiproxy-url",
                                      UNREACHABLE, *(x for kv in args.items() for x in kv)],
                                env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}': '{value}': expected HOST:PORT" in result.output


def test_apply_of_an_unknown_profile_names_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--state-dir", str(tmp_path), "net", "apply", "nosuch", "--upstream",
                                      "127.0.0.1:8600", "--toxiproxy-url", UNREACHABLE])
    assert isinstance(result.exception, LoanQAError) and result.exception.exit_code == 2
    assert "'nosuch': no such profile; known: 3g, 4g" in str(result.exception)
