"""`loanqa up/down/status` as a library: start the chosen components, report where they listen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from loanqa.config.project import StackConfig
from loanqa.errors import ComponentError
from loanqa.stack import components
from loanqa.stack.process import ProcessManager, ProcessSpec, Running, http_ready

COMPONENTS = ("refapp", "toxiproxy", "appium")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    pid: int | None
    managed: bool
    healthy: bool
    started: bool = False  # started by this call (so the caller owns stopping it)


class Stack:
    def __init__(self, cfg: StackConfig, state_dir: Path,
                 refapp: components.RefappOptions | None = None) -> None:
        self.cfg = cfg
        self.state_dir = state_dir
        self.refapp_options = refapp or components.RefappOptions()
        self.pm = ProcessManager(state_dir)

    def spec(self, name: str) -> ProcessSpec:
        if name == "refapp":
            return components.refapp_spec(self.cfg, self.state_dir, self.refapp_options)
        if name == "toxiproxy":
            return components.toxiproxy_spec(self.cfg)
        if name == "appium":
            return components.appium_spec(self.cfg)
        raise ComponentError(f"unknown component {name!r}; choose from {', '.join(COMPONENTS)}")

    def up(self, names: Iterable[str]) -> list[Endpoint]:
        """Start what is not running yet; a healthy one already running is reused.

        If one component fails, those this call started are stopped again so nothing is left half up.
        """
        started: list[str] = []
        out: list[Endpoint] = []
        try:
            for name in names:
                if name == "toxiproxy" and components.external_toxiproxy_url():
                    out.append(self._external_toxiproxy())
                    continue
                before = self.pm.find(name)
                running = self.pm.start(self.spec(name), self.cfg.ready_timeout_s)
                if before is None:
                    started.append(name)
                out.append(_endpoint(running, healthy=True, started=before is None))
        except BaseException:
            for name in reversed(started):
                self.pm.stop(name)
            raise
        return out

    def _external_toxiproxy(self) -> Endpoint:
        url = components.external_toxiproxy_url() or ""
        if not http_ready(f"{url}/version"):
            raise ComponentError(f"TOXIPROXY_URL={url} does not answer GET /version")
        return Endpoint("toxiproxy", url, None, managed=False, healthy=True)

    def down(self, names: Iterable[str] = COMPONENTS) -> list[str]:
        return [name for name in reversed(list(names)) if self.pm.stop(name)]

    def status(self) -> list[Endpoint]:
        out = []
        for name in COMPONENTS:
            running = self.pm.find(name)
            if running is not None:
                out.append(_endpoint(running, healthy=http_ready(running.url)))
        return out

    def url(self, name: str) -> str | None:
        """Base URL of a running component (without the readiness path)."""
        if name == "toxiproxy" and components.external_toxiproxy_url():
            return components.external_toxiproxy_url()
        running = self.pm.find(name)
        return _base(running.url) if running else None


def _base(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _endpoint(running: Running, healthy: bool, started: bool = False) -> Endpoint:
    return Endpoint(running.name, _base(running.url), running.pid, running.managed, healthy, started)
