"""Entry point: a user mistake is one line and a non-zero exit; anything else is a bug with a traceback."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from loanqa import __version__
from loanqa.cli.context import Settings
from loanqa.cli.lazy import LazyGroup
from loanqa.errors import LoanQAError
from loanqa.masking import MaskedText, mask_text, set_show_pii

COMMANDS = {
    "up": ("loanqa.cli.stack_cmds:up", "Start refapp, Toxiproxy and Appium on 127.0.0.1."),
    "down": ("loanqa.cli.stack_cmds:down", "Stop what `up` started."),
    "status": ("loanqa.cli.stack_cmds:status", "Show the managed components."),
    "journey": ("loanqa.cli.journey:journey", "Walk one borrower through the journey against a target."),
    "net": ("loanqa.cli.net:net", "Weak mobile network profiles on Toxiproxy."),
    "load": ("loanqa.cli.load:load", "Holiday-peak Locust load over a weak-network mix."),
    "devices": ("loanqa.cli.devices:devices", "Face and e-sign flows across a device matrix (Appium)."),
    "explain": ("loanqa.cli.explain:explain", "Why a loan was not paid out: its timeline from a run's event log."),
    "gate": ("loanqa.cli.gate:gate", "Release verdict from allure-results and load summaries."),
    "report": ("loanqa.cli.report:report", "Allure 3 HTML report of a run."),
    "run": ("loanqa.cli.run:run", "The whole pipeline against the embedded refapp, ending in a verdict."),
    "doctor": ("loanqa.cli.doctor:doctor", "Check what each command needs on this machine, and how to fix it."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loanqa")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Project config (default: ./loanqa.yaml if present).")
@click.option("--state-dir", type=click.Path(path_type=Path), envvar="LOANQA_STATE_DIR",
              help="PID files and logs of managed components (default: .loanqa/).")
@click.option("--show-pii", is_flag=True,
              help="Show borrowers' phones, ID numbers and names unmasked in every output of this command, "
                   "its subprocesses included (a local debug run; credentials stay masked).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, state_dir: Path | None, show_pii: bool) -> None:
    """Load and device-compatibility tests for mobile-loan apps: why was a loan not paid out?"""
    if show_pii:
        set_show_pii(True)
    ctx.obj = Settings(config_path=config_path, state_dir_override=state_dir)


def main(argv: list[str] | None = None) -> None:
    if not isinstance(sys.stdout, MaskedText):
        sys.stdout = MaskedText(sys.stdout)
    if not isinstance(sys.stderr, MaskedText):
        sys.stderr = MaskedText(sys.stderr)
    try:
        rv = cli.main(args=argv, prog_name="loanqa", standalone_mode=False)
    except LoanQAError as exc:
        click.echo(f"loanqa: error: {mask_text(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("loanqa: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("loanqa: interrupted", err=True)
        sys.exit(130)
    except Exception:
        click.echo(mask_text(traceback.format_exc()), err=True, nl=False)
        click.echo("loanqa: internal error: this is a bug in loanqa, please report it with the traceback above",
                   err=True)
        sys.exit(70)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
