"""Allure's Environment widget: build, target, matrix and network mix of the run, as `environment.properties`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from loanqa import atomic
from loanqa.errors import MISSING, ConfigError
from loanqa.load_summary import LoadSummary
from loanqa.masking import mask_text

FILE_NAME = "environment.properties"


def parse_env_pairs(pairs: Sequence[str], source: str = "--env") -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(source, key or "(empty)", pair, "expected KEY=VALUE")
        out[key.strip()] = value
    return out


def from_summaries(summaries: Sequence[LoadSummary]) -> dict[str, str]:
    """What the load runs already know: target, shape, network mix (explicit --env values win)."""
    out: dict[str, str] = {}
    for key, values in (("target", [s.target for s in summaries]), ("load_shape", [s.shape for s in summaries]),
                        ("network_mix", [s.network_mix or "" for s in summaries])):
        joined = ", ".join(sorted({v for v in values if v}))
        if joined:
            out[key] = joined
    return out


def render_properties(env: Mapping[str, str]) -> str:
    """Values are masked: an `--env appium=https://user:key@hub` or a target URL with a token is a credential."""
    return "".join(f"{_escape(k, key=True)}={_escape(mask_text(v))}\n" for k, v in sorted(env.items()))


def _escape(text: str, *, key: bool = False) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if key:
        out = out.replace("=", "\\=").replace(":", "\\:").replace(" ", "\\ ")
    return out


def write_properties(folder: Path, env: Mapping[str, str]) -> Path:
    path = folder / FILE_NAME
    try:
        atomic.write_text(path, render_properties(env))
    except OSError as exc:
        raise ConfigError(str(path), "", MISSING, f"cannot write environment: {exc}") from None
    return path
