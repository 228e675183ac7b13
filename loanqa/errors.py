"""One exception root, so the CLI can tell a user's mistake (one clear line) from a bug (traceback)."""

from __future__ import annotations

from typing import Any

from loanqa.masking import mask_secrets


class LoanQAError(Exception):
    """A problem the user can act on. The CLI prints `str(err)` and exits with `exit_code`."""

    exit_code = 2


class ConfigError(LoanQAError):
    """Bad input in a file or flag; always names where it came from."""

    def __init__(self, source: str, key: str, value: Any, reason: str) -> None:
        self.source, self.key, self.value, self.reason = source, key, value, reason
        where = f"{source}: {key}" if key else source
        shown = "" if value is _MISSING else f": {value!r}"
        # Registered credentials are masked even where a caller passes a substituted value.
        super().__init__(mask_secrets(f"{where}{shown}: {reason}"))


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
MISSING = _MISSING


class ResultsError(LoanQAError):
    """Results that cannot be read or trusted (empty, missing, corrupt); the gate fails closed on these."""


class ComponentError(LoanQAError):
    """A managed component (refapp, Toxiproxy, Appium, Allure) failed to install, start, answer or stop."""

    exit_code = 3


class ToolMissingError(ComponentError):
    """An external tool is not installed; the message says how to install it."""


class RunFailed(LoanQAError):
    """The run finished but its verdict is negative (gate failed, SLO missed)."""

    exit_code = 1


class Interrupted(LoanQAError):
    """Stopped by Ctrl-C or SIGTERM; what was measured so far has been written (exit 130, as shells expect)."""

    exit_code = 130
