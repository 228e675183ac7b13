"""Client overhead of the loanqa borrower user vs a bare FastHttpUser: one run, same endpoint, same process.

Run: .venv/bin/python benchmarks/locust_overhead.py [--seconds 8] [--users 20] [--rounds 3]
A tiny asyncio HTTP server (its own process, keep-alive, fixed 200 answer) is the endpoint, so the
client is the bottleneck. Each round is ONE Locust process running both users in equal numbers
(locust_overhead_files/side_by_side.py): they share the CPU at the same moments, so load from
elsewhere on the machine cannot favour either. Prints both requests/s per process and the ratio
(median over rounds); exits 1 below 0.80. Bounded: rounds × (seconds + start-up), under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadtests.routing import Route, routes_to_json
from loanqa.ports import free_port

HERE = Path(__file__).parent / "locust_overhead_files"
TARGET_RATIO = 0.80
ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"ok"}'
MIX = {"5g": 0.4, "4g": 0.3, "4g-weak": 0.2, "3g": 0.1}


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _server_main(port: int) -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", port, backlog=512)
    async with server:
        await server.serve_forever()


def _serve(port: int) -> None:
    asyncio.run(_server_main(port))


def _wait_listening(port: int, deadline_s: float = 10.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"benchmark server did not listen on {port}")


def _round(host: str, users: int, seconds: int, extra: list[str], tmp: Path) -> dict[str, float]:
    prefix = tmp / f"round-{time.monotonic_ns()}"
    argv = [sys.executable, "-m", "locust", "-f", str(HERE / "side_by_side.py"), "--headless", "--only-summary",
            "--host", host, "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix),
            "--loglevel", "WARNING", *extra]
    subprocess.run(argv, check=False, capture_output=True, timeout=seconds + 60)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    if not {"bare", "healthz"} <= set(rows):
        raise SystemExit(f"round failed: stats rows {sorted(rows)}")
    failed = sum(int(rows[n]["Failure Count"]) for n in ("bare", "healthz"))
    if failed:
        raise SystemExit(f"round had {failed} failed requests; the figures mean nothing")
    return {n: float(rows[n]["Requests/s"]) for n in ("bare", "healthz")}


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> int:
    ap = argparse.ArgumentParser(description="loanqa borrower user vs bare FastHttpUser, requests/s")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--users", type=int, default=20, help="total; half bare, half loanqa")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    port = free_port()
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    bare: list[float] = []
    ours: list[float] = []
    try:
        _wait_listening(port)
        host = f"http://127.0.0.1:{port}"
        routes = {p: Route(p, host, None, w) for p, w in MIX.items()}
        loanqa_args = ["--loanqa-routes", routes_to_json(routes), "--network-mix", "bench"]
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.rounds):
                rps = _round(host, args.users, args.seconds, loanqa_args, Path(tmp))
                bare.append(rps["bare"])
                ours.append(rps["healthz"])
    finally:
        server.terminate()
        server.join(5)
    ratio = statistics.median(o / b for b, o in zip(bare, ours, strict=True))
    print(f"bare FastHttpUser:              {statistics.median(bare):6.0f} req/s per process  rounds: {_fmt(bare)}")
    print(f"loanqa borrower (mix+taxonomy): {statistics.median(ours):6.0f} req/s per process  rounds: {_fmt(ours)}")
    print(f"ratio loanqa/bare (median of rounds): {ratio:.2f}  target >= {TARGET_RATIO:.2f}")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
