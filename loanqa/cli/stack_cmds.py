"""`loanqa up / down / status`: the managed components as background processes."""

from __future__ import annotations

from pathlib import Path

import click

from loanqa.cli.context import Settings
from loanqa.stack.components import RefappOptions
from loanqa.stack.stack import COMPONENTS, Stack

DOWN_GRACE_S = 10.0
_names = click.argument("components", nargs=-1, type=click.Choice(COMPONENTS))


def _stack(settings: Settings, refapp: RefappOptions | None = None, **ports: int | None) -> Stack:
    cfg = settings.project.stack
    overrides = {k: v for k, v in ports.items() if v is not None}
    if overrides:
        cfg = cfg.model_copy(update=overrides)
    return Stack(cfg, settings.state_dir, refapp)


@click.command()
@_names
@click.option("--refapp-port", type=int)
@click.option("--toxiproxy-port", type=int)
@click.option("--appium-port", type=int)
@click.option("--database-url", help="refapp database (default: SQLite under the state dir).")
@click.option("--refapp-settings", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="refapp settings YAML (capacity, latencies, fault knobs).")
@click.pass_obj
def up(settings: Settings, components: tuple[str, ...], refapp_port: int | None, toxiproxy_port: int | None,
       appium_port: int | None, database_url: str | None, refapp_settings: Path | None) -> None:
    """Start COMPONENTS (default: all) on 127.0.0.1 and wait until each answers.

    With --refapp-settings and refapp already running, the file is applied to the running refapp."""
    if refapp_settings is not None:
        from loanqa_refapp.settings import load_settings

        load_settings(refapp_settings)  # a broken file is refused here, naming file, key and value
    stack = _stack(settings, RefappOptions(database_url, refapp_settings), refapp_port=refapp_port,
                   toxiproxy_port=toxiproxy_port, appium_port=appium_port)
    for ep in stack.up(components or COMPONENTS):
        note = "" if ep.managed else " (external, not managed)"
        note += f" ({ep.note})" if ep.note else ""
        click.echo(f"{ep.name:<10} {ep.url}  pid {ep.pid or '-'}{note}")


@click.command()
@_names
@click.pass_obj
def down(settings: Settings, components: tuple[str, ...]) -> None:
    """Stop COMPONENTS (default: all) that loanqa started, also those a killed `loanqa devices` left running."""
    from loanqa_devicetests.leftovers import stop_left_behind

    names = components or COMPONENTS
    stopped = _stack(settings).down(names)
    left = stop_left_behind(settings.state_dir / "devices", names, grace=DOWN_GRACE_S)
    stopped += [f"{name} (of a device run)" for name in left.stopped]
    click.echo("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    for error in left.errors:
        click.echo(f"loanqa down: {error}", err=True)


@click.command()
@click.pass_obj
def status(settings: Settings) -> None:
    """Show the managed components and whether each answers."""
    eps = _stack(settings).status()
    if not eps:
        click.echo("nothing running (start with `loanqa up`)")
    for ep in eps:
        click.echo(f"{ep.name:<10} {ep.url}  pid {ep.pid}  {'ready' if ep.healthy else 'NOT ANSWERING'}")
