"""Human durations ("3m", "90s", "1h30m") as seconds, for flags and shape files alike."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")
_FACTOR = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str | float | int) -> float:
    """Seconds; raises ValueError with the accepted forms so config errors can quote it."""
    if isinstance(text, int | float):
        return float(text)
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return float(raw)
    parts = _PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 3m, 1h30m)")
    return sum(float(n) * _FACTOR[u] for n, u in parts)
