"""free_port hands out ports that outgoing connections cannot take first."""

from __future__ import annotations

import socket

from loanqa.ports import _below_ephemeral, free_port


def test_ports_come_from_below_the_ephemeral_range_and_are_free() -> None:
    span = _below_ephemeral()
    ports = {free_port() for _ in range(20)}
    if span is not None:  # Linux: the kernel says which ports outgoing connections get
        assert all(span[0] <= p <= span[1] for p in ports), (span, ports)
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_free_port_can_be_listened_on_at_once() -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)) as server:
        assert server.getsockname()[1] == port


def test_free_port_on_another_loopback_address() -> None:
    port = free_port("127.0.0.2")
    with socket.create_server(("127.0.0.2", port)) as server:
        assert server.getsockname() == ("127.0.0.2", port)
