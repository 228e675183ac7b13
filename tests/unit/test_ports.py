from __future__ import annotations

import socket

from loanqa.ports import free_port


def test_free_port_can_be_listened_on_at_once() -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)) as server:
        assert server.getsockname()[1] == port


def test_free_port_on_another_loopback_address() -> None:
    port = free_port("127.0.0.2")
    with socket.create_server(("127.0.0.2", port)) as server:
        assert server.getsockname() == ("127.0.0.2", port)
