"""A target's base URL taken apart once: what a proxy relays to (`host:port`) and the same URL dialled
through a proxy's listen address (keeping the base path; Host and SNI stay the target's)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from loanqa.errors import ConfigError

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class TargetURL:
    scheme: str
    host: str
    port: int
    path: str  # the base path, without a trailing slash

    @classmethod
    def parse(cls, url: str, source: str = "--target") -> TargetURL:
        """An http(s) URL with a host; anything else is a usage error naming `source` and the value."""
        try:
            parts = urlsplit(url)
            port = parts.port  # raises ValueError outside 0-65535
        except ValueError as exc:
            raise ConfigError(source, "", url, str(exc)) from None
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ConfigError(source, "", url, "must be an http:// or https:// URL with a host")
        return cls(parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme], parts.path.rstrip("/"))

    @property
    def upstream(self) -> str:
        """`host:port` for Toxiproxy to relay to."""
        return f"{self.host}:{self.port}"

    @property
    def host_header(self) -> str:
        """The Host header a client of the URL sends (the port only when it is not the scheme's default)."""
        return self.host if self.port == _DEFAULT_PORTS[self.scheme] else f"{self.host}:{self.port}"

    def via(self, listen: str) -> str:
        """The same base URL, dialled at `listen` (a proxy's host:port)."""
        return f"{self.scheme}://{listen}{self.path}"
