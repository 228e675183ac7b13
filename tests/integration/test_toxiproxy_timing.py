"""Data-plane timing of the embedded Toxiproxy against upstream's semantics (and the real server, live).

Bandwidth paces 32 KiB chunks by a sleep debt (first byte at 1000 KB/s after ~33 ms, not a 100 ms burst);
latency delays each chunk by latency ± jitter from its arrival (upstream's toxics/latency.go).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.loopback import EchoServer, connect, recv_exactly, round_trip
from tests.toxiproxy_diff import servers

pytestmark = [pytest.mark.toxiproxy, pytest.mark.xdist_group("toxiproxy-differential")]


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture(scope="module")
def embedded_url() -> Iterator[str]:
    with servers.embedded() as url:
        yield url


def proxied(url: str, upstream: str, toxic: dict[str, object]) -> str:
    with httpx.Client(base_url=url, timeout=5) as api:
        api.delete("/proxies/timing")
        listen: str = api.post("/proxies", json={"name": "timing", "listen": "127.0.0.1:0",
                                                 "upstream": upstream}).json()["listen"]
        assert api.post("/proxies/timing/toxics", json=toxic).status_code == 200
    return listen


def first_byte_ms(listen: str, size: int) -> tuple[float, float]:
    """Send `size` bytes to the echo; ms until the first byte and until all came back."""
    with connect(listen, timeout=10) as sock:
        start = time.perf_counter()
        sock.sendall(b"b" * size)
        first = recv_exactly(sock, 1)
        first_at = time.perf_counter()
        rest = recv_exactly(sock, size - 1)
        assert len(first) + len(rest) == size
        return (first_at - start) * 1000, (time.perf_counter() - start) * 1000


def test_bandwidth_first_byte_is_one_chunk_not_a_100ms_burst(embedded_url: str, echo: EchoServer) -> None:
    listen = proxied(embedded_url, echo.address, {"type": "bandwidth", "attributes": {"rate": 1000}})
    first, total = first_byte_ms(listen, 200_000)
    assert 20 <= first <= 70, first  # one 32 KiB chunk at 1000 KB/s is 33 ms
    assert 170 <= total <= 280, total  # 200 KB at 1000 KB/s


def test_jitter_stays_within_latency_plus_minus_jitter(embedded_url: str, echo: EchoServer) -> None:
    listen = proxied(embedded_url, echo.address,
                     {"type": "latency", "attributes": {"latency": 100, "jitter": 50}})
    with connect(listen) as sock:
        samples = [round_trip(sock, b"x") * 1000 for _ in range(40)]
    assert min(samples) >= 50 and max(samples) <= 150 + 25, samples  # 25 ms: timers on a loaded 2-core CI box
    assert max(samples) - min(samples) >= 40, samples  # it does vary: jitter is applied


def test_latency_never_delivers_a_chunk_early(embedded_url: str, echo: EchoServer) -> None:
    """Upstream's Go timers never fire early; uvloop's millisecond clock and timers would, by up to 1 ms."""
    listen = proxied(embedded_url, echo.address, {"type": "latency", "attributes": {"latency": 20}})
    with connect(listen) as sock:
        samples = [round_trip(sock, b"x") * 1000 for _ in range(100)]
    assert min(samples) >= 20, sorted(samples)[:5]


def test_bandwidth_first_byte_matches_real_server(embedded_url: str, echo: EchoServer) -> None:
    if not servers.have_real():
        pytest.skip("no real Toxiproxy (LOANQA_TOXIPROXY_REFERENCE / TOXIPROXY_URL); absolute checks above ran")
    with servers.real() as real_url:
        real = first_byte_ms(proxied(real_url, echo.address, {"type": "bandwidth", "attributes": {"rate": 1000}}),
                             200_000)
    ours = first_byte_ms(proxied(embedded_url, echo.address, {"type": "bandwidth", "attributes": {"rate": 1000}}),
                         200_000)
    assert abs(ours[0] - real[0]) <= 25 and abs(ours[1] - real[1]) <= 50, (ours, real)
