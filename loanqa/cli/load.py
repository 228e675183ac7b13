"""`loanqa load`: holiday-peak Locust load over a weak-network mix, judged against SLOs.

The CLI validates every input first, starts the embedded stack only when no --target is given, creates
the mix's proxies (removed again on every exit path) and runs Locust as a subprocess.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click

from loanqa.cli.context import Settings
from loanqa.cli.embedded import embedded
from loanqa.durations import parse_duration
from loanqa.errors import ComponentError, ConfigError, Interrupted, RunFailed
from loanqa.load_summary import LoadSummary
from loanqa.paths import project_root
from loanqa.slo import TooFewSamples
from loanqa.target import TargetURL
from loanqa_loadtests.control import run_folder
from loanqa_loadtests.control.launch import LoadPlan, WebUI, default_out, execute, run_locust, worker_argv
from loanqa_loadtests.control.live_view import LiveView, timeline_phases
from loanqa_loadtests.control.proxy_place import LOOPBACK, placement
from loanqa_loadtests.model.options import CLI_FLAGS, LoadOptions, build
from loanqa_loadtests.model.routing import direct_route
from loanqa_loadtests.model.shape_config import CompressedShape, load_shape
from loanqa_loadtests.model.slo_config import load_slos

if TYPE_CHECKING:
    from loanqa_loadtests.control.network import CheckedMix


def bounded(field: str) -> click.IntRange | click.FloatRange:
    """The click type of a flag whose bounds live on `LoadOptions`, so a bad value is still a usage error."""
    info = LoadOptions.model_fields[field]
    limit = {name: getattr(m, name) for m in info.metadata for name in ("gt", "ge", "lt", "le") if hasattr(m, name)}
    kind = click.IntRange if int in (info.annotation, *get_args(info.annotation)) else click.FloatRange
    return kind(limit.get("gt", limit.get("ge")), limit.get("lt", limit.get("le")),
                min_open="gt" in limit, max_open="lt" in limit)


@click.command()
@click.option("--shape", default="smoke", show_default=True,
              help="double-11, spring-festival, payday, smoke, or a YAML path.")
@click.option("--network-mix", default="clean", show_default=True,
              help="Mix of network profiles (netprofiles), or 'none' for direct traffic.")
@click.option("--target", help="Base URL of the lending API (default: the refapp `loanqa up` started).")
@click.option("--duration", default="3m", show_default=True, help="Run length the shape is compressed to.")
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True, help="Locust processes.")
@click.option("--users-scale", type=bounded("users_scale"), default=1.0, show_default=True)
@click.option("--slo", default="default", show_default=True, help="SLO set name (loadtests/slos) or YAML path.")
@click.option("--too-few-samples", type=click.Choice(["fail", "warn"]),
              help="What an SLO judged on fewer samples than its floor does to the exit code: fail (exit 1) or "
                   "warn (listed, exit 0). Default: the SLO set's `too_few_samples` (fail unless it says warn).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Run folder (default loanqa-results/load-<time>).")
@click.option("--think-scale", type=bounded("think_scale"), default=1.0, show_default=True,
              help="Scale borrowers' think times (below 1 compresses journeys).")
@click.option("--liveness-frames", type=bounded("liveness_frames"), default=8, show_default=True)
@click.option("--patience", type=bounded("patience"), default=3, show_default=True,
              help="Retry taps a borrower makes after the app's own retries give up (0: abandon at once).")
@click.option("--graceful-stop", default="30s", show_default=True,
              help="How long journeys under way when the shape ends (or ramps down) may take to finish, like k6's "
                   "gracefulStop; borrowers still on the way after it are reported unfinished.")
@click.option("--profiles-dir", type=click.Path(file_okay=False, path_type=Path), help="Extra network profiles.")
@click.option("--toxiproxy-url", envvar="TOXIPROXY_URL", help="Toxiproxy API (default: the embedded one).")
@click.option("--proxy-host", default=LOOPBACK, show_default=True,
              help="Address load processes dial to reach the proxies (e.g. a Toxiproxy Service name).")
@click.option("--proxy-bind", help="IP address proxies listen on inside Toxiproxy (default: --proxy-host).")
@click.option("--proxy-ports", help="Ports for the proxies, FIRST-LAST (default: any free port).")
@click.option("--run-id", help="Names proxies and phones of this run (default: from the time).")
@click.option("--master", "mode", flag_value="master", help="Locust master: wait for --expect-workers workers.")
@click.option("--worker", "mode", flag_value="worker", help="Locust worker of a master at --master-host.")
@click.option("--expect-workers", type=click.IntRange(1), default=1, show_default=True)
@click.option("--master-host", default="127.0.0.1", show_default=True)
@click.option("--master-port", type=click.IntRange(1, 65535), default=5557, show_default=True)
@click.option("--quiet", is_flag=True, help="No live panel: one progress line per interval (also without a TTY).")
@click.option("--live-interval", type=bounded("live_interval_s"), default=3.0, show_default=True,
              help="Seconds between live judgements: the live view, metrics and `abort: true` SLOs.")
@click.option("--web", is_flag=True, help="Also serve Locust's web UI (with a loanqa tab) while the run goes.")
@click.option("--web-port", type=click.IntRange(1, 65535), default=8089, show_default=True)
@click.option("--web-host", default="127.0.0.1", show_default=True)
@click.option("--metrics-port", type=bounded("metrics_port"), help="Serve Prometheus metrics on this port.")
@click.option("--metrics-host", default="127.0.0.1", show_default=True,
              help="Address the metrics endpoint listens on (0.0.0.0 in a pod).")
@click.pass_obj
def load(settings: Settings, shape: str, network_mix: str, target: str | None, duration: str, processes: int,
         users_scale: float, slo: str, too_few_samples: TooFewSamples | None, out: Path | None,
         think_scale: float, liveness_frames: int, patience: int, graceful_stop: str, profiles_dir: Path | None,
         toxiproxy_url: str | None, proxy_host: str, proxy_bind: str | None, proxy_ports: str | None,
         run_id: str | None, mode: str | None, expect_workers: int, master_host: str, master_port: int, quiet: bool,
         live_interval: float, web: bool, web_port: int, web_host: str, metrics_port: int | None,
         metrics_host: str) -> None:
    """Run SHAPE over NETWORK_MIX against TARGET; exit 1 when an SLO is missed (or, under --too-few-samples fail,
    judged on too few samples), 3 when it stopped early for want of workers, 130 when interrupted."""
    if mode == "worker":
        code = run_locust(worker_argv(master_host, master_port, processes), deadline_s=_duration(duration) + 600)
        if code:  # a crashed worker must not look Completed to its orchestrator
            raise SystemExit(code)
        return
    options = build({"duration_s": duration, "shape": load_shape(shape), "slos": load_slos(slo),
                     "users_scale": users_scale, "think_scale": think_scale, "liveness_frames": liveness_frames,
                     "patience": patience, "live_interval_s": live_interval, "metrics_port": metrics_port,
                     "metrics_host": metrics_host, "graceful_stop_s": graceful_stop}, CLI_FLAGS)
    too_few = too_few_samples or options.slos.too_few_samples
    mix = _checked_mix(network_mix, profiles_dir)
    place = placement(proxy_host, proxy_bind, proxy_ports)
    peak = CompressedShape(options.shape, options.duration_s, options.users_scale).peak_users()
    rid = _run_id(run_id)
    folder = run_folder.choose(out or default_out(project_root()), rid)
    stack = ExitStack()
    with stack:
        url = target.rstrip("/") if target else embedded(settings, stack, "refapp")
        TargetURL.parse(url)
        mix_name, routes = "", {"direct": direct_route(url)}
        if mix is not None:
            from loanqa_loadtests.control.network import mix_routes

            proxy_api = toxiproxy_url or embedded(settings, stack, "toxiproxy")
            mix_name, routes = mix.name, stack.enter_context(mix_routes(
                mix, url, proxy_api, run_id=rid, state_dir=settings.state_dir, placement=place))
        since = time.time()
        plan = LoadPlan(target=url, folder=folder, options=options.model_copy(update={
                            "network_mix": mix_name, "routes": routes, "run_id": rid, "out": str(folder.partial)}),
                        processes=processes, mode=mode or "local", expect_workers=expect_workers,
                        master_bind_port=master_port if mode == "master" else None,
                        web=WebUI(web_port if web else None, web_host))
        where = (f"master of {expect_workers} worker(s)" if mode == "master" else f"{processes} process(es)")
        click.echo(f"loanqa load: {options.shape.name} over {duration} (peak {peak} users), mix {mix_name or 'none'}, "
                   f"target {url}, {where}, results {folder.out}")
        if web:
            click.echo(f"loanqa load: Locust web UI on http://{web_host}:{web_port}/ (loanqa tab: /loanqa)")
        view = LiveView(folder.partial, live_interval, quiet, timeline_phases(mix.profiles if mix else {}, since))
        with view:
            summary = execute(plan)
        cleanup = _close(stack)
    _report(summary, plan.out, cleanup, too_few=too_few)


def preflight(shape: str, duration: str, network_mix: str, users_scale: float, think_scale: float,
              slo: str = "default") -> None:
    """`loanqa run` checks its load inputs by the load step's own rules before it starts refapp, Toxiproxy and
    Appium: a typo costs a line, not a stack start and stop."""
    build({"duration_s": duration, "shape": load_shape(shape), "slos": load_slos(slo), "users_scale": users_scale,
           "think_scale": think_scale}, CLI_FLAGS)
    _checked_mix(network_mix, None)


def _verdict(summary: LoadSummary, too_few: TooFewSamples) -> None:
    """Missed SLOs fail the run; SLOs with too few samples fail it too, or are listed as a warning, as
    `too_few` says (the same choice a gate policy's `load.too_few_samples` makes)."""
    missed = [s.name for s in summary.slos if s.missed]
    short = [s.shortfall() for s in summary.slos if s.insufficient]
    listed = "; ".join(short) if len(short) <= 3 else "each named on its FEW line above"
    few = f"{len(short)} SLOs with too few samples (too_few_samples: {too_few}): {listed}"
    if short and too_few == "warn":
        click.echo(f"loanqa load: warning: {len(short)} SLOs with too few samples to judge (too_few_samples: warn); "
                   "n and floor on their FEW lines above")
    problems = [f"{len(missed)} of {len(summary.slos)} SLOs missed: {', '.join(missed)}"] if missed else []
    problems += [few] if short and too_few == "fail" else []
    if problems:
        raise RunFailed("; ".join(problems)
                        + (f"; the run was stopped early by {summary.stopped_by}" if summary.stopped_by else ""))


def _checked_mix(name: str, profiles_dir: Path | None) -> CheckedMix | None:
    """The mix and its profiles, read once, before anything starts; `none`: borrowers talk to the target."""
    if name == "none":
        return None
    from loanqa_loadtests.control.network import checked_mix

    return checked_mix(name, profiles_dir)


def _duration(text: str) -> float:
    """A worker's deadline only; a run's duration is checked with its other options
    (`loanqa_loadtests.model.options`)."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ConfigError("--duration", "", text, str(exc)) from None


def _run_id(given: str | None) -> str:
    """It names proxies and seeds phones: letters, digits and dashes only."""
    if given is None:
        return time.strftime("%Y%m%d%H%M%S")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,40}", given):
        raise ConfigError("--run-id", "", given, "use 1-41 letters, digits or dashes, starting with a letter or digit")
    return given


def _close(stack: ExitStack) -> ComponentError | None:
    """Proxies and the embedded stack go away here; a problem doing so is reported after the verdict."""
    try:
        stack.close()
    except ComponentError as exc:
        return exc
    return None


def _report(summary: LoadSummary, out: Path, cleanup: ComponentError | None = None, *,
            too_few: TooFewSamples = "fail") -> None:
    f, o = summary.funnel, summary.outcomes
    click.echo(f"funnel: started {f.started} → approved {f.approved} → signed {f.signed} → disbursed {f.disbursed}"
               f" ({f.disbursed_after_taps} only after retry taps; {f.taps} taps in all; {f.unfinished} unfinished)")
    lost = ", ".join(f"{k} {n}" for k, n in sorted(o.lost.items(), key=lambda kv: -kv[1])) or "none"
    click.echo(f"borrowers: {o.paid_out} paid out, {sum(o.business_rejected.values())} rejected (business), "
               f"lost: {lost}")
    causes = ", ".join(f"{c.value} {n}" for c, n in summary.causes.items()) or "none"
    click.echo(f"step outcomes by cause: {causes}; false rejections {summary.false_rejections}")
    click.echo(f"(Locust counts every HTTP attempt, {summary.requests} here, retries included, and `payout` as its "
               f"own entry; loanqa counts borrowers and each press of a step once. `loanqa explain {out} --cause C` "
               "lists the loans lost to C.)")
    for s in summary.slos:
        word = "PASS" if s.passed else ("FEW " if s.insufficient else "FAIL")
        click.echo(f"  {word}  {s.name}: {s.detail}")
    click.echo(f"results: {out}")
    if summary.status != "complete":
        click.echo(f"run {summary.status}: {summary.stopped_by}")
    if cleanup is not None:
        click.echo(f"loanqa: clean-up after the run failed: {cleanup}", err=True)
    if summary.status == "interrupted":
        raise Interrupted(f"interrupted; everything measured so far is in {out} (summary marked interrupted)")
    if summary.status == "stopped":
        raise ComponentError(f"the run stopped early ({summary.stopped_by}); everything measured so far is in "
                             f"{out} (summary marked stopped)")
    _verdict(summary, too_few)
    if cleanup is not None:
        raise cleanup
