"""Run a scenario against one server and write down what a client sees, with only the varying parts normalised.

Normalised: the ports this run chose (back to their placeholders), ports the server picked (`{EPH}`),
the Date header and request ids (kept as present, value replaced when it has the xid shape), and
Content-Length (kept when it equals the body's length). Everything else — status line, header names,
order and values, body bytes — is compared as is.
"""

from __future__ import annotations

import http.client
import re
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from benchmarks.loopback import EchoServer
from loanqa.ports import free_port


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Hold:
    """Occupy a placeholder port (listening), so a proxy asked to bind there fails as it would in life."""

    port: str


@dataclass(frozen=True)
class Release:
    port: str


@dataclass(frozen=True)
class Probe:
    """Connect to an address: does it accept, refuse, and does a byte come back through the proxy?"""

    address: str
    payload: bytes = b""


Step = Call | Hold | Release | Probe

PLACEHOLDERS = ("P1", "P2", "P3", "P4", "P5", "P6")
XID = re.compile(r"^[0-9a-v]{20}$")
ADDRESS = re.compile(r"(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]*\]):(\d+)")


def _distinct_port(taken: set[int]) -> int:
    port = free_port()
    while port in taken:
        port = free_port()
    return port


class Run:
    """One scenario's run against one server: its ports, its echo upstream, its held sockets."""

    def __init__(self, url: str, stack: ExitStack) -> None:
        self.url = url
        host, _, port = url.removeprefix("http://").rpartition(":")
        self.host, self.port = host, int(port)
        echo = stack.enter_context(EchoServer())
        self.ports = {"UP": echo.port}
        for name in (*PLACEHOLDERS, "DEAD"):  # distinct: the OS may hand the same free port out twice
            self.ports[name] = _distinct_port(set(self.ports.values()))
        self.held: dict[str, socket.socket] = {}
        stack.callback(self._release_all)

    def fill(self, text: str) -> str:
        for name, port in self.ports.items():
            text = text.replace("{" + name + "}", str(port))
        return text

    def unfill(self, text: str) -> str:
        by_port = {str(p): "{" + n + "}" for n, p in self.ports.items()}
        return ADDRESS.sub(lambda m: f"{m.group(1)}:{by_port.get(m.group(2), '{EPH}')}", text)

    def step(self, step: Step) -> dict[str, Any]:
        if isinstance(step, Call):
            return self.call(step)
        if isinstance(step, Hold):
            sock = socket.create_server(("127.0.0.1", self.ports[step.port]))
            self.held[step.port] = sock
            return {"hold": step.port}
        if isinstance(step, Release):
            self.held.pop(step.port).close()
            return {"release": step.port}
        return {"probe": step.address, "result": self.probe(step)}

    def call(self, call: Call) -> dict[str, Any]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            body = None if call.body is None else self.fill(call.body).encode()
            headers = {"User-Agent": "loanqa-differential", **dict(call.headers)}
            conn.request(call.method, self.fill(call.path), body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            return {"request": f"{call.method} {call.path}", "sent": call.body,
                    "status": f"{resp.status} {resp.reason}",
                    "headers": [self._header(k, v, raw) for k, v in resp.getheaders()],
                    "body": self.unfill(raw.decode("utf-8", "backslashreplace"))}
        finally:
            conn.close()

    def _header(self, key: str, value: str, body: bytes) -> list[str]:
        if key.lower() == "date":
            value = "<date>"
        elif key.lower() == "x-toxiproxy-request-id" and XID.match(value):
            value = "<xid>"
        elif key.lower() == "content-length" and value == str(len(body)):
            value = "<length of body>"
        return [key, self.unfill(value)]

    def probe(self, probe: Probe) -> str:
        host, _, port = self.fill(probe.address).rpartition(":")
        try:
            sock = socket.create_connection((host, int(port)), timeout=2)
        except ConnectionRefusedError:
            return "refused"
        with sock:
            if not probe.payload:
                return "accepted"
            try:
                sock.sendall(probe.payload)
                got = sock.recv(65536)
            except OSError:  # FIN or RST depends on whether the payload arrived before the close: a race
                return "accepted, then closed"
            return f"accepted, echoed {got!r}" if got else "accepted, then closed"

    def _release_all(self) -> None:
        for sock in self.held.values():
            sock.close()
        self.held.clear()


def proxy_names(url: str) -> set[str]:
    with httpx.Client(base_url=url, timeout=5, headers={"User-Agent": "loanqa-differential"}) as client:
        return set(client.get("/proxies").json())


def clean(url: str, keep: frozenset[str] = frozenset()) -> None:
    """Delete the proxies the scenario made (those not in `keep`, the names there before it started).

    Scenarios expect a server of their own (they list all proxies and call /reset): the tests start one;
    a TOXIPROXY_URL given for them must be otherwise unused.
    """
    with httpx.Client(base_url=url, timeout=5, headers={"User-Agent": "loanqa-differential"}) as client:
        for name in set(client.get("/proxies").json()) - keep:
            client.delete(f"/proxies/{quote(name, safe='')}")


def transcript(url: str, steps: list[Step]) -> list[dict[str, Any]]:
    with ExitStack() as stack:
        run = Run(url, stack)
        stack.callback(clean, url, frozenset(proxy_names(url)))
        return [run.step(s) for s in steps]
