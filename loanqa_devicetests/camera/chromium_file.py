"""Chromium's fake capture device playing a y4m file: the camera path that runs on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appium.options.common.base import AppiumOptions
from filelock import FileLock

FAKE_CAMERA_ARGS = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")


class ChromiumFakeFile:
    """Writes each scenario's video once (shared by workers through a lock) and points Chromium at it."""

    name = "chromium-fake-file"

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def video_for(self, scenario: str) -> Path:
        from loanqa_devicetests.camera.scenarios import write_y4m

        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_dir / f"{scenario}.y4m"
        with FileLock(str(path) + ".lock"):
            if not path.exists():
                write_y4m(scenario, path)
        return path

    def apply(self, options: AppiumOptions, scenario: str) -> None:
        chrome: dict[str, Any] = dict(options.get_capability("goog:chromeOptions") or {})
        args = [a for a in chrome.get("args", []) if not a.startswith("--use-file-for-fake-video-capture")]
        args += [a for a in FAKE_CAMERA_ARGS if a not in args]
        args.append(f"--use-file-for-fake-video-capture={self.video_for(scenario)}")
        options.set_capability("goog:chromeOptions", {**chrome, "args": args})

    def activate(self, driver: Any, scenario: str) -> None:
        """Nothing to do: Chromium plays the file from launch."""
