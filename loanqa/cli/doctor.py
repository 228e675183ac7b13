"""`loanqa doctor`: is this machine ready for a command? Each check with what it found and how to fix it."""

from __future__ import annotations

import click

from loanqa.cli.context import Settings
from loanqa.doctor import COMMANDS, Check, run_checks
from loanqa.errors import RunFailed


@click.command()
@click.argument("commands", nargs=-1, type=click.Choice(COMMANDS))
@click.option("--target", help="Also check that this target answers GET /healthz (journey, load, devices).")
@click.pass_obj
def doctor(settings: Settings, commands: tuple[str, ...], target: str | None) -> None:
    """Check what COMMANDS (default: all) need here; exit 1 when something they need is missing."""
    wanted = set(commands or COMMANDS)
    missing: list[str] = []
    for check in run_checks(settings.project.stack, target):
        needed = bool(wanted & set(check.needed_by)) or check.name == "target"
        click.echo(_line(check, needed))
        if not check.ok:
            click.echo(f"    needed by: {', '.join(check.needed_by)}; fix: {check.fix}")
            if needed and not check.optional:
                missing.append(check.name)
    if missing:
        raise RunFailed(f"doctor: missing or broken for {', '.join(c for c in COMMANDS if c in wanted)}: "
                        + ", ".join(missing))
    click.echo(f"ready for: {', '.join(c for c in COMMANDS if c in wanted)}")


def _line(check: Check, needed: bool) -> str:
    mark = "ok  " if check.ok else ("FAIL" if needed and not check.optional else "warn")
    return f"{mark} {check.name}: {check.found}"
