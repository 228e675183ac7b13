"""Transcripts of real clients driving a server: toxiproxy-python and the real toxiproxy-cli."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toxiproxy.api import APIConsumer
from toxiproxy.server import Toxiproxy

from tests.toxiproxy_diff.wire import Run, clean, proxy_names


def _outcome(run: Run, label: str, action: Callable[[], Any]) -> list[str]:
    try:
        result = action()
    except Exception as exc:  # the client's exception type and text are part of the transcript
        return [label, f"raised {type(exc).__name__}: {run.unfill(str(exc))}"]
    return [label, run.unfill(repr(_plain(result)))]


def _plain(value: Any) -> Any:
    """Client objects as their data, so transcripts compare by content, not identity."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in sorted(vars(value).items()) if k != "api_consumer"}
    if isinstance(value, bytes):
        return value.decode()
    return value


def python_transcript(url: str) -> list[list[str]]:
    """toxiproxy-python (its API address is class-level, so this is not thread-safe: tests run it alone)."""
    parts = urlsplit(url)
    APIConsumer.host, APIConsumer.port = parts.hostname, parts.port
    server = Toxiproxy()
    with ExitStack() as stack:
        run = Run(url, stack)
        stack.callback(clean, url, frozenset(proxy_names(url)))
        listen = run.fill("127.0.0.1:{P1}")
        upstream = run.fill("127.0.0.1:{UP}")
        steps: list[list[str]] = []

        def step(label: str, action: Callable[[], Any]) -> None:
            steps.append(_outcome(run, label, action))

        step("version", server.version)
        step("running", server.running)
        step("create", lambda: server.create(upstream, "py", listen=listen))
        step("create again", lambda: server.create(upstream, "py", listen=listen))
        step("proxies", server.proxies)
        proxy = server.get_proxy("py")
        assert proxy is not None
        step("add latency", lambda: proxy.add_toxic(type="latency", attributes={"latency": 100, "jitter": 5}))
        step("add bandwidth upstream", lambda: proxy.add_toxic(type="bandwidth", stream="upstream",
                                                               toxicity=0.5, attributes={"rate": 10}))
        step("add same again", lambda: proxy.add_toxic(type="latency", attributes={"latency": 1}))
        step("add bad type", lambda: proxy.add_toxic(type="bogus"))
        step("add bad attribute", lambda: proxy.add_toxic(type="timeout", name="t", attributes={"timeout": "x"}))
        step("toxics", proxy.toxics)
        step("get toxic", lambda: proxy.get_toxic("latency_downstream"))
        step("get missing toxic", lambda: proxy.get_toxic("nope"))
        step("disable", proxy.disable)
        step("proxy after disable", lambda: server.get_proxy("py"))
        step("enable", proxy.enable)
        step("destroy toxic", lambda: proxy.destroy_toxic("latency_downstream"))
        step("destroy missing toxic", lambda: proxy.destroy_toxic("latency_downstream"))
        step("reset", server.reset)
        step("toxics after reset", proxy.toxics)
        step("destroy", proxy.destroy)
        step("get destroyed", lambda: server.get_proxy("py"))
        return steps


def cli_transcript(url: str, cli: Path) -> list[list[str]]:
    """The real toxiproxy-cli: each command's exit code, stdout and stderr."""
    with ExitStack() as stack:
        run = Run(url, stack)
        stack.callback(clean, url, frozenset(proxy_names(url)))
        commands = [
            ["create", "--listen", "127.0.0.1:{P1}", "--upstream", "127.0.0.1:{UP}", "cli1"],
            ["create", "--listen", "127.0.0.1:{P1}", "--upstream", "127.0.0.1:{UP}", "cli1"],
            ["create", "--listen", "127.0.0.1:{P2}", "--upstream", "127.0.0.1:{UP}", "cli2"],
            ["list"],
            ["toxic", "add", "-t", "latency", "-a", "latency=100", "-a", "jitter=5", "cli1"],
            ["toxic", "add", "-t", "bandwidth", "-u", "-tox", "0.5", "-a", "rate=50", "cli1"],
            ["toxic", "add", "-n", "slice", "-t", "slicer", "-a", "average_size=10", "-a", "delay=5", "cli1"],
            ["toxic", "add", "-t", "bogus", "cli1"],
            ["toxic", "add", "-t", "latency", "-a", "latency=x", "cli1"],
            ["inspect", "cli1"],
            ["toxic", "update", "-n", "latency_downstream", "-a", "latency=5", "cli1"],
            ["toxic", "update", "-n", "nope", "-a", "latency=5", "cli1"],
            ["toggle", "cli1"], ["inspect", "cli1"], ["toggle", "cli1"],
            ["toxic", "remove", "-n", "latency_downstream", "cli1"],
            ["toxic", "remove", "-n", "latency_downstream", "cli1"],
            ["inspect", "missing"], ["list"],
            ["delete", "cli1"], ["delete", "cli1"], ["delete", "cli2"], ["list"],
        ]
        out: list[list[str]] = []
        for command in commands:
            argv = [str(cli), "-h", url, *(run.fill(a) for a in command)]
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            out.append([" ".join(command), f"exit {proc.returncode}", run.unfill(proc.stdout),
                        run.unfill(proc.stderr)])
        return out
