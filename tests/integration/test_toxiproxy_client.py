"""The toxiproxy-python wrapper against a real API server: typed results, clear errors, timeouts."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from loanqa.ports import free_port
from loanqa_netprofiles.toxiproxy_client import (
    NotFoundError,
    ProxyExistsError,
    ToxicInfo,
    ToxiproxyClient,
    ToxiproxyError,
)

pytestmark = pytest.mark.toxiproxy


@pytest.fixture
def client(toxiproxy_url: str) -> ToxiproxyClient:
    return ToxiproxyClient(toxiproxy_url, timeout=5)


@pytest.fixture
def name(client: ToxiproxyClient) -> Iterator[str]:
    proxy = f"cl-{uuid.uuid4().hex[:8]}"
    yield proxy
    client.delete_proxy(proxy)


def test_version_is_text_not_bytes(client: ToxiproxyClient) -> None:
    version = client.version()
    assert isinstance(version, str) and version.count(".") == 2


def test_proxy_lifecycle_with_typed_results(client: ToxiproxyClient, name: str) -> None:
    created = client.create_proxy(name, "127.0.0.1:9")
    assert created.name == name and created.enabled and not created.listen.endswith(":0")
    toxic = client.add_toxic(name, ToxicInfo("latency", {"latency": 20}, "upstream"))
    assert toxic.name == "latency_upstream" and toxic.attributes == {"latency": 20, "jitter": 0}
    assert client.set_enabled(name, False).enabled is False
    fetched = client.get_proxy(name)
    assert fetched is not None and [t.name for t in fetched.toxics] == ["latency_upstream"]
    assert name in client.proxies()
    assert client.remove_toxic(name, "latency_upstream") and not client.remove_toxic(name, "latency_upstream")
    assert client.delete_proxy(name) and client.get_proxy(name) is None and not client.delete_proxy(name)


def test_errors_are_typed_and_say_why(client: ToxiproxyClient, name: str) -> None:
    created = client.create_proxy(name, "127.0.0.1:9")
    with pytest.raises(ProxyExistsError, match="proxy already exists"):
        client.create_proxy(name, "127.0.0.1:9")
    with pytest.raises(ToxiproxyError, match="invalid toxic type"):
        client.add_toxic(name, ToxicInfo("gremlin", {}))
    with pytest.raises(ToxiproxyError, match=r"HTTP 500: .*address already in use"):
        client.create_proxy(f"{name}-b", "127.0.0.1:9", listen=created.listen)
    with pytest.raises(NotFoundError, match="proxy not found"):
        client.set_enabled("no-such-proxy-anywhere", True)


def test_populate_uses_the_populate_endpoint(client: ToxiproxyClient, name: str) -> None:
    made = client.populate([{"name": name, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}])
    assert [p.name for p in made] == [name]
    assert client.populate([]) == []


def test_two_servers_at_once_do_not_share_an_address(client: ToxiproxyClient) -> None:
    dead = ToxiproxyClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(ToxiproxyError, match="cannot reach Toxiproxy"):
        dead.version()
    assert client.version()  # the library's class-level address was re-pointed per call


def test_a_hung_server_times_out_instead_of_hanging() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hung = ToxiproxyClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
        with pytest.raises(ToxiproxyError, match=r"no answer within 0.3s"):
            hung.proxies()


def test_bad_url_is_rejected_up_front() -> None:
    with pytest.raises(ToxiproxyError, match="expected http://HOST:PORT"):
        ToxiproxyClient("https://[::1]:8474")
