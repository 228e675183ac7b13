"""Where proxies listen and what workers dial: loopback by default, a shared Toxiproxy when asked."""

from __future__ import annotations

import pytest

from loanqa.errors import ConfigError
from loanqa_loadtests.control.proxy_place import ProxyPlacement, placement


def test_default_is_loopback_on_free_ports() -> None:
    place = placement()
    assert place == ProxyPlacement("127.0.0.1", "127.0.0.1", 0, 0)
    assert place.listen(5) == "127.0.0.1:0" and place.dial("127.0.0.1:41234") == "127.0.0.1:41234"
    place.check_room(12, "cn-2026")


def test_another_loopback_address_binds_and_dials_the_same_address() -> None:
    place = placement("127.0.0.2", ports="20000-20003")
    assert [place.listen(i) for i in range(2)] == ["127.0.0.2:20000", "127.0.0.2:20001"]
    assert place.dial("127.0.0.2:20001") == "127.0.0.2:20001"


def test_kubernetes_service_name_is_dialled_while_toxiproxy_binds_its_pod() -> None:
    place = placement("toxiproxy.loanqa.svc.cluster.local", "0.0.0.0", "20000-20015")
    assert place.listen(11) == "0.0.0.0:20011"
    assert place.dial("[::]:20011") == "toxiproxy.loanqa.svc.cluster.local:20011"
    place.check_room(16, "cn-2026")
    with pytest.raises(ConfigError, match=r"--proxy-ports: '20000-20015': mix big needs 17 proxies"):
        place.check_room(17, "big")


def test_ipv6_addresses_are_bracketed() -> None:
    place = placement("[::1]", ports="30000")
    assert place.listen(0) == "[::1]:30000" and place.dial("[::1]:30000") == "[::1]:30000"


@pytest.mark.parametrize(("args", "needle"), [
    (("http://toxiproxy",), "--proxy-host: 'http://toxiproxy'"),
    (("toxiproxy:20000",), "--proxy-host: 'toxiproxy:20000'"),
    (("0.0.0.0",), "--proxy-host: '0.0.0.0'"),
    (("toxiproxy",), "--proxy-bind: required when --proxy-host is a name"),
    (("toxiproxy", "my-pod"), "--proxy-bind: 'my-pod': must be an IP address"),
    (("127.0.0.2", None, "20010-20000"), "--proxy-ports: '20010-20000'"),
    (("127.0.0.2", None, "70000"), "--proxy-ports: '70000'"),
    (("127.0.0.2", None, "a-b"), "--proxy-ports: 'a-b'"),
])
def test_bad_values_name_the_flag_and_value(args: tuple[str, ...], needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        placement(*args)
    assert needle in str(info.value)
