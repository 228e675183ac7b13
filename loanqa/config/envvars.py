"""`${VAR}` and `${VAR:-default}` placeholders, filled before validation so errors still name the key."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from loanqa.errors import ConfigError

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def fill_placeholders(data: Any, source: str, env: Mapping[str, str] | None = None, key: str = "") -> Any:
    environ = os.environ if env is None else env
    if isinstance(data, str):
        return _fill(data, source, environ, key)
    if isinstance(data, dict):
        return {k: fill_placeholders(v, source, environ, _join(key, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [fill_placeholders(v, source, environ, f"{key}[{i}]") for i, v in enumerate(data)]
    return data


def _fill(text: str, source: str, env: Mapping[str, str], key: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise ConfigError(source, key, text, f"environment variable {name} is not set")

    return _PLACEHOLDER.sub(repl, text)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
