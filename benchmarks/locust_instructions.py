"""Instructions per request of the loanqa borrower vs a bare FastHttpUser sending the same requests, under callgrind.

Run: .venv/bin/python -m benchmarks.locust_instructions [--seconds 70] [--rounds 2]
(needs valgrind: apt install valgrind)
The per-CPU-second figure of locust_overhead.py is what issue 11 names, but on a shared VM it moves by ±3 % from run to
run, as much as a change worth making. Counted instructions move by about ±1.5 %: each configuration runs alone in
its own Locust process under valgrind's callgrind (the same server, users and side_by_side.py classes as
locust_overhead.py), and the counters are zeroed after a warm-up and dumped when the run stops, with the process
blocked while they turn, so the count covers exactly the requests counted. Instructions are not time: the borrower's
extra instructions ran at about half the rate of the rest (loanqa's Python against the HTTP client's C), so a ratio
here of 0.94–0.95 came out as 0.90 per CPU-second. Use it to see whether a change cut the borrower's work, and
locust_overhead.py for the figure itself. Compare figures of the same --seconds only: the window's fixed costs
(Locust's and gevent's timers) are spread over its requests, so a shorter window counts more per request, the more so
for the slower user (55 s gave 0.912 where 70 s gave 0.951).
Bounded: rounds x 2 runs of `--seconds` (valgrind's start-up counted in them); 6-8 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.locust_overhead import CLIENT_CPU, HERE, _pin, bench_server, mix_args
from loanqa_loadtests.model.options import MAX_LIVE_INTERVAL_S

CONFIGS = {"bare_journey": "BareJourneyUser", "borrower": "ProbeBorrower"}
WARMUP_S = 3.0  # Locust's own clock; the users have spawned by then even under valgrind


def _count(user: str, host: str, users: int, seconds: int, tmp: Path) -> tuple[int, int]:
    """(requests, instructions) in the measuring window of one run under callgrind."""
    window = tmp / f"{user}.json"
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/{user}.%p", sys.executable, "-m", "locust",
            "-f", str(HERE / "side_by_side.py"), "--headless", "--only-summary", "--host", host, "-u", str(users),
            "-r", str(users), "-t", f"{seconds}s", "--loglevel", "WARNING", *mix_args(host),
            "--live-interval", f"{MAX_LIVE_INTERVAL_S:g}", user]
    env = {**os.environ, "LOANQA_BENCH_WINDOW": str(window), "LOANQA_BENCH_CALLGRIND": "1",
           "LOANQA_BENCH_WARMUP_S": f"{WARMUP_S:g}"}
    log = tmp / f"{user}.log"
    with log.open("w") as sink:
        proc = subprocess.run(argv, stdout=sink, stderr=subprocess.STDOUT, env=env, preexec_fn=lambda: _pin(CLIENT_CPU),
                              timeout=seconds + 300, check=False)
    dumps = sorted(tmp.glob(f"{user}.*.1"))
    if proc.returncode != 0 or not window.exists() or not dumps:
        raise SystemExit(f"{user}: the run under callgrind measured nothing (exit {proc.returncode}):\n"
                         f"{log.read_text(errors='replace')[-2000:]}")
    requests = int(json.loads(window.read_text())["requests"])
    totals = re.search(r"^(?:summary|totals): (\d+)", dumps[-1].read_text(errors="replace"), re.M)
    if not totals or requests <= 0:
        raise SystemExit(f"{user}: no instruction total or no requests in {dumps[-1]}")
    for f in tmp.glob(f"{user}.*"):  # the dumps, the window, the log
        f.unlink()
    return requests, int(totals[1])


def main() -> int:
    ap = argparse.ArgumentParser(description="instructions per request: loanqa borrower vs bare FastHttpUser")
    ap.add_argument("--seconds", type=int, default=70, help="Locust's run time of each run, valgrind's start-up in it")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the server stopped on a CI cancel too (finally)
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt install valgrind (this benchmark counts instructions "
                             "with valgrind's callgrind)")
    per_request: dict[str, list[float]] = {name: [] for name in CONFIGS}
    with bench_server() as host, tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for name, user in CONFIGS.items():
                requests, instructions = _count(user, host, args.users, args.seconds, Path(tmp))
                per_request[name].append(instructions / requests)
                print(f"{name:14}{requests:8} requests {instructions / requests:12,.0f} instructions per request",
                      flush=True)
    median = {name: statistics.median(values) for name, values in per_request.items()}
    ratios = [b / r for b, r in zip(per_request["bare_journey"], per_request["borrower"], strict=True)]
    print(f"median instructions per request: bare_journey {median['bare_journey']:,.0f}, borrower "
          f"{median['borrower']:,.0f} (+{median['borrower'] - median['bare_journey']:,.0f})")
    print(f"bare_journey / borrower instructions per request: {statistics.median(ratios):.3f}  (rounds "
          + ", ".join(f"{r:.3f}" for r in ratios) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
