"""Request ids in the xid format toxiproxy-server sends (`X-Toxiproxy-Request-Id`): 20 base32hex characters.

12 bytes: 4 of Unix time, 3 of a machine id, 2 of the process id, 3 of a counter (random start).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
_MACHINE = hashlib.md5(socket.gethostname().encode(), usedforsecurity=False).digest()[:3]
_COUNTER = itertools.count(int.from_bytes(os.urandom(3), "big"))


def new_id() -> str:
    raw = (int(time.time()).to_bytes(4, "big") + _MACHINE + (os.getpid() & 0xFFFF).to_bytes(2, "big")
           + (next(_COUNTER) & 0xFFFFFF).to_bytes(3, "big"))
    bits = int.from_bytes(raw, "big") << 4  # 96 bits padded to 100 = 20 characters of 5 bits
    return "".join(_ALPHABET[(bits >> (5 * (19 - i))) & 31] for i in range(20))
