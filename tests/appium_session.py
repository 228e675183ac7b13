"""A Chromium session through a real Appium 3 server, emulating a phone, with a file as its camera.

Tests use this instead of raw capability dicts so every H5 test runs the same browser flags: headless,
no network of its own, fake camera from a y4m file, phone metrics and a mobile user agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from appium import webdriver
from appium.options.common import AppiumOptions

from loanqa import tools
from loanqa.ports import free_port

ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Mobile Safari/537.36")
_BASE_ARGS = ("--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")


@dataclass(frozen=True)
class Phone:
    width: int = 360
    height: int = 640
    pixel_ratio: float = 3.0
    user_agent: str = ANDROID_UA


def chromium_options(phone: Phone, camera_file: Path | None = None) -> AppiumOptions:
    args = list(_BASE_ARGS)
    if camera_file is not None:
        args.append(f"--use-file-for-fake-video-capture={camera_file}")
    opts = AppiumOptions()
    opts.platform_name = "linux"
    opts.set_capability("appium:automationName", "Chromium")
    opts.set_capability("appium:executable", str(tools.chromedriver()))
    opts.set_capability("appium:autodownloadEnabled", False)
    # chromedriver's default 9515 is shared by every session on the machine; parallel ones collide.
    opts.set_capability("appium:chromedriverPort", free_port())
    opts.set_capability("goog:chromeOptions", {
        "binary": str(tools.chromium()),
        "args": args,
        "mobileEmulation": {
            "deviceMetrics": {"width": phone.width, "height": phone.height, "pixelRatio": phone.pixel_ratio,
                              "touch": True, "mobile": True},
            "userAgent": phone.user_agent,
        },
    })
    return opts


@contextmanager
def chromium_session(appium_url: str, phone: Phone = Phone(),
                     camera_file: Path | None = None) -> Iterator[webdriver.Remote]:
    """Yields a live session and always ends it, so no browser outlives a failed test."""
    driver = webdriver.Remote(appium_url, options=chromium_options(phone, camera_file))
    try:
        yield driver
    finally:
        driver.quit()
