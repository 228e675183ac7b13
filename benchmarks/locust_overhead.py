"""Client cost of the loanqa borrower user vs a bare FastHttpUser, and what the live view + metrics cost.

Run: .venv/bin/python -m benchmarks.locust_overhead [--seconds 6] [--users 10] [--rounds 3]
A tiny asyncio HTTP server (its own process, keep-alive, fixed 200 answer) is the endpoint, so the client is
the bottleneck. Every configuration runs in its OWN Locust process (locust_overhead_files/side_by_side.py):
users sharing one gevent loop take turns, so each gets a request per turn whatever its own cost is, and a
costly user slows its neighbours instead of itself (the former one-process design showed 0.88 where the
borrower needed 1.7x the bare user's CPU per request). Configurations, in an order rotated every round:

  bare            plain FastHttpUser, one keep-alive connection
  bare_journey    plain FastHttpUser, the same requests as the borrower (X-Request-Id, a new session every 10)
  borrower        loanqa borrower (mix, classified step, retries, taps, tally), live judgement off (60 s)
  borrower_live   the same with the live judgement as `loanqa load` runs it (every 3 s: summary, SLO judge,
                  abort check, snapshot) and the Prometheus endpoint scraped every second

Each process measures itself after a 1 s warm-up until it stops: requests, wall time and its CPU time.
Printed side by side: requests/s (wall; moved by whatever else runs on the machine) and requests per
CPU-second (the client's cost; what one core sustains), all rounds and the median, and the ratios. The
verdict uses requests per CPU-second: on a shared machine other jobs take whole percents of wall time, while a
3 % budget needs the cost itself. Targets (issue 11): borrower >= 0.90 of bare_journey, live cost <= 3 %.
No --loanqa-out anywhere: it turns on the per-attempt event log, a cost of its own, not the live view's; the
terminal live view runs in the controlling `loanqa load` process, not in Locust's.
Bounded: 4 configurations x rounds x (seconds + start-up), about 2 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loanqa.ports import free_port
from loanqa_loadtests.model.options import MAX_LIVE_INTERVAL_S
from loanqa_loadtests.model.routing import Route, routes_to_json

HERE = Path(__file__).parent / "locust_overhead_files"
LIVE_OFF_S = MAX_LIVE_INTERVAL_S
TARGET_RATIO = 0.90
MAX_LIVE_COST = 0.03
ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"ok"}'
MIX = {"5g": 0.4, "4g": 0.3, "4g-weak": 0.2, "3g": 0.1}


@dataclass(frozen=True)
class Config:
    name: str
    user: str  # the user class in side_by_side.py
    live: bool


CONFIGS = (Config("bare", "BareUser", False), Config("bare_journey", "BareJourneyUser", False),
           Config("borrower", "ProbeBorrower", False), Config("borrower_live", "ProbeBorrower", True))


@dataclass(frozen=True)
class Window:
    """One process's measuring window."""

    requests: int
    wall_s: float
    cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.wall_s

    @property
    def per_cpu_s(self) -> float:
        return self.requests / self.cpu_s


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


def _scrape(port: int, stop: threading.Event, scrapes: list[int]) -> None:
    while not stop.wait(1.0):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
                scrapes.append(len(resp.read()))
        except OSError:
            continue


def _round(cfg: Config, host: str, users: int, seconds: int, extra: list[str], tmp: Path) -> Window:
    window = tmp / f"{cfg.name}-{time.monotonic_ns()}.json"
    metrics = free_port()
    # Live off: the longest interval (LoadOptions bounds it) never comes round within a round shorter than it.
    live_args = (["--live-interval", "3", "--metrics-port", str(metrics)] if cfg.live
                 else ["--live-interval", f"{LIVE_OFF_S:g}"])
    argv = [sys.executable, "-m", "locust", "-f", str(HERE / "side_by_side.py"), "--headless", "--only-summary",
            "--host", host, "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--loglevel", "WARNING",
            *extra, *live_args, cfg.user]
    stop, scrapes = threading.Event(), list[int]()
    scraper = threading.Thread(target=_scrape, args=(metrics, stop, scrapes), daemon=True)
    if cfg.live:
        scraper.start()
    try:
        done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=seconds + 60,
                              env={**os.environ, "LOANQA_BENCH_WINDOW": str(window)})
    finally:
        stop.set()
    if cfg.live and not scrapes:
        raise SystemExit("the metrics endpoint was never scraped; the live round measured nothing live")
    if not window.exists():
        raise SystemExit(f"{cfg.name}: locust exited {done.returncode} without measuring:\n{done.stderr[-2000:]}")
    data = json.loads(window.read_text())
    if data["failures"] or "Traceback" in done.stderr:
        raise SystemExit(f"{cfg.name}: {data['failures']} failed requests or an error; the figures mean nothing:\n"
                         f"{done.stderr[-2000:]}")
    return Window(int(data["requests"]), float(data["wall_s"]), float(data["cpu_s"]))


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> int:
    ap = argparse.ArgumentParser(description="loanqa borrower user vs bare FastHttpUser, requests/s")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.seconds >= LIVE_OFF_S:
        ap.error(f"--seconds must be below {LIVE_OFF_S:g}: the live-off rounds judge every {LIVE_OFF_S:g} s")
    port = free_port()
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    runs: dict[str, list[Window]] = {c.name: [] for c in CONFIGS}
    try:
        _wait_listening(port)
        host = f"http://127.0.0.1:{port}"
        routes = {p: Route(p, host, None, w) for p, w in MIX.items()}
        loanqa_args = ["--loanqa-routes", routes_to_json(routes), "--network-mix", "bench"]
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):
                for cfg in CONFIGS[r % len(CONFIGS):] + CONFIGS[:r % len(CONFIGS)]:
                    runs[cfg.name].append(_round(cfg, host, args.users, args.seconds, loanqa_args, Path(tmp)))
    finally:
        server.terminate()
        server.join(5)
    rps = {n: statistics.median(w.rps for w in ws) for n, ws in runs.items()}
    cpu = {n: statistics.median(w.per_cpu_s for w in ws) for n, ws in runs.items()}
    print(f"{args.users} users per process, {args.seconds} s per process, {args.rounds} rounds; median [all rounds]")
    print(f"{'':15}{'req/s (wall)':>14}   rounds{'':14}{'req per CPU-s':>15}   rounds")
    for n, ws in runs.items():
        walls, cpus = _fmt([w.rps for w in ws]), _fmt([w.per_cpu_s for w in ws])
        print(f"{n:15}{rps[n]:14.0f}   {walls:20}{cpu[n]:15.0f}   {cpus}")
    print(f"{'ratio':44}{'wall':>6}{'per CPU-s':>12}")
    pairs = (("borrower / bare_journey (loanqa's code)", "borrower", "bare_journey"),
             ("borrower / bare (code + a connection per borrower)", "borrower", "bare"),
             ("bare_journey / bare (a connection per borrower)", "bare_journey", "bare"),
             ("borrower_live / borrower (live view + metrics)", "borrower_live", "borrower"))
    for label, a, b in pairs:
        print(f"{label:50}{rps[a] / rps[b]:6.3f}{cpu[a] / cpu[b]:12.3f}")
    ratio, cost = cpu["borrower"] / cpu["bare_journey"], 1 - cpu["borrower_live"] / cpu["borrower"]
    print(f"borrower / bare FastHttpUser doing the same requests: {ratio:.3f}  target >= {TARGET_RATIO:.2f}")
    print(f"live view + metrics cost: {cost:+.1%} of the borrower's requests per CPU-second  target <= "
          f"{MAX_LIVE_COST:.0%}")
    return 0 if ratio >= TARGET_RATIO and cost <= MAX_LIVE_COST else 1


if __name__ == "__main__":
    sys.exit(main())
