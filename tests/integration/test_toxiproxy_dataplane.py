"""Data-plane conformance: real sockets through a proxy, with the toxic semantics clients depend on."""

from __future__ import annotations

import socket
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from benchmarks.loopback import EchoServer, connect, recv_exactly, round_trip

pytestmark = pytest.mark.toxiproxy

AddToxic = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
def api(toxiproxy_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=toxiproxy_url, timeout=5, headers={"User-Agent": "loanqa-tests"}) as client:
        yield client


@pytest.fixture
def proxy(api: httpx.Client, echo: EchoServer) -> Iterator[dict[str, Any]]:
    name = f"dp-{uuid.uuid4().hex[:8]}"
    resp = api.post("/proxies", json={"name": name, "listen": "127.0.0.1:0", "upstream": echo.address})
    assert resp.status_code == 201, resp.text
    yield resp.json()
    api.delete(f"/proxies/{name}")


@pytest.fixture
def add(api: httpx.Client, proxy: dict[str, Any]) -> AddToxic:
    def add_toxic(kind: str, stream: str = "downstream", toxicity: float = 1.0, **attrs: int) -> dict[str, Any]:
        resp = api.post(f"/proxies/{proxy['name']}/toxics",
                        json={"type": kind, "stream": stream, "toxicity": toxicity, "attributes": attrs})
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body
    return add_toxic


def test_clean_proxy_passes_bytes_unchanged(proxy: dict[str, Any]) -> None:
    payload = bytes(range(256)) * 4096
    with connect(proxy["listen"]) as sock:
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload


def test_latency_delays_each_round_trip(proxy: dict[str, Any], add: AddToxic) -> None:
    add("latency", latency=150)
    with connect(proxy["listen"]) as sock:
        took = [round_trip(sock, b"x") for _ in range(3)]
    assert min(took) >= 0.145 and statistics.median(took) <= 0.22, took


def test_jitter_spreads_delays_within_bounds(proxy: dict[str, Any], add: AddToxic) -> None:
    add("latency", latency=60, jitter=40)
    with connect(proxy["listen"]) as sock:
        took = [round_trip(sock, b"x") for _ in range(12)]
    assert min(took) >= 0.018 and 0.035 <= statistics.median(took) <= 0.1, took
    assert max(took) - min(took) > 0.02, took


def test_bandwidth_caps_throughput(proxy: dict[str, Any], add: AddToxic) -> None:
    add("bandwidth", rate=200)  # KB/s
    with connect(proxy["listen"]) as sock:
        took = round_trip(sock, b"b" * 60_000)
    assert 0.27 <= took <= 0.5, took


def test_disable_drops_open_connections_and_refuses_new(api: httpx.Client, proxy: dict[str, Any]) -> None:
    with connect(proxy["listen"]) as sock:
        round_trip(sock, b"hi")
        api.post(f"/proxies/{proxy['name']}", json={"enabled": False})
        sock.settimeout(2)
        with pytest.raises(OSError):
            sock.sendall(b"more")
            if not sock.recv(10):
                raise ConnectionError("closed")
    with pytest.raises(ConnectionRefusedError):
        connect(proxy["listen"])
    api.post(f"/proxies/{proxy['name']}", json={"enabled": True})
    with connect(proxy["listen"]) as sock:
        round_trip(sock, b"back")


def test_timeout_holds_data_and_removal_closes(api: httpx.Client, proxy: dict[str, Any], add: AddToxic) -> None:
    add("timeout", timeout=0)
    with connect(proxy["listen"]) as sock:
        sock.sendall(b"ping")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(10)
        start = time.monotonic()
        assert api.delete(f"/proxies/{proxy['name']}/toxics/timeout_downstream").status_code == 204
        sock.settimeout(2)
        assert sock.recv(10) == b""  # closed, not released
        assert time.monotonic() - start < 1.0


def test_timeout_with_duration_closes_after_it(proxy: dict[str, Any], add: AddToxic) -> None:
    add("timeout", timeout=200)
    with connect(proxy["listen"]) as sock:
        start = time.monotonic()
        sock.sendall(b"ping")
        sock.settimeout(2)
        assert sock.recv(10) == b""
        assert 0.18 <= time.monotonic() - start <= 0.8


def test_reset_peer_sends_a_real_rst(proxy: dict[str, Any], add: AddToxic) -> None:
    add("reset_peer", timeout=50)
    with connect(proxy["listen"]) as sock:
        sock.sendall(b"ping")
        sock.settimeout(2)
        with pytest.raises(ConnectionResetError):
            sock.recv(10)


def test_reset_releases_latency_data_at_once(api: httpx.Client, proxy: dict[str, Any], add: AddToxic) -> None:
    add("latency", latency=3000)
    with connect(proxy["listen"]) as sock:
        sock.sendall(b"held")
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.recv(10)  # proves the data is held by the toxic
        start = time.monotonic()
        api.post("/reset")
        sock.settimeout(2)
        assert recv_exactly(sock, 4) == b"held"
        assert time.monotonic() - start < 0.5  # the toxic would hold it 3 s


def test_limit_data_truncates_and_closes(proxy: dict[str, Any], add: AddToxic) -> None:
    add("limit_data", bytes=1000)
    with connect(proxy["listen"]) as sock:
        sock.sendall(b"z" * 5000)
        sock.settimeout(2)
        got = recv_exactly(sock, 5000)
    assert len(got) == 1000


def test_slicer_delivers_everything_in_small_pieces(proxy: dict[str, Any], add: AddToxic) -> None:
    add("slicer", average_size=100, size_variation=20, delay=10_000)
    payload = bytes(range(200)) * 5
    sizes: list[int] = []
    got = bytearray()
    with connect(proxy["listen"]) as sock:
        sock.sendall(payload)
        sock.settimeout(2)
        while len(got) < len(payload):
            part = sock.recv(65536)
            assert part, "closed early"
            sizes.append(len(part))
            got += part
    assert bytes(got) == payload
    assert len(sizes) >= 3 and min(sizes) <= 120, sizes  # unsliced, it would arrive in one piece


def test_slow_close_delays_the_close(proxy: dict[str, Any], add: AddToxic) -> None:
    add("slow_close", stream="upstream", delay=300)
    with connect(proxy["listen"]) as sock:
        round_trip(sock, b"x")
        sock.shutdown(socket.SHUT_WR)
        start = time.monotonic()
        sock.settimeout(2)
        assert sock.recv(10) == b""
        assert 0.28 <= time.monotonic() - start <= 0.8


def test_toxicity_zero_never_applies(proxy: dict[str, Any], add: AddToxic) -> None:
    add("latency", latency=1000, toxicity=0)
    with connect(proxy["listen"]) as sock:
        assert round_trip(sock, b"x") < 0.2


def test_toxicity_is_decided_per_connection(proxy: dict[str, Any], add: AddToxic) -> None:
    add("latency", latency=200, toxicity=0.5)
    slow = 0
    for _ in range(12):
        with connect(proxy["listen"]) as sock:
            first = round_trip(sock, b"x")
            second = round_trip(sock, b"y")
        assert (first > 0.15) == (second > 0.15)  # same decision for the whole connection
        slow += first > 0.15
    assert 1 <= slow <= 11
