"""Counts, in the page, the writes the app sends: how a double tap that signs twice is caught.

The server replays any key for /sign, so only the client side can tell two signing actions from
one action retried: the distinct Idempotency-Keys on POST /sign.
"""

from __future__ import annotations

from typing import Any

from devicetests.js import script

_INSTALL_JS = script("write_probe.js")


def install(driver: Any) -> None:
    driver.execute_script(_INSTALL_JS)


def sign_keys(driver: Any) -> list[str | None]:
    writes = driver.execute_script("return window.__loanqaWrites || []") or []
    return [w["key"] for w in writes if w["method"] == "POST" and str(w["url"]).endswith("/sign")]
