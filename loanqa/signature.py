"""A hand-drawn-looking signature as PNG bytes, built with zlib so load processes stay light."""

from __future__ import annotations

import base64
import math
import struct
import zlib
from functools import cache

_W, _H = 240, 80


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _ink() -> set[tuple[int, int]]:
    """A wavy stroke two pixels thick across the pad."""
    points: set[tuple[int, int]] = set()
    for x in range(20, _W - 20):
        y = int(_H / 2 + 18 * math.sin(x / 14) * math.cos(x / 37))
        points.update({(x, y), (x, y + 1)})
    return points


@cache
def signature_png() -> bytes:
    ink = _ink()
    rows = b"".join(b"\x00" + bytes(0 if (x, y) in ink else 255 for x in range(_W)) for y in range(_H))
    header = struct.pack(">IIBBBBB", _W, _H, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


@cache
def signature_b64() -> str:
    return base64.b64encode(signature_png()).decode("ascii")
