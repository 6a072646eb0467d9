"""CLI commands of the orchestration stage: ``xxgk run``, ``serve``, ``rebuild``, ``demo``.

Heavy imports (prefect, duckdb, the demo world) happen inside the commands so ``xxgk --help`` stays fast.
Options given on the command line override ``XXGK_*`` environment variables and ``.env``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

DEFAULT_CRON = "30 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEMO_MARKER = ".xxgk-demo"
# `xxgk serve`'s deployment and schedule: distinct from prefect.yaml's (see served_deployment).
SERVED_NAME = "xxgk-nightly-served"
SERVED_SLUG = "served-nightly"

# (measure column of out_agency_year, header) shown by `xxgk demo`.
DEMO_MEASURES = (("new_received", "新收"), ("results_total", "办结"), ("granted", "公开"),
                 ("disclosure_pct", "公开%"), ("review_correction_pct", "复议%"),
                 ("litigation_correction_pct", "诉讼%"))


def _overrides(**options) -> dict:
    """CLI options that were given, validated through Settings, as JSON-able flow parameters."""
    from flows.settings import Settings

    from pydantic import ValidationError

    given = {k: v for k, v in options.items() if v is not None}
    try:
        Settings(**given)  # fail here, in one line, rather than inside the flow
    except ValidationError as exc:
        raise typer.BadParameter(settings_problem(exc)) from None
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in given.items()}


def settings_problem(exc) -> str:
    """A pydantic ValidationError of Settings as one line naming the option (or XXGK_ variable) to fix."""
    parts = []
    for error in exc.errors():
        name = "_".join(str(x) for x in error.get("loc", ())) or "settings"
        parts.append(f"--{name.replace('_', '-')} (XXGK_{name.upper()}): {error.get('msg')}")
    return "; ".join(parts)


def _print_summary(summary: dict, console=None) -> None:
    from rich.console import Console

    from flows.summary import RunSummary, rich_tables

    console = console or Console()
    run = RunSummary(**summary)
    for table in rich_tables(run):
        console.print(table)
    for problem in run.problems[:20]:
        console.print(f"[yellow]·[/] {problem}", markup=True, highlight=False)
    if len(run.problems) > 20:
        console.print(f"… {len(run.problems) - 20} more problems in the run artifact")


def _nightly_flow(settings):
    """The nightly flow with its thread pool sized for the crawl and this run's time limit."""
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.nightly import nightly, with_limits

    return with_limits(nightly, settings).with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=settings.crawl_threads))


@contextmanager
def _one_run(command: str, settings) -> Iterator[None]:
    """What every command that runs a night shares: refused in one line while another run holds the data
    directory, its processes killed with it even by ``kill -9`` (``flows.reaper``), a progress display on
    a terminal."""
    from flows import progress, reaper
    from warehouse.lock import RunInProgress, ensure_no_run

    try:
        ensure_no_run(settings.data_dir)
    except RunInProgress as exc:
        typer.echo(f"xxgk {command}: {exc}", err=True)
        raise typer.Exit(3) from None
    with reaper.guarded(), progress.shown():
        yield


# Settings reads XXGK_DATA_DIR itself.
DataDir = typer.Option(None, "--data-dir", help="Data directory (default data/, or XXGK_DATA_DIR).")
SitesFile = typer.Option(None, "--sites-file", help="District registry (default data/registry/sites.yaml).")
Workers = typer.Option(None, "--workers", help="Extraction processes on this machine (default: all cores).")
Runner = typer.Option(None, "--task-runner", help="local (process pool) or dask (an existing Dask cluster).")
DaskAddress = typer.Option(None, "--dask-address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786.")


def run(
    data_dir: Path | None = DataDir,
    sites_file: Path | None = SitesFile,
    site: list[str] | None = typer.Option(None, "--site", help="Only these site ids (repeatable)."),
    workers: int | None = Workers,
    task_runner: str | None = Runner,
    dask_address: str | None = DaskAddress,
) -> None:
    """Run the nightly flow once now (crawl → extract → load → publish) and print its summary."""
    from flows.settings import Settings

    overrides = _overrides(data_dir=data_dir, sites_file=sites_file, workers=workers, task_runner=task_runner,
                           dask_address=dask_address)
    settings = Settings(**overrides)
    with _one_run("run", settings):
        summary = _nightly_flow(settings)(overrides=overrides, site_ids=site or None)
    _print_summary(summary)
    typer.echo(f"warehouse: {settings.published_db}   exports: {settings.exports_dir}")


def serve(
    cron: str = typer.Option(DEFAULT_CRON, "--cron", help="When to run (cron, in --timezone)."),
    timezone: str = typer.Option(DEFAULT_TIMEZONE, "--timezone", help="IANA time zone of the cron."),
    name: str = typer.Option(SERVED_NAME, "--name", help="Deployment name (not prefect.yaml's xxgk-nightly)."),
    data_dir: Path | None = DataDir,
    sites_file: Path | None = SitesFile,
    workers: int | None = Workers,
    task_runner: str | None = Runner,
    dask_address: str | None = DaskAddress,
) -> None:
    """Serve the nightly deployment on its cron (default 02:30 Asia/Shanghai) until stopped.

    Schedules need a Prefect server (its scheduler creates the nightly runs): `prefect server start`
    and PREFECT_API_URL pointing at it.
    """
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        # Prefect's temporary local API has no scheduler: the deployment would be served but never run.
        typer.echo("xxgk serve needs a Prefect server for its schedule:\n"
                   "  prefect server start            # in another terminal or as a service\n"
                   "  prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api\n"
                   "then run `xxgk serve` again. (`xxgk run` needs no server.)", err=True)
        raise typer.Exit(2)

    overrides = _overrides(data_dir=data_dir, sites_file=sites_file, workers=workers, task_runner=task_runner,
                           dask_address=dask_address)
    typer.echo(f"serving {name}: '{cron}' ({timezone}); Ctrl-C stops")
    prefect_serve(served_deployment(name, cron, timezone, overrides))


def served_deployment(name: str | None, cron: str, timezone: str, overrides: dict):
    """The deployment ``xxgk serve`` runs, beside (never over) prefect.yaml's ``xxgk-nightly``.

    Its own name: applying a schedule without a slug onto the deployment ``prefect deploy --all`` made
    (whose schedule has the slug ``nightly-0230-shanghai``) is refused by the server with a 422. Its own
    slug too, so serving again updates its schedule in place instead of adding a second one.
    """
    from prefect.schedules import Cron

    from flows.nightly import nightly

    return nightly.to_deployment(name=name or SERVED_NAME, schedules=[Cron(cron, timezone=timezone, slug=SERVED_SLUG)],
                                 parameters={"overrides": overrides}, concurrency_limit=1,
                                 description="xxgk: crawl every district, extract new reports, load, publish, export")


def rebuild(
    data_dir: Path | None = DataDir,
    workers: int | None = Workers,
    task_runner: str | None = Runner,
    dask_address: str | None = DaskAddress,
) -> None:
    """Re-extract every archived document with the current parser into a fresh warehouse (no crawling)."""
    from flows.nightly import rebuild as rebuild_flow
    from flows.settings import Settings

    from flows.nightly import with_limits

    overrides = _overrides(data_dir=data_dir, workers=workers, task_runner=task_runner, dask_address=dask_address)
    settings = Settings(**overrides)
    with _one_run("rebuild", settings):
        summary = with_limits(rebuild_flow, settings)(overrides=overrides)
    _print_summary(summary)
    typer.echo(f"warehouse: {settings.published_db}")


def demo(
    data_dir: Path = typer.Option(Path("data/demo"), "--data-dir", help="Where the demo's data goes (reset)."),
    scale: int = typer.Option(60, "--scale", help="Ordinary generated reports in the demo world."),
    seed: int = typer.Option(7, "--seed", help="Seed of the demo world."),
    workers: int | None = Workers,
) -> None:
    """Start the demo district sites on 127.0.0.1, run the nightly flow for day 1 and day 2, compare."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the demo prints its own summary
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # offline: no telemetry attempts
    from rich.console import Console

    from demo.sites import DemoWorld
    from flows.settings import demo_settings

    console = Console()
    reset_demo_dir(data_dir)
    world = DemoWorld(seed=seed, scale=scale)
    sites = len({d.site for d in world.docs})
    console.print(f"demo world: {len(world.docs)} report links on {sites} sites (seed {seed})")
    with world.serve(day=1, fast=True) as live:
        sites_file = data_dir / "sites.yaml"
        sites_file.write_text(live.sites_yaml(), encoding="utf-8")
        overrides = {"workers": workers} if workers else {}
        settings = demo_settings(data_dir, sites_file, **overrides)
        flow = _nightly_flow(settings)
        for day in (1, 2):
            if day == 2:
                live.set_day(2)
            console.rule(f"day {day}: nightly run against the demo sites")
            with _one_run("demo", settings):
                summary = flow(overrides=settings.model_dump(mode="json"))
            _print_summary(summary, console)
    console.rule("comparison (published warehouse)")
    console.print(comparison_table(settings.published_db))
    console.print("新收 new applications · 办结 concluded · 公开 granted in full · 公开% (partly) disclosed of "
                  "concluded · 复议% / 诉讼% reviews / lawsuits that corrected the agency, of those concluded")
    console.print(f"warehouse: {settings.published_db}  (open read-only)\nCSV exports: {settings.exports_dir}/",
                  soft_wrap=True)
    # the nightly flow judged coverage on today's date; the demo world lives on its own day 2 (March 2025)
    from demo.sites.catalogue import WORLD_DAY
    from warehouse.report import build_report

    index = build_report(settings.published_db, settings.report_dir, settings.layout.objects_dir, as_of=WORLD_DAY[2])
    console.print(f"report: open {index.resolve().as_uri()} in a browser (offline; coverage as of {WORLD_DAY[2]})",
                  highlight=False, markup=False, soft_wrap=True)
    console.print(f'try:  xxgk query --db {settings.published_db} "SELECT agency_name, report_year, new_received, '
                  f'disclosure_pct FROM out_agency_year ORDER BY report_year DESC, new_received DESC LIMIT 10"',
                  highlight=False, markup=False, soft_wrap=True)


def reset_demo_dir(data_dir: Path) -> None:
    """Start every demo from scratch; refuse to wipe a directory the demo did not create."""
    import shutil

    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / DEMO_MARKER).exists():
            raise typer.BadParameter(f"{data_dir} is not empty and was not created by `xxgk demo`; "
                                     "choose another --data-dir")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARKER).write_text("created by `xxgk demo`; deleted and rebuilt on every demo run\n")


def comparison_table(published_db: Path):
    """Agencies × a few measures for the latest year in the published warehouse."""
    import duckdb
    from rich.table import Table

    con = duckdb.connect(str(published_db), read_only=True)
    try:
        year = con.execute("SELECT max(report_year) FROM out_agency_year").fetchone()[0]
        columns = ", ".join(m for m, _ in DEMO_MEASURES)
        rows = con.execute(f"""SELECT agency_name, {columns} FROM out_agency_year WHERE report_year = ?
                               ORDER BY new_received DESC NULLS LAST, agency_name""", [year]).fetchall()
    finally:
        con.close()
    table = Table(title=f"{year}年 政府信息公开 — agencies × measures (current report versions)")
    table.add_column("机关", no_wrap=True)
    for _, header in DEMO_MEASURES:
        table.add_column(header, justify="right")
    for agency, *values in rows:
        table.add_row(agency, *("—" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v) for v in values))
    return table


def register(app: typer.Typer) -> None:
    """Add ``run``, ``serve``, ``rebuild`` and ``demo`` to the ``xxgk`` app."""
    app.command("run")(run)
    app.command("serve")(serve)
    app.command("rebuild")(rebuild)
    app.command("demo")(demo)
