"""`${VAR}` and `${VAR:-default}` placeholders, filled before validation so errors still name the key.

A value filled from the environment for a credential (the variable or the key is named like one: key,
token, secret, password, credential, auth) is registered with the masking policy, so it never appears
in any output loanqa writes, its error messages included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from loanqa.errors import ConfigError
from loanqa.masking import register_secret

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_CREDENTIAL = re.compile(r"(?i)(key|token|secret|passw|pwd|credential|auth)")


def has_placeholder(value: Any) -> bool:
    """Whether a raw (unfilled) value, or anything inside it, takes text from the environment."""
    if isinstance(value, str):
        return _PLACEHOLDER.search(value) is not None
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


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
            if _CREDENTIAL.search(name) or _CREDENTIAL.search(key.rsplit(".", 1)[-1]):
                register_secret(env[name])
            return env[name]
        if default is not None:
            return default
        raise ConfigError(source, key, text, f"environment variable {name} is not set")

    return _PLACEHOLDER.sub(repl, text)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
