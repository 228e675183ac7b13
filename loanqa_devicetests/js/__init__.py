"""In-page scripts, kept as .js files so they read (and lint) as JavaScript."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def script(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")
