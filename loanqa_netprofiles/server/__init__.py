"""An embedded Toxiproxy-API-compatible server (asyncio), started by `loanqa up` when no real one exists.

Clients (toxiproxy-python, the Toxiproxy CLI, the Go and Node clients) work against it unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from loanqa_netprofiles.server.api import Api
from loanqa_netprofiles.server.http import serve_connection
from loanqa_netprofiles.server.state import Registry


async def start(host: str, port: int) -> tuple[asyncio.Server, Registry]:
    """Start the API server; the caller owns both and stops proxies via `shutdown`."""
    registry = Registry()
    api = Api(registry)

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(reader, writer, api.handle)

    server = await asyncio.start_server(on_client, host, port, reuse_address=True)
    return server, registry


def shutdown(server: asyncio.Server, registry: Registry) -> None:
    server.close()
    for proxy in registry.proxies.values():
        proxy.stop()


async def serve(host: str, port: int) -> None:
    """Run until SIGTERM or SIGINT, then drop every proxy and connection."""
    server, registry = await start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    print(f"toxiproxy-compatible API listening on {host}:{port}", flush=True)
    try:
        await stop.wait()
    finally:
        shutdown(server, registry)
