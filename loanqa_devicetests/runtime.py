"""Endpoints of a run: given URLs, or local Appium/refapp started here, with the app behind a weak network.

Started once by the xdist controller (or the only process) and stopped by it on every exit path.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from loanqa.config.project import StackConfig
from loanqa.ports import free_port
from loanqa.stack.stack import Stack
from loanqa.target import TargetURL
from loanqa_devicetests.leftovers import net_dir, stack_dir
from loanqa_devicetests.matrix import LOCAL
from loanqa_devicetests.options import Endpoints, RunOptions


class Runtime:
    """Owns what it started (Stack processes, the network profile) and undoes it in `close`."""

    def __init__(self, opts: RunOptions, state_dir: Path) -> None:
        self.opts, self.matrix, self.state_dir = opts, opts.matrix, state_dir
        self._exit = ExitStack()
        self._stack: Stack | None = None

    def open(self) -> Endpoints:
        try:
            return self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> Endpoints:
        appium = self.opts.appium_url or self.matrix.appium_url
        target = self.opts.target or self.matrix.target
        wanted = [n for n, v in (("appium", appium), ("refapp", target)) if v == LOCAL]
        log: str | None = None
        if wanted:
            eps = {ep.name: ep.url for ep in self._local_stack().up(wanted)}
            appium, target = eps.get("appium", appium), eps.get("refapp", target)
            log = str(stack_dir(self.state_dir) / "logs" / "appium.log") if "appium" in eps else None
        browser = self._through_profile(target) if self.opts.net_profile else target
        return Endpoints(appium.rstrip("/"), browser.rstrip("/"), target.rstrip("/"), log)

    def _local_stack(self) -> Stack:
        cfg = StackConfig(refapp_port=free_port(), toxiproxy_port=free_port(), appium_port=free_port(),
                          ready_timeout_s=90)
        self._stack = Stack(cfg, stack_dir(self.state_dir))
        self._exit.callback(self._stack.down)
        return self._stack

    def _through_profile(self, target: str) -> str:
        from loanqa_netprofiles.control import NetworkController, load_profile

        assert self.opts.net_profile is not None
        toxiproxy = self.opts.toxiproxy_url or self._local_toxiproxy()
        ctl: Any = NetworkController(toxiproxy, run_id=f"devices-{int(time.time())}",
                                     state_dir=net_dir(self.state_dir))
        self._exit.callback(ctl.clear)
        parsed = TargetURL.parse(target)
        applied = ctl.apply(load_profile(self.opts.net_profile), upstream=parsed.upstream)
        return parsed.via(applied.listen)

    def _local_toxiproxy(self) -> str:
        stack = self._stack or self._local_stack()
        (ep,) = stack.up(["toxiproxy"])
        return ep.url

    def close(self) -> None:
        self._exit.close()
