"""A Selenium Grid 4 on loopback: one hub, and relay nodes that forward sessions to Appium servers.

The relay feature is how a lab spread over hosts joins one Grid: each node relays to the Appium server
of its host and advertises the sessions it can serve (a stereotype). Started as real JVM processes with
PID files and readiness checks; the caller stops them.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loanqa import tools
from loanqa.ports import free_port
from loanqa.stack.process import ProcessManager, ProcessSpec

# What ci-emulated sessions ask for (devicetests/providers/emulated.py): Chromium through Appium's driver.
EMULATED_STEREOTYPE = {"platformName": "linux", "browserName": "chrome", "appium:automationName": "Chromium"}


@dataclass(frozen=True)
class Grid:
    hub_url: str
    node_urls: tuple[str, ...]

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.hub_url}/status", timeout=5) as resp:
            value: dict[str, Any] = json.loads(resp.read())["value"]
            return value


def _java(*args: str) -> list[str]:
    return [str(tools.java()), "-Xmx256m", "-jar", str(tools.selenium_server_jar()), *args]


def start_grid(pm: ProcessManager, appium_urls: list[str], sessions_per_node: int, ready_s: float = 120) -> Grid:
    """Hub first, then one relay node per Appium server; returns once the hub lists every node as UP."""
    hub, publish, subscribe = free_port(), free_port(), free_port()
    bus = ("--publish-events", f"tcp://127.0.0.1:{publish}", "--subscribe-events", f"tcp://127.0.0.1:{subscribe}")
    pm.start(ProcessSpec("grid-hub", _java("hub", "--host", "127.0.0.1", "--port", str(hub), *bus), hub,
                         f"http://127.0.0.1:{hub}/status"), ready_timeout=ready_s)
    nodes = []
    for i, appium in enumerate(appium_urls):
        port = free_port()
        config = pm.state_dir / f"relay-node-{i}.toml"
        config.write_text(relay_config(port, f"http://127.0.0.1:{hub}", publish, subscribe, appium,
                                       sessions_per_node), encoding="utf-8")
        pm.start(ProcessSpec(f"grid-node-{i}", _java("node", "--config", str(config)), port,
                             f"http://127.0.0.1:{port}/status"), ready_timeout=ready_s)
        nodes.append(f"http://127.0.0.1:{port}")
    grid = Grid(f"http://127.0.0.1:{hub}", tuple(nodes))
    _wait_nodes_up(grid, len(nodes), ready_s)
    return grid


def relay_config(port: int, hub_url: str, publish: int, subscribe: int, appium_url: str, sessions: int) -> str:
    stereotype = json.dumps(EMULATED_STEREOTYPE)
    return (f'[server]\nhost = "127.0.0.1"\nport = {port}\n\n'
            f'[node]\ndetect-drivers = false\nhub = "{hub_url}"\n\n'
            f'[events]\npublish = "tcp://127.0.0.1:{publish}"\nsubscribe = "tcp://127.0.0.1:{subscribe}"\n\n'
            f'[relay]\nurl = "{appium_url}"\nstatus-endpoint = "/status"\n'
            f"configs = [\"{sessions}\", '{stereotype}']\n")


def _wait_nodes_up(grid: Grid, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        nodes = grid.status().get("nodes", [])
        if sum(1 for n in nodes if n.get("availability") == "UP") >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"Grid hub {grid.hub_url} lists {len(nodes)} node(s), wanted {count} UP: {nodes}")
        time.sleep(0.5)  # poll interval for the condition above


def stop_grid(pm: ProcessManager, nodes: int) -> None:
    for i in range(nodes):
        pm.stop(f"grid-node-{i}")
    pm.stop("grid-hub")


def log_of(pm: ProcessManager, name: str) -> Path:
    return pm.state_dir / "logs" / f"{name}.log"
