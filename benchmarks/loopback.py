"""Loopback tools for measuring proxies: a threaded TCP echo server and a TCP client (dev tooling, not shipped).

Real sockets on 127.0.0.1 only; shared by the conformance tests and benchmarks/netprofiles_fidelity.py.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from types import TracebackType


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while data := sock.recv(256 * 1024):
                sock.sendall(data)
        except OSError:
            pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


class EchoServer:
    """Echoes every byte back; `address` is "127.0.0.1:PORT". Use as a context manager."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Echo)
        self.port: int = self._server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def connect(address: str, timeout: float = 5.0) -> socket.socket:
    host, _, port = address.rpartition(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """Read n bytes; fewer means the peer closed early (what a truncating toxic does)."""
    buf = bytearray()
    while len(buf) < n:
        part = sock.recv(min(n - len(buf), 1024 * 1024))
        if not part:
            break
        buf += part
    return bytes(buf)


def round_trip(sock: socket.socket, payload: bytes) -> float:
    """Send `payload`, wait for it to come back whole; seconds taken."""
    start = time.perf_counter()
    sock.sendall(payload)
    got = recv_exactly(sock, len(payload))
    if len(got) != len(payload):
        raise ConnectionError(f"echo returned {len(got)} of {len(payload)} bytes")
    return time.perf_counter() - start


def wait_until_refused(address: str, deadline_s: float, *, refused: bool = True) -> float:
    """Poll until connecting is refused (or accepted, with refused=False); monotonic time it happened."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            connect(address, timeout=0.5).close()
            is_refused = False
        except (ConnectionRefusedError, ConnectionResetError):  # reset: the listener closed mid-handshake
            is_refused = True
        if is_refused == refused:
            return time.monotonic()
        time.sleep(0.002)  # poll interval of a real condition, bounded by the deadline
    raise TimeoutError(f"{address} not {'refusing' if refused else 'accepting'} within {deadline_s}s")
