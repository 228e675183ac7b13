"""`loanqa up/down/status` as a library: start the chosen components, report where they listen."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from loanqa.config.envvars import fill_placeholders
from loanqa.config.loader import load_yaml
from loanqa.config.project import StackConfig
from loanqa.errors import MISSING, ComponentError, ConfigError
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
    note: str = ""  # what this call changed on a component that was already running


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
            return components.appium_spec(self.cfg, self.state_dir)
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
                if name == "refapp" and before is not None:
                    self._check_database(before)
                running = self.pm.start(self.spec(name), self.cfg.ready_timeout_s)
                if before is None:
                    started.append(name)
                ep = _endpoint(running, healthy=True, started=before is None)
                if name == "refapp" and before is not None and self.refapp_options.settings_file is not None:
                    ep = self._apply_refapp_settings(ep, self.refapp_options.settings_file)
                out.append(ep)
        except BaseException:
            for name in reversed(started):
                self.pm.stop(name)
            raise
        return out

    def _check_database(self, running: Running) -> None:
        """A running refapp cannot switch databases: refuse rather than silently keep the old one."""
        wanted = self.refapp_options.database_url
        argv = running.argv
        current = argv[argv.index("--database-url") + 1] if "--database-url" in argv[:-1] else None
        if wanted is not None and wanted != current:
            raise ComponentError(f"refapp already runs (pid {running.pid}) with --database-url {current}; "
                                 f"stop it first (`loanqa down refapp`) to use {wanted}")

    def _apply_refapp_settings(self, ep: Endpoint, path: Path) -> Endpoint:
        """Settings for a refapp that already runs are applied to it (the whole file, omitted keys at their
        defaults) through its admin API; a refusal is an error, never a silent start without the faults asked for."""
        data = load_yaml(path)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(str(path), "(top level)", MISSING, "settings must be a mapping")
        body = json.dumps(fill_placeholders(data, str(path))).encode()
        request = urllib.request.Request(f"{ep.url}/v1/admin/settings?replace=true", data=body, method="PUT",
                                         headers={"Content-Type": "application/json", "User-Agent": "loanqa"})
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except urllib.error.HTTPError as exc:
            detail = _error_message(exc.read())
            raise ComponentError(f"refapp at {ep.url} refused the settings in {path}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ComponentError(f"refapp at {ep.url}: cannot apply the settings in {path}: {exc}") from None
        return Endpoint(ep.name, ep.url, ep.pid, ep.managed, ep.healthy, ep.started,
                        note=f"already running: settings from {path} applied")

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


def _error_message(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")[:300]
    return str(body.get("message", body)) if isinstance(body, dict) else str(body)[:300]


def _base(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _endpoint(running: Running, healthy: bool, started: bool = False) -> Endpoint:
    return Endpoint(running.name, _base(running.url), running.pid, running.managed, healthy, started)
