from __future__ import annotations

import pytest

from loanqa.errors import ConfigError
from loanqa.target import TargetURL


def test_https_target_relays_to_its_default_port_and_keeps_its_base_path() -> None:
    t = TargetURL.parse("https://gw.example.cn/lending/")
    assert (t.upstream, t.host_header, t.via("127.0.0.1:20003")) == (
        "gw.example.cn:443", "gw.example.cn", "https://127.0.0.1:20003/lending")


def test_a_non_default_port_stays_in_the_host_header() -> None:
    t = TargetURL.parse("http://127.0.0.1:8700")
    assert (t.upstream, t.host_header, t.via("127.0.0.1:1")) == ("127.0.0.1:8700", "127.0.0.1:8700",
                                                                   "http://127.0.0.1:1")


@pytest.mark.parametrize(("url", "reason"), [("ftp://x", "must be an http:// or https:// URL"),
                                              ("http://h:99999", "out of range"),
                                              ("staging.example.cn", "must be an http:// or https:// URL")])
def test_a_bad_target_is_a_usage_error_naming_the_flag(url: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=f"--target: '{url}': .*{reason}"):
        TargetURL.parse(url)
