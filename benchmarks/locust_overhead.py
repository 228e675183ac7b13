"""Client cost of the loanqa borrower user vs a bare FastHttpUser, and what the live view + metrics cost.

Run: .venv/bin/python -m benchmarks.locust_overhead [--seconds 6] [--users 10] [--rounds 4]
A tiny asyncio HTTP server (its own process and core, keep-alive, fixed 200 answer) is the endpoint, so the
client is the bottleneck. Every configuration runs in its OWN Locust process (locust_overhead_files/side_by_side.py):
users sharing one gevent loop take turns, so a costly user would slow its neighbours instead of itself (the former
one-process design showed 0.88 where the borrower needed 1.7x the bare user's CPU per request). Configurations:

  bare            plain FastHttpUser, one keep-alive connection
  bare_journey    plain FastHttpUser, the same requests as the borrower (X-Request-Id, a new session every 10)
  borrower        loanqa borrower (mix, classified step, retries, taps, tally), live judgement off
  borrower_live   the same with the live judgement as `loanqa load` runs it (every 3 s of running time: summary,
                  SLO judge, abort check, snapshot) and the Prometheus endpoint scraped every second of it

The four processes run at the same time, pinned to one core, and take turns of 0.25 s (SIGSTOP/SIGCONT, order
rotated every round): on this shared 2-core VM one-after-another runs moved by ±10 % from round to round, which
drowned a 3 % budget; taking turns puts whatever the machine does on all four alike (an A/A/A/A check of one user
class in all four places agrees within ±4 % per round). Each process measures its requests per CPU-second after a
1 s warm-up, and the live process also times its live work where it runs (each judgement and each /metrics answer).
Printed: every round and the median, the ratios paired within a round, and the live work's own share of the CPU.
Targets (issue 11): borrower >= 0.90 of bare_journey; live cost <= 3 %.
No --loanqa-out anywhere: it turns on the per-attempt event log, a cost of its own, not the live view's; the
terminal live view runs in the controlling `loanqa load` process, not in Locust's.
Bounded: rounds x (4 x seconds + start-up), about 2 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
SLICE_S = 0.25  # each process's turn on the core
LIVE_EVERY_S, SCRAPE_EVERY_S = 3.0, 1.0  # as `loanqa load` judges and Prometheus scrapes, per second of running time


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
    cpu_s: float
    live_cpu_s: float  # inside the live judgement and the /metrics answers

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


def _cores() -> tuple[set[int], set[int]] | None:
    """The server's core and the clients' core, from the cores this process may use (none: no pinning)."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return ({allowed[0]}, {allowed[-1]}) if len(allowed) > 1 else None


CORES = _cores()  # one core each: neither migrates nor shares a core's caches with the other
SERVER_CPU, CLIENT_CPU = CORES if CORES else (set(), set())


def _pin(cpus: set[int]) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


def _serve(port: int) -> None:
    _pin(SERVER_CPU)
    asyncio.run(_server_main(port))


def _wait_listening(port: int, deadline_s: float = 10.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"benchmark server did not listen on {port}")


def _scrape(port: int, every_s: float, stop: threading.Event, scrapes: list[int]) -> None:
    while not stop.wait(every_s):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=every_s + 2) as resp:
                scrapes.append(len(resp.read()))
        except OSError:
            continue


@dataclass
class Running:
    cfg: Config
    proc: subprocess.Popen[str]
    window: Path
    stderr: Path


def _start(cfg: Config, host: str, users: int, run_s: float, extra: list[str], tmp: Path, metrics: int,
           k: int) -> Running:
    window = tmp / f"{cfg.name}-{time.monotonic_ns()}.json"
    # Each process runs 1/k of the time, so the live judgement comes every 3k s of wall time: once per 3 s of its
    # own CPU, as in a real run where the process is busy all the time. Live off: the longest interval
    # (LoadOptions bounds it), which never comes round within a round.
    live_args = (["--live-interval", f"{LIVE_EVERY_S * k:g}", "--metrics-port", str(metrics)] if cfg.live
                 else ["--live-interval", f"{LIVE_OFF_S:g}"])
    argv = [sys.executable, "-m", "locust", "-f", str(HERE / "side_by_side.py"), "--headless", "--only-summary",
            "--host", host, "-u", str(users), "-r", str(users), "-t", f"{run_s:g}s", "--loglevel", "WARNING",
            *extra, *live_args, cfg.user]
    log = window.with_suffix(".stderr")
    with log.open("w") as err:  # a file, not a pipe: a stopped reader never blocks a process that logs a lot
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, text=True,
                                env={**os.environ, "LOANQA_BENCH_WINDOW": str(window)},
                                preexec_fn=lambda: _pin(CLIENT_CPU))
    return Running(cfg, proc, window, log)


def _take_turns(running: list[Running], deadline_s: float) -> None:
    """Only one process runs at any moment, each for SLICE_S in turn (SIGSTOP/SIGCONT): whatever the machine does
    meanwhile (another VM on the host, a frequency change) falls on all of them alike, within a fraction of a second.
    A stopped process uses no CPU and sends nothing, so its requests per CPU-second are its own cost alone."""
    end = time.monotonic() + deadline_s
    for r in running:
        r.proc.send_signal(signal.SIGSTOP)
    try:
        while time.monotonic() < end:
            alive = [r for r in running if r.proc.poll() is None]
            if not alive:
                return
            for r in alive:
                r.proc.send_signal(signal.SIGCONT)
                time.sleep(SLICE_S)
                if r.proc.poll() is None:
                    r.proc.send_signal(signal.SIGSTOP)
        raise SystemExit(f"the interleaved round did not finish within {deadline_s:.0f} s")
    finally:
        for r in running:
            if r.proc.poll() is None:
                r.proc.send_signal(signal.SIGCONT)


def _round(host: str, users: int, seconds: int, extra: list[str], tmp: Path, turn: int) -> dict[str, Window]:
    """All configurations at once, taking turns on one core; `seconds` of each one's own running time. The order
    of turns rotates every round: a process's place after another one is not always the same one's."""
    k = len(CONFIGS)
    metrics = free_port()
    order = CONFIGS[turn % k:] + CONFIGS[:turn % k]
    running: list[Running] = []
    stop, scrapes = threading.Event(), list[int]()
    scraper = threading.Thread(target=_scrape, args=(metrics, SCRAPE_EVERY_S * k, stop, scrapes), daemon=True)
    try:
        running.extend(_start(cfg, host, users, seconds * k, extra, tmp, metrics, k) for cfg in order)
        scraper.start()
        _take_turns(running, deadline_s=(seconds + 30) * k)
    finally:
        stop.set()
        for r in running:
            if r.proc.poll() is None:
                r.proc.kill()
            r.proc.wait()
    if not scrapes:
        raise SystemExit("the metrics endpoint was never scraped; the live configuration measured nothing live")
    return {r.cfg.name: _window(r) for r in running}


def _window(r: Running) -> Window:
    stderr = r.stderr.read_text(errors="replace")
    if not r.window.exists():
        raise SystemExit(f"{r.cfg.name}: locust exited {r.proc.returncode} without measuring:\n{stderr[-2000:]}")
    data = json.loads(r.window.read_text())
    if data["failures"] or "Traceback" in stderr:
        raise SystemExit(f"{r.cfg.name}: {data['failures']} failed requests or an error; the figures mean nothing:\n"
                         f"{stderr[-2000:]}")
    return Window(int(data["requests"]), float(data["cpu_s"]), float(data["live_cpu_s"]))


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> int:
    ap = argparse.ArgumentParser(description="loanqa borrower user vs bare FastHttpUser, requests per CPU-second")
    ap.add_argument("--seconds", type=int, default=6, help="each configuration's own running time per round")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a CI cancel too resumes and reaps every process
    if args.seconds * len(CONFIGS) >= LIVE_OFF_S:
        ap.error(f"--seconds must be below {LIVE_OFF_S / len(CONFIGS):g}: live-off processes judge every "
                 f"{LIVE_OFF_S:g} s of wall time")
    runs: dict[str, list[Window]] = {c.name: [] for c in CONFIGS}
    with bench_server() as host, tempfile.TemporaryDirectory() as tmp:
        for turn in range(args.rounds):
            for name, window in _round(host, args.users, args.seconds, mix_args(host), Path(tmp), turn).items():
                runs[name].append(window)
    return _report(runs, args.users, args.seconds)


@contextmanager
def bench_server() -> Iterator[str]:
    """The endpoint, on its own core and listening, until the block ends; yields its base URL."""
    port = free_port()
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    try:
        _wait_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.join(5)


def mix_args(host: str) -> list[str]:
    """loanqa's flags for the benchmark's network mix: every profile of MIX routed straight to `host`."""
    routes = {p: Route(p, host, None, w) for p, w in MIX.items()}
    return ["--loanqa-routes", routes_to_json(routes), "--network-mix", "bench"]


def _report(runs: dict[str, list[Window]], users: int, seconds: int) -> int:
    cpu = {n: statistics.median(w.per_cpu_s for w in ws) for n, ws in runs.items()}
    print(f"{users} users per process, {len(CONFIGS)} processes taking turns on one core ({SLICE_S:g} s each), "
          f"{seconds} s of running time each per round, {len(runs['bare'])} rounds")
    print(f"{'':15}{'req per CPU-s':>15}   rounds")
    for n, ws in runs.items():
        print(f"{n:15}{cpu[n]:15.0f}   {_fmt([w.per_cpu_s for w in ws])}")
    # Pairs within a round ran interleaved, so they share the machine's state; the verdict is their median.
    paired = {(a, b): [x.per_cpu_s / y.per_cpu_s for x, y in zip(runs[a], runs[b], strict=True)]
              for a, b in PAIRS.values()}
    print(f"{'ratio (requests per CPU-second)':52}{'median':>8}   rounds")
    for label, pair in PAIRS.items():
        print(f"{label:52}{statistics.median(paired[pair]):8.3f}   " + ", ".join(f"{v:.3f}" for v in paired[pair]))
    ratio = statistics.median(paired[PAIRS[CODE]])
    side_by_side = 1 - statistics.median(paired[PAIRS[LIVE]])
    # The side-by-side figure moves by a few percent from round to round; the live work's own CPU, timed where it
    # runs, is the precise figure (a share s of the CPU costs s of the requests per CPU-second).
    shares = [w.live_cpu_s / w.cpu_s for w in runs["borrower_live"]]
    cost = statistics.median(shares)
    print(f"borrower / bare FastHttpUser doing the same requests: {ratio:.3f}  target >= {TARGET_RATIO:.2f}")
    print(f"live view + metrics: {side_by_side:+.1%} of the borrower's requests per CPU-second side by side; their "
          f"own CPU {cost:.2%} of the process's (rounds {', '.join(f'{v:.2%}' for v in shares)})  target <= "
          f"{MAX_LIVE_COST:.0%}")
    return 0 if ratio >= TARGET_RATIO and cost <= MAX_LIVE_COST else 1


CODE, LIVE = "borrower / bare_journey (loanqa's code)", "borrower_live / borrower (live view + metrics)"
PAIRS = {CODE: ("borrower", "bare_journey"),
         "borrower / bare (code + a connection per borrower)": ("borrower", "bare"),
         "bare_journey / bare (a connection per borrower)": ("bare_journey", "bare"),
         LIVE: ("borrower_live", "borrower")}


if __name__ == "__main__":
    sys.exit(main())
