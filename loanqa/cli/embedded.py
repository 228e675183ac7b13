"""The embedded component `loanqa up` runs, for commands whose --target (or URL) defaults to it."""

from __future__ import annotations

from contextlib import ExitStack

from loanqa.cli.context import Settings
from loanqa.stack.stack import Stack


def embedded(settings: Settings, stack: ExitStack, name: str) -> str:
    """The component's URL; started here if it is not running, and then stopped again when `stack` closes."""
    st = Stack(settings.project.stack, settings.state_dir)
    was_running = st.url(name) is not None
    (endpoint,) = st.up([name])
    if not was_running and endpoint.managed:
        stack.callback(st.down, [name])
    return endpoint.url
