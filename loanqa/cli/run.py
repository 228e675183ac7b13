"""`loanqa run`: the whole pipeline against the embedded refapp, ending in an Allure report and a verdict.

Starts what is not running, runs a short holiday-peak load test over the default network mix and the CI
device matrix, gates the results, builds the report and stops exactly what it started — also when a
step fails or the user presses Ctrl-C.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import click

from loanqa import __version__, atomic
from loanqa.cli.context import Settings
from loanqa.cli.load import preflight
from loanqa.errors import Interrupted, LoanQAError, ResultsError, RunFailed
from loanqa.gate import Policy, Verdict, evaluate, load_policy
from loanqa.gate.render import Format, render
from loanqa.paths import default_policy, results_dir
from loanqa.report import build
from loanqa.slo import TooFewSamples
from loanqa.stack.stack import Stack

CI_MATRIX = Path(__file__).resolve().parents[2] / "loanqa_devicetests" / "matrices" / "ci-emulated.yaml"


@dataclass(frozen=True)
class StepOutcome:
    name: str
    ok: bool
    message: str
    results: Path


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Run folder (default loanqa-results/run-<time>).")
@click.option("--shape", default="double-11", show_default=True, help="Load shape.")
@click.option("--duration", default="90s", show_default=True, help="Load run length the shape is compressed to.")
@click.option("--network-mix", default="cn-2026", show_default=True)
@click.option("--users-scale", type=click.FloatRange(0, min_open=True), default=0.3, show_default=True,
              help="Scale the shape's users (0.3: a holiday peak sized for a 2-core laptop running everything).")
@click.option("--think-scale", type=click.FloatRange(0), default=0.25, show_default=True,
              help="Borrowers' think times, compressed so a short run still completes journeys.")
@click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=CI_MATRIX, show_default="the CI matrix shipped with loanqa (ci-emulated.yaml)")
@click.option("--device", "devices", multiple=True, help="Only this device of the matrix (repeatable).")
@click.option("-n", "workers", default="2", show_default=True, help="Parallel device workers.")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=default_policy(), show_default="ci/gates/default.yaml, shipped with loanqa")
@click.option("--skip-load", is_flag=True, help="Devices only (the default policy then fails: it wants both).")
@click.option("--skip-devices", is_flag=True, help="Load only (the default policy then fails: it wants both).")
@click.pass_context
def run(ctx: click.Context, out: Path | None, shape: str, duration: str, network_mix: str, users_scale: float,
        think_scale: float, matrix: Path, devices: tuple[str, ...], workers: str, policy: Path, skip_load: bool,
        skip_devices: bool) -> None:
    """Load test + device matrix + gate + report against the embedded refapp, in one command."""
    settings: Settings = ctx.obj
    gate_policy = load_policy(policy)  # a bad policy fails before anything starts, and so do the steps' inputs
    runs = results_dir()
    run_id = time.strftime("run-%Y%m%d-%H%M%S")  # one id for every step: load summary, device record, event logs
    _preflight(shape, duration, network_mix, users_scale, think_scale, None if skip_devices else matrix, devices,
               run_id, skip_load)
    out = (out or runs / run_id).resolve()
    previous = _previous_report(runs, out)
    stack = Stack(settings.project.stack, settings.state_dir)
    started: list[str] = []
    steps: list[StepOutcome] = []
    try:
        endpoints = {ep.name: ep for ep in stack.up(["refapp", "toxiproxy", "appium"])}
        started = [name for name, ep in endpoints.items() if ep.started]
        click.echo("stack: " + ", ".join(f"{n} {ep.url}" for n, ep in endpoints.items()))
        target, toxiproxy, appium = (endpoints[n].url for n in ("refapp", "toxiproxy", "appium"))
        if not skip_load:
            steps.append(_step(ctx, "load", out / "load" / "allure-results", "load", shape=shape,
                               duration=duration, network_mix=network_mix, users_scale=users_scale,
                               think_scale=think_scale, target=target, toxiproxy_url=toxiproxy, out=out / "load",
                               too_few_samples=_too_few(gate_policy), run_id=run_id))
        if not skip_devices:
            alluredir = out / "devices" / "allure-results"
            steps.append(_step(ctx, "devices", alluredir, "devices", matrix=matrix, devices=devices,
                               workers=workers, alluredir=alluredir, appium_url=appium, target=target,
                               run_id=run_id))
    finally:
        stopped = stack.down(started)
        if stopped:
            click.echo("stopped: " + ", ".join(stopped))
    verdict = _gate([s.results for s in steps if s.results.exists()], gate_policy, out)
    _report(out, [s.results for s in steps if s.results.exists()], previous, matrix, verdict)
    _finish(verdict, steps, out)


def _preflight(shape: str, duration: str, network_mix: str, users_scale: float, think_scale: float,
               matrix: Path | None, devices: tuple[str, ...], run_id: str, skip_load: bool) -> None:
    if not skip_load:
        preflight(shape, duration, network_mix, users_scale, think_scale)
    if matrix is not None:
        from loanqa_devicetests.options import build_options

        build_options(matrix, devices=list(devices), run_id=run_id)


def _too_few(policy: Policy) -> TooFewSamples | None:
    """The load step's exit follows the policy that gates it, so its line agrees with the verdict."""
    return policy.load.too_few_samples if policy.load is not None else None


def _step(ctx: click.Context, name: str, results: Path, command: str, **params: object) -> StepOutcome:
    """Run one subcommand; its own failure is a finding for the gate, not the end of the pipeline.

    An interrupt is the user's, not the step's: it ends the pipeline (exit 130), the stack stopped on the way out."""
    click.echo(f"\n== {name} ==")
    group = ctx.parent.command if ctx.parent else None
    cmd = group.get_command(ctx, command) if isinstance(group, click.Group) else None
    if cmd is None:
        raise LoanQAError(f"internal: subcommand {command!r} is not available")
    try:
        ctx.invoke(cmd, **params)
    except Interrupted:
        raise
    except RunFailed as exc:
        return StepOutcome(name, False, str(exc), results)
    except LoanQAError as exc:
        click.echo(f"loanqa run: {name} did not complete: {exc}", err=True)
        return StepOutcome(name, False, f"did not complete: {exc}", results)
    return StepOutcome(name, True, "completed", results)


def _gate(dirs: list[Path], policy: Policy, out: Path) -> Verdict:
    if not dirs:
        raise ResultsError("no step produced results; nothing to gate (see the errors above)")
    verdict = evaluate(dirs, policy)
    formats: tuple[tuple[Format, str], ...] = (("markdown", "verdict.md"), ("json", "verdict.json"))
    for fmt, name in formats:
        atomic.write_text(out / name, render(verdict, fmt))
    return verdict


def _report(out: Path, dirs: list[Path], previous: Path | None, matrix: Path, verdict: Verdict) -> None:
    """One HTML file that opens from disk, with the verdict in its Quality Gates tab.

    Target, shape and network mix come from the load summary; the matrix and version are added here.
    """
    build(dirs, out / "report", history_from=previous, env={"matrix": matrix.stem, "loanqa": __version__},
          single_file=True, verdict=verdict)


def _previous_report(runs: Path, current: Path) -> Path | None:
    """The newest earlier run's report, so trends and flaky tests carry over."""
    earlier = sorted(p for p in runs.glob("run-*/report") if p.parent != current)
    return earlier[-1] if earlier else None


def _finish(verdict: Verdict, steps: list[StepOutcome], out: Path) -> None:
    click.echo("\n" + render(verdict, "text"), nl=False)
    for s in steps:
        click.echo(f"{s.name:<8} {'ok' if s.ok else 'NOT OK'}: {s.message}")
    click.echo(f"report:  {out / 'report' / 'index.html'}\nverdict: {out / 'verdict.md'}")
    if not verdict.passed:
        raise RunFailed(f"release gate failed: {', '.join(r.rule for r in verdict.failed_rules)}")
