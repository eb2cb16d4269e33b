"""Glue between the CLI and the library: load, simulate with a progress bar, print, report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console, JustifyMethod
from rich.table import Table

from .errors import InputError, Problem
from .scenario import Scenario
from .scenario.library import scenario_path
from .world import World, load_world

SUMMARY_VARIABLES = ("production", "demand", "final_demand", "final_demand_unmet")
"""What the summary table needs (``--record`` always keeps these)."""


def load_inputs(path: str | Path) -> tuple[Scenario, World]:
    """Parse the scenario (a file, or a bundled scenario's name), load its World and check every
    cross-reference (no simulation)."""
    from .engine.compile import compile_plan

    path = scenario_path(path)
    sc = Scenario.from_yaml(path)
    ref = sc.world_ref()
    try:
        world = load_world(ref)
    except InputError as exc:
        if len(exc.problems) == 1 and exc.problems[0].source == ref:
            line, col = sc.locate(("world",))
            raise InputError(Problem(str(path), exc.problems[0].message, line, col, field="world")) from None
        raise
    compile_plan(world, sc, runs=min(sc.runs, 2))
    return sc, world


def run_scenario(
    path: str | Path,
    out: Path | None = None,
    runs: int | None = None,
    seed: int | None = None,
    netcdf: bool = False,
    console: Console | None = None,
    record: list[str] | None = None,
    max_memory: str | None = None,
):
    """Simulate, print the summary table, write ``out/<stem>/report.html``; return the Result.

    Refused before any simulation (one located line) when the ensemble does not fit
    ``max_memory`` or ``out`` cannot be written; outputs are written all or none.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from .engine import simulate
    from .engine.budget import check_memory
    from .outputs import OutputSet, check_out_dir
    from .report import write_report
    from .report.engine_sections import engine_sections, scenario_text_of, summary_table

    console = console or Console(emoji=False)
    path = scenario_path(path)
    sc, world = load_inputs(path)
    n_runs = runs or sc.runs
    from .engine.simulate import VARIABLES

    full = record is None or set(record) >= set(VARIABLES)
    if record is not None:  # the summary table needs these; the HTML report needs every variable
        record = list(dict.fromkeys([*record, *SUMMARY_VARIABLES]))
    # before any work of the run's size: does it fit, and can we write where asked?
    check_memory(world, sc, n_runs, record=record, max_memory=max_memory, seed=seed)
    names = (["report.html"] if full else []) + (["result.nc"] if netcdf else [])
    out_dir = check_out_dir(Path(out) if out is not None else Path("out") / Path(path).stem, names=names)
    columns = (
        TextColumn("[bold]simulating[/] {task.description}"),
        BarColumn(),
        TextColumn("day {task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(f"{sc.name} ({n_runs} runs)", total=sc.horizon_days)
        res = simulate(
            world,
            sc,
            runs=runs,
            seed=seed,
            progress=lambda t: bar.update(task, completed=t + 1),
            record=record,
            max_memory=max_memory,
        )
    df = summary_table(res)
    print_summary(console, df, res)
    title = f"chokepoints: {sc.name}"
    with OutputSet(out_dir) as outs:  # every output or none; earlier files stay as they were on failure
        if full:
            write_report(
                outs.stage("report.html"),
                title,
                engine_sections(res, scenario_text_of(str(path))),
                provenance=res.provenance,
            )
        if netcdf:
            res.to_netcdf(outs.stage("result.nc"))
    if full:
        console.print(f"report: {outs.final('report.html')}")
    else:
        console.print("report: not written (the HTML report needs every variable; run without --record)")
    if netcdf:
        console.print(f"result: {outs.final('result.nc')}")
    return res


def _fmt(v: float, digits: int = 0) -> str:
    if v != v:  # NaN
        return "—"
    return f"{v:,.{digits}f}"


def print_summary(console: Console, df, res) -> None:
    prov = res.provenance
    table = Table(
        title=f"{prov['scenario_name']}: days to first shortfall and output lost "
        f"({prov['runs']} runs, seed {prov['seed']})",
        header_style="bold",
    )
    columns: list[tuple[str, JustifyMethod]] = [
        ("region", "left"),
        ("end use", "left"),
        ("shortfall day (median)", "right"),
        ("5–95 %", "right"),
        ("runs short", "right"),
        ("output lost (median)", "right"),
        ("USD lost (median)", "right"),
    ]
    for col, just in columns:
        table.add_column(col, justify=just, overflow="fold")
    for r in df.itertuples():
        band = (
            "—"
            if r.shortfall_day_p05 != r.shortfall_day_p05
            else (f"{_fmt(r.shortfall_day_p05)}–{_fmt(r.shortfall_day_p95)}")
        )
        table.add_row(
            r.region,
            r.end_use,
            _fmt(r.shortfall_day_median),
            band,
            f"{r.share_of_runs_short * 100:.0f} %",
            f"{_fmt(r.units_median)} {r.unit}",
            f"{_fmt(r.usd_median / 1e6, 1)} M" if r.usd_median == r.usd_median else "—",
        )
    console.print(table)
    console.print(
        f"[dim]scenario hash {prov['scenario_hash']} · dataset {prov['dataset']} "
        f"v{prov['dataset_version']} · chokepoints {prov['package_version']}[/]"
    )
