"""`loanqa net list | show | apply | clear`: weak mobile network profiles on Toxiproxy."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click

from loanqa.cli.context import Settings
from loanqa.errors import MISSING, ComponentError, ConfigError
from loanqa.stack.stack import Stack
from loanqa_netprofiles.control import (
    NetworkController,
    Profile,
    attributes,
    clear_recorded,
    list_profiles,
    load_profile,
)

RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,40}")  # as `loanqa load --run-id`


def _existing_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A profiles folder that does not exist is a typo, not an empty catalog."""
    if value is not None and not value.is_dir():
        raise ConfigError(str(value), "", MISSING,
                          f"--profiles-dir: {'not a directory' if value.exists() else 'no such directory'}")
    return value


def _run_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Run ids name proxies and ledger entries: no path characters, spaces or shell metacharacters."""
    if value is not None and not RUN_ID.fullmatch(value):
        raise ConfigError("--run-id", "", value, "use 1-41 letters, digits or dashes, starting with a letter or digit")
    return value


_profiles_dir = click.option("--profiles-dir", type=click.Path(path_type=Path), callback=_existing_dir,
                             help="Directory of your own profile YAMLs (searched before the catalog).")
_url = click.option("--toxiproxy-url", envvar="TOXIPROXY_URL",
                    help="Toxiproxy API (default: TOXIPROXY_URL, else the one `loanqa up` started).")


def _toxiproxy_url(settings: Settings, explicit: str | None) -> str:
    if explicit:
        return explicit.rstrip("/")
    url = Stack(settings.project.stack, settings.state_dir).url("toxiproxy")
    if url is None:
        raise ComponentError("no Toxiproxy to talk to: start one with `loanqa up toxiproxy` "
                             "or set TOXIPROXY_URL / --toxiproxy-url")
    return url


def _address(lowest_port: int) -> Callable[[click.Context, click.Parameter, str], str]:
    """Toxiproxy takes any upstream string and fails only per connection later, so check it up front."""
    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not (sep and host and port.isdigit() and lowest_port <= int(port) <= 65535):
            raise click.BadParameter(f"{value!r}: expected HOST:PORT with a port {lowest_port}-65535", ctx, param)
        return value
    return check


@click.group()
def net() -> None:
    """Weak mobile network profiles (cited presets and outage timelines) applied through Toxiproxy."""


@net.command("list")
@_profiles_dir
def list_cmd(profiles_dir: Path | None) -> None:
    """Every profile with what it models."""
    for profile in list_profiles(profiles_dir):
        extra = f"  [timeline: {profile.timeline.mode}]" if profile.timeline else ""
        click.echo(f"{profile.name:<14} {profile.description}{extra}")


@net.command()
@click.argument("name")
@_profiles_dir
def show(name: str, profiles_dir: Path | None) -> None:
    """One profile: toxics per direction, timeline, source, how loss is modelled."""
    profile = load_profile(name, profiles_dir)
    click.echo(f"{profile.name}: {profile.description}\nsource: {profile.source}\nloss: {profile.loss}")
    for stream, specs in (("upstream", profile.upstream), ("downstream", profile.downstream)):
        click.echo(f"{stream}:" + ("" if specs else " (none)"))
        for spec in specs:
            attrs = ", ".join(f"{k}={v}" for k, v in attributes(spec).items())
            click.echo(f"  {spec.type:<11} {attrs}  toxicity={spec.toxicity:g}")
    if profile.timeline:
        tl = profile.timeline
        every = f"every {tl.every_s:g}s" if tl.every_s else "once"
        click.echo(f"timeline: down {tl.down_s:g}s {every}, first at {tl.offset_s:g}s, mode {tl.mode}")


@net.command()
@click.argument("name")
@click.option("--upstream", required=True, callback=_address(1),
              help="HOST:PORT of the service to put the network in front of.")
@click.option("--listen", default="127.0.0.1:0", show_default=True, callback=_address(0),
              help="Where the proxy listens.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True),
              help="Seconds to keep the profile applied (default: until Ctrl-C or SIGTERM).")
@click.option("--run-id", callback=_run_id, help="Names the proxies loanqa-<run-id>-<profile> (default: random).")
@_profiles_dir
@_url
@click.pass_obj
def apply(settings: Settings, name: str, upstream: str, listen: str, duration: float | None,
          run_id: str | None, profiles_dir: Path | None, toxiproxy_url: str | None) -> None:
    """Put profile NAME in front of UPSTREAM, print the listen address, drive its timeline, then clean up."""
    profile = load_profile(name, profiles_dir)
    url = _toxiproxy_url(settings, toxiproxy_url)
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with NetworkController(url, run_id=run_id, state_dir=settings.state_dir) as ctl:
            applied = ctl.apply(profile, upstream, listen=listen)
            click.echo(f"listen {applied.listen}  proxy {applied.proxy_name}  upstream {upstream}", err=False)
            _hold(profile, duration)
            for driver in ctl.drivers:
                for err in driver.errors:
                    click.echo(f"loanqa: warning: timeline step failed: {err}", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("cleared")


def _hold(profile: Profile, duration: float | None) -> None:
    """Wait for --duration or a signal; the timeline runs in its own thread meanwhile."""
    forever = threading.Event()
    deadline = None if duration is None else time.monotonic() + duration
    while deadline is None or time.monotonic() < deadline:
        forever.wait(3600 if deadline is None else deadline - time.monotonic())


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@net.command()
@click.option("--run-id", callback=_run_id, help="Only the proxies of this run (default: every proxy loanqa recorded).")
@_url
@click.pass_obj
def clear(settings: Settings, run_id: str | None, toxiproxy_url: str | None) -> None:
    """Remove the proxies (and their toxics) loanqa recorded; proxies others created are not touched."""
    cleared = clear_recorded(_toxiproxy_url(settings, toxiproxy_url), settings.state_dir, run_id)
    lines = [(what, names) for what, names in (
        ("removed", cleared.removed),
        ("gone with the server (it died or restarted; forgotten)", cleared.gone_with_server),
        ("already gone from the server (forgotten)", cleared.already_gone),
        ("not ours any more (that name listens elsewhere now; forgotten, left alone)", cleared.not_ours),
        ("kept in the ledger (Toxiproxy did not answer)", cleared.kept),
        ("recorded on another Toxiproxy, not touched", cleared.other_servers)) if names]
    for what, names in lines or [("removed", ["nothing recorded"])]:
        click.echo(f"{what}: {', '.join(names)}")
    if cleared.errors:
        raise cleared.errors[0]
