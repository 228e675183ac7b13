"""How faithful and how fast the embedded Toxiproxy server is, side by side with a reference in the same run.

Every figure is a ratio against a reference measured in the same run: direct (no proxy) for overhead
and throughput, the configured value for toxics and timelines, and a real `toxiproxy-server` when one
is on PATH or named by LOANQA_TOXIPROXY_SERVER (started on a free loopback port), printed side by side
with ratios for the tail figures. Bounded: about 2 minutes on 2 cores with both servers.

    .venv/bin/python -m benchmarks.netprofiles_fidelity
"""

from __future__ import annotations

import asyncio
import http.client
import http.server
import multiprocessing
import os
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.loopback import EchoServer, connect, recv_exactly, round_trip, wait_until_refused
from loanqa import tools
from loanqa.ports import free_port
from loanqa.stack.process import ProcessManager, ProcessSpec
from loanqa_netprofiles.control import NetworkController
from loanqa_netprofiles.models import Profile, Timeline
from loanqa_netprofiles.toxiproxy_client import ToxicInfo, ToxiproxyClient

Row = tuple[str, str, str]  # figure, measured, verdict/ratio
Tails = dict[str, float]  # tail figures (ms, lower is better) compared embedded vs real: within 1.2x


def _echo_process(port: int, ready: Any) -> None:
    """An asyncio echo upstream in its own process, so 1000 connections do not share the client's GIL."""
    async def serve() -> None:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except ConnectionError:
                pass
            writer.close()
        server = await asyncio.start_server(echo, "127.0.0.1", port, backlog=2048)
        ready.set()
        async with server:
            await server.serve_forever()
    asyncio.run(serve())


@contextmanager
def async_echo() -> Iterator[str]:
    port = free_port()
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=_echo_process, args=(port, ready), daemon=True)
    proc.start()
    try:
        if not ready.wait(10):
            raise RuntimeError("echo upstream did not start")
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.join(5)


async def _clients(address: str, n: int, seconds: float) -> list[float]:
    """n connections each doing 16-byte round trips for `seconds`; every round trip's latency (s)."""
    host, port = address.rsplit(":", 1)
    conns = [await asyncio.open_connection(host, int(port), limit=65536) for _ in range(n)]
    samples: list[float] = []
    end = time.perf_counter() + seconds

    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while time.perf_counter() < end:
            start = time.perf_counter()
            writer.write(b"0123456789abcdef")
            await reader.readexactly(16)
            samples.append(time.perf_counter() - start)

    await asyncio.gather(*(loop(r, w) for r, w in conns))
    for _, w in conns:
        w.close()
    return samples


def concurrency_rows(client: ToxiproxyClient, echo: str, tails: Tails) -> list[Row]:
    client.delete_proxy("bench-conc")
    listen = client.create_proxy("bench-conc", echo).listen
    rows: list[Row] = []
    for n in (10, 100, 500):
        samples = asyncio.run(_clients(listen, n, 2.0))
        rows.append((f"request rate, {n} connections", f"{len(samples) / 2.0:.0f} req/s",
                     f"p99 {_p99(samples):.2f} ms"))
        tails[f"p99 round trip, {n} connections (ms)"] = _p99(samples)
    client.add_toxic("bench-conc", ToxicInfo("latency", {"latency": 100}, name="lat"))
    samples = asyncio.run(_clients(listen, 1000, 4.0))
    p99 = _p99(samples)
    rows.append(("1000 connections, latency 100 ms: p50 / p99", f"{_p50(samples):.0f} / {p99:.0f} ms",
                 f"{len(samples)} round trips"))
    tails["p99, 1000 connections, latency 100 ms (ms)"] = p99
    client.delete_proxy("bench-conc")
    return rows


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] * 1000


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class _Hello(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def http_upstream() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def sink_upstream() -> Iterator[tuple[str, Callable[[], int]]]:
    """Accepts one connection at a time and discards; the getter returns bytes received on the last one."""
    lsock = socket.create_server(("127.0.0.1", 0))
    got = [0]
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            got[0] = 0
            with conn:
                while data := conn.recv(1024 * 1024):
                    got[0] += len(data)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{lsock.getsockname()[1]}", lambda: got[0]
    finally:
        done.set()
        lsock.close()


def http_median_ms(address: str, n: int = 1500) -> float:
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", "/")
        conn.getresponse().read()
        samples.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(samples[100:]) * 1000


def bulk_mb_s(address: str, total: int = 400 * 1024 * 1024) -> float:
    block = b"\0" * (1024 * 1024)
    with connect(address) as sock:
        start = time.perf_counter()
        for _ in range(total // len(block)):
            sock.sendall(block)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(30)
        sock.recv(1)  # upstream closes after reading everything; the proxy passes the close on
        return total / (time.perf_counter() - start) / 1e6


def held_connections(address: str, n: int = 500) -> int:
    socks: list[socket.socket] = []
    try:
        socks.extend(connect(address, timeout=10) for _ in range(n))
        for s in socks:
            s.sendall(b"!")
        return sum(recv_exactly(s, 1) == b"!" for s in socks)
    finally:
        for s in socks:
            s.close()


def measure(url: str, tails: Tails) -> list[Row]:
    client = ToxiproxyClient(url)
    rows: list[Row] = []
    with http_upstream() as web, sink_upstream() as (sink, _), EchoServer() as echo:
        def proxy(name: str, upstream: str) -> str:
            client.delete_proxy(name)
            return client.create_proxy(name, upstream).listen

        web_p = proxy("bench-http", web)
        direct, through = http_median_ms(web), http_median_ms(web_p)
        rows.append(("HTTP request median, direct vs proxied", f"{direct:.3f} ms vs {through:.3f} ms",
                     f"added {through - direct:.3f} ms (target <= 1 ms)"))
        d_mb, p_mb = bulk_mb_s(sink), bulk_mb_s(proxy("bench-bulk", sink))
        rows.append(("bulk throughput, direct vs proxied", f"{d_mb:.0f} vs {p_mb:.0f} MB/s",
                     f"ratio {p_mb / d_mb:.2f} (target >= 100 MB/s)"))
        echo_p = proxy("bench-echo", echo.address)
        held = held_connections(echo_p)
        rows.append(("concurrent connections held", f"{held}/500", "ok" if held == 500 else "FAILED"))
        rows += toxic_rows(client, echo_p, tails)
    with async_echo() as fast_echo:
        rows += concurrency_rows(client, fast_echo, tails)
    for name in ("bench-http", "bench-bulk", "bench-echo"):
        client.delete_proxy(name)
    rows += timeline_rows(url)
    return rows


def toxic_rows(client: ToxiproxyClient, echo_p: str, tails: Tails) -> list[Row]:
    client.add_toxic("bench-echo", ToxicInfo("latency", {"latency": 200}, name="lat"))
    with connect(echo_p) as sock:
        lat = statistics.median(round_trip(sock, b"x") for _ in range(15)) * 1000
    client.add_toxic("bench-echo", ToxicInfo("latency", {"latency": 100, "jitter": 50}, name="jit"))
    client.remove_toxic("bench-echo", "lat")
    with connect(echo_p) as sock:
        jit = [round_trip(sock, b"x") * 1000 for _ in range(60)]
    client.remove_toxic("bench-echo", "jit")
    client.add_toxic("bench-echo", ToxicInfo("bandwidth", {"rate": 100}, name="bw"))
    with connect(echo_p) as sock:
        took = round_trip(sock, b"b" * 200_000)
    client.remove_toxic("bench-echo", "bw")
    client.add_toxic("bench-echo", ToxicInfo("bandwidth", {"rate": 1000}, name="bw1000"))
    with connect(echo_p) as sock:
        start = time.perf_counter()
        sock.sendall(b"b" * 200_000)
        recv_exactly(sock, 1)
        first = (time.perf_counter() - start) * 1000
        recv_exactly(sock, 199_999)
    client.remove_toxic("bench-echo", "bw1000")
    tails["bandwidth 1000 KB/s, first byte (ms)"] = first
    tails["jitter 100±50 ms, worst round trip (ms)"] = max(jit)
    kbs = 200 / took
    return [
        ("latency toxic 200 ms, median round trip", f"{lat:.1f} ms", f"error {100 * (lat / 200 - 1):+.1f} % (±5 %)"),
        ("jitter 100±50 ms: p5 / median / p95 / stdev", _spread(jit), "uniform [50,150): 55/100/145/28.9"),
        ("bandwidth toxic 100 KB/s, 200 KB", f"{kbs:.1f} KB/s", f"error {100 * (kbs / 100 - 1):+.1f} % (±10 %)"),
        ("bandwidth 1000 KB/s, first byte of 200 KB", f"{first:.1f} ms", "one 32 KiB chunk = 33 ms"),
        ("jitter 100±50 ms: worst of 60", f"{max(jit):.1f} ms", "in [50, 150]" if max(jit) <= 150 else "OUTSIDE"),
    ]


def _spread(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"{q[0]:.0f}/{statistics.median(samples):.0f}/{q[-1]:.0f}/{statistics.stdev(samples):.1f} ms"


def timeline_rows(url: str) -> list[Row]:
    timeline = Timeline(every_s=1.5, down_s=0.5, offset_s=0.5, mode="refuse")
    profile = Profile(name="bench-outage", description="bench", source="benchmark", timeline=timeline)
    errors: list[float] = []
    with EchoServer() as echo, tempfile.TemporaryDirectory() as state, \
            NetworkController(url, state_dir=Path(state)) as ctl:
        start = time.monotonic()
        listen = ctl.apply(profile, echo.address).listen
        for cycle in range(2):
            down = wait_until_refused(listen, 3) - start
            up = wait_until_refused(listen, 3, refused=False) - start
            errors += [down - (0.5 + 1.5 * cycle), up - (1.0 + 1.5 * cycle)]
    worst = max(abs(e) for e in errors) * 1000
    shown = ", ".join(f"{e * 1000:+.0f}" for e in errors)
    return [("timeline outage start/end vs schedule (2 cycles)", f"{shown} ms",
             f"worst {worst:.0f} ms (target <= 100 ms)")]


@contextmanager
def server(name: str, argv_for: Callable[[int], list[str]]) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as state:
        pm = ProcessManager(Path(state))
        pm.start(ProcessSpec(name, argv_for(port), port, f"http://127.0.0.1:{port}/version"), 30)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            pm.stop(name)


def main() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    started = time.monotonic()
    emb_tails: Tails = {}
    real_tails: Tails = {}
    with server("embedded", lambda p: [sys.executable, "-m", "loanqa_netprofiles.server", "--port", str(p)]) as url:
        embedded = measure(url, emb_tails)
    real_bin = tools.toxiproxy_server()
    real: list[Row] | None = None
    if real_bin is not None:
        with server("real", lambda p: [str(real_bin), "-host", "127.0.0.1", "-port", str(p)]) as url:
            real = measure(url, real_tails)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"netprofiles fidelity (loopback, {time.monotonic() - started:.0f} s, {os.cpu_count()} cores, "
          f"load average {load})")
    if real is None:
        print("real toxiproxy-server: not on PATH (none installed here), so embedded figures only; "
              "references are direct connections and the configured values")
    for i, (figure, value, verdict) in enumerate(embedded):
        print(f"  {figure:<48} {value:<28} {verdict}")
        if real is not None:
            print(f"  {'  real toxiproxy-server':<48} {real[i][1]:<28} {real[i][2]}")
    if real is not None:
        print("tail figures, embedded vs real (target: embedded <= 1.2x real)")
        for figure, ours in emb_tails.items():
            ratio = ours / real_tails[figure]
            print(f"  {figure:<48} {ours:9.2f} vs {real_tails[figure]:9.2f}   ratio {ratio:.2f} "
                  f"{'ok' if ratio <= 1.2 else 'OVER 1.2x'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
