"""refapp capacity on this machine, side by side with a bare Starlette "hello" on the same uvicorn.

Prints: requests/s of a read endpoint (GET /v1/loans/{id}) vs the hello ceiling (ratio), completed
journeys/min, and the 503 share per concurrency (where admission control starts shedding).
All traffic goes to 127.0.0.1, every phase is bounded in time and request count, servers are stopped.

    .venv/bin/python -m benchmarks.refapp_capacity [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from loanqa.config.project import StackConfig
from loanqa.contract_client import JourneyClient
from loanqa.liveness_frames import blinking_frames
from loanqa.ports import free_port
from loanqa.stack.components import RefappOptions, refapp_spec
from loanqa.stack.process import ProcessManager, ProcessSpec
from loanqa.synthetic import make_borrower

MAX_REQUESTS = 2_000_000


@dataclass
class Tally:
    statuses: Counter[int]
    seconds: float

    @property
    def rate(self) -> float:
        return sum(self.statuses.values()) / self.seconds

    def share(self, status: int) -> float:
        return self.statuses[status] / max(1, sum(self.statuses.values()))


async def _one_connection(port: int, request: bytes, stop_at: float, out: Counter[int]) -> None:
    """Keep-alive HTTP/1.1 loop with pre-built bytes: a client cheap enough not to be the bottleneck."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at and sum(out.values()) < MAX_REQUESTS:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = next(int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                          if line.startswith(b"content-length:"))
            await reader.readexactly(length)
            out[status] += 1
    finally:
        writer.close()


def hammer(port: int, path: str, token: str | None, concurrency: int, seconds: float) -> Tally:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()
    out: Counter[int] = Counter()

    async def run() -> float:
        start = time.monotonic()
        await asyncio.gather(*(_one_connection(port, request, start + seconds, out) for _ in range(concurrency)))
        return time.monotonic() - start

    return Tally(out, asyncio.run(run()))


def serve_hello(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(_: object) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/healthz", hello)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def journeys_per_minute(base: str, seconds: float, threads: int) -> tuple[float, Counter[str]]:
    shots = list(blinking_frames(8))
    ends: Counter[str] = Counter()
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < stop_at:
                j = JourneyClient(http).walk(make_borrower(rng), shots)
                ends["paid out" if j.last.ok else f"{j.last.name}:{j.last.code or j.last.status}"] += 1

    start = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(ends.values()) / (time.monotonic() - start) * 60, ends


def _a_loan(base: str) -> tuple[str, str]:
    shots = list(blinking_frames(8))
    rng = random.Random(11)
    with httpx.Client(base_url=base, timeout=30) as http:
        while True:
            client = JourneyClient(http)
            j = client.walk(make_borrower(rng), shots)
            if j.loan_id and j.last.ok and client.token:
                return client.token, j.loan_id


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=4.0, help="per throughput phase")
    p.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve_hello:
        serve_hello(args.serve_hello)
        return
    with tempfile.TemporaryDirectory() as tmp:
        pm = ProcessManager(Path(tmp))
        cfg = StackConfig(refapp_port=free_port())
        hello_port = free_port()
        try:
            pm.start(refapp_spec(cfg, Path(tmp), RefappOptions()), ready_timeout=60)
            pm.start(ProcessSpec("hello", [sys.executable, __file__, "--serve-hello", str(hello_port)], hello_port,
                                 f"http://127.0.0.1:{hello_port}/healthz"), ready_timeout=60)
            report(cfg.refapp_port, hello_port, args.seconds)
        finally:
            pm.stop("hello")
            pm.stop("refapp")


def report(port: int, hello_port: int, seconds: float) -> None:
    base = f"http://127.0.0.1:{port}"
    token, loan_id = _a_loan(base)
    read = hammer(port, f"/v1/loans/{loan_id}", token, 32, seconds)
    hello = hammer(hello_port, "/healthz", None, 32, seconds)
    print(f"read  GET /v1/loans/{{id}}  {read.rate:8.0f} req/s  (200s {read.share(200):.0%})  32 connections")
    print(f"ref   bare Starlette hello  {hello.rate:8.0f} req/s  same uvicorn, same client")
    print(f"ratio refapp read / hello  {read.rate / hello.rate:8.2f}")
    per_min, ends = journeys_per_minute(base, seconds * 3, threads=4)
    print(f"journeys/min (4 borrowers at a time, {seconds * 3:.0f} s)  {per_min:6.0f}   ends: {dict(ends)}")
    print("admission control (max_inflight=64): concurrency -> 503 share, req/s")
    for c in (16, 48, 64, 96, 160, 256):
        t = hammer(port, f"/v1/loans/{loan_id}", token, c, max(1.0, seconds / 2))
        print(f"  {c:4d}  {t.share(503):6.1%}  {t.rate:7.0f}")


if __name__ == "__main__":
    main()
